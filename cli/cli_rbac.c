/* cli_rbac.c - `opsplan rbac PLAN`: the least-privilege Role a plan needs.
 *
 * Derived, never hand-kept: each action's rbac entries in the catalog, with
 * "$kind" resolved from the step's literal with.kind through the same kind
 * table the client uses to build paths.  A kind computed at run time cannot
 * be resolved here; the Role says so in a comment instead of guessing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cli.h"
#include "cli_compile.h"
#include "graph.h"
#include "ir.h"
#include "ir_load.h"
#include "kube.h"
#include "mem.h"

struct rule {
	char *group, *resource;
	char verbs[160];
};

struct acc {
	struct rule *v;
	size_t n, cap;
	struct strbuf notes;
};

static void add_verbs(char *dst, size_t n, const char *verbs)
{
	char *copy = xstrdup(verbs);
	char *save = NULL;
	for (char *v = strtok_r(copy, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
		int have = 0;
		char *d2 = xstrdup(dst);
		char *s2 = NULL;
		for (char *w = strtok_r(d2, ",", &s2); w && !have; w = strtok_r(NULL, ",", &s2))
			have = !strcmp(w, v);
		free(d2);
		if (!have) {
			size_t l = strlen(dst);
			snprintf(dst + l, n - l, "%s%s", l ? "," : "", v);
		}
	}
	free(copy);
}

static void add(struct acc *a, const char *group, const char *resource, const char *verbs)
{
	for (size_t i = 0; i < a->n; i++) {
		if (!strcmp(a->v[i].group, group) && !strcmp(a->v[i].resource, resource)) {
			add_verbs(a->v[i].verbs, sizeof a->v[i].verbs, verbs);
			return;
		}
	}
	XGROW(a->v, a->cap, a->n + 1);
	struct rule *r = &a->v[a->n++];
	r->group = xstrdup(group);
	r->resource = xstrdup(resource);
	r->verbs[0] = 0;
	add_verbs(r->verbs, sizeof r->verbs, verbs);
}

/* "/api/v1/namespaces/NS/pods" -> "", "pods";
 * "/apis/apps/v1/namespaces/NS/statefulsets" -> "apps", "statefulsets" */
static int kind_resource(const char *kind, char *group, size_t gn, char *res, size_t rn, int *cluster_scoped)
{
	char *p = kube_kind_path(NULL, kind, "NS", NULL, NULL);
	if (!p)
		return -1;
	const char *r = strrchr(p, '/');
	snprintf(res, rn, "%s", r ? r + 1 : p);
	*cluster_scoped = strstr(p, "/namespaces/NS/") == NULL;
	if (!strncmp(p, "/apis/", 6)) {
		const char *g = p + 6;
		const char *e = strchr(g, '/');
		snprintf(group, gn, "%.*s", (int)(e ? e - g : (long)strlen(g)), g);
	} else {
		group[0] = 0;
	}
	free(p);
	return 0;
}

static void visit(const struct ir_step *s, void *ctx)
{
	struct acc *a = ctx;
	if (s->kind != IR_STEP_ACTION || !s->action)
		return;
	for (const struct action_rbac *r = s->action->rbac; r && r->resource; r++) {
		if (strcmp(r->resource, "$kind") != 0) {
			add(a, r->group, r->resource, r->verbs);
			continue;
		}
		const char *kind = json_string_value(json_object_get(s->with, "kind"));
		char group[128], res[128];
		int cs = 0;
		if (!kind || strstr(kind, "${{")) {
			sb_printf(&a->notes, "# step '%s' (%s): its kind is computed at run time; add a rule for it by hand "
				  "(verbs %s)\n", s->id, s->action_name, r->verbs);
		} else if (kind_resource(kind, group, sizeof group, res, sizeof res, &cs) < 0) {
			sb_printf(&a->notes, "# step '%s' (%s): kind \"%s\" is not one opsplan knows; add a rule by hand "
				  "(verbs %s)\n", s->id, s->action_name, kind, r->verbs);
		} else if (cs) {
			sb_printf(&a->notes, "# step '%s' (%s): %s is cluster-scoped; a Role cannot grant it, a ClusterRole "
				  "must (verbs %s)\n", s->id, s->action_name, res, r->verbs);
		} else {
			add(a, group, res, r->verbs);
		}
	}
}

/* The Secrets the plan's `from: {secret: ...}` params read: "get" on
 * exactly those names (resourceNames), in the run's namespace; one in
 * another namespace needs a Role there, said in a comment.  *names gets
 * the list for the run's namespace ("a", "b"), or stays empty. */
static void secret_names(const struct ir_plan *p, struct strbuf *names, struct strbuf *notes)
{
	size_t i;
	const json_t *par;
	json_array_foreach(json_object_get(p->doc, "params"), i, par) {
		const json_t *sec = json_object_get(par, "secret");
		const char *name = json_string_value(json_object_get(sec, "name"));
		const char *ns = json_string_value(json_object_get(sec, "namespace"));
		if (!name)
			continue;
		if (ns) {
			sb_printf(notes, "# param '%s' reads Secret \"%s\" in namespace \"%s\": bind a Role there with "
				  "get on secrets, resourceNames [\"%s\"]\n", json_string_value(json_object_get(par, "name")),
				  name, ns, name);
			continue;
		}
		char *q = xasprintf("\"%s\"", name);
		if (!names->s || !strstr(names->s, q))
			sb_printf(names, "%s%s", names->len ? ", " : "", q);
		free(q);
	}
}

static int by_rule(const void *x, const void *y)
{
	const struct rule *a = x, *b = y;
	int c = strcmp(a->group, b->group);
	return c ? c : strcmp(a->resource, b->resource);
}

int cli_rbac(int argc, char **argv)
{
	struct cli_plan_args a;
	int rc = cli_plan_parse(argc, argv, "p", &a);
	if (rc != 0)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	struct diag_list d;
	int code;
	struct compiled *c = cli_plan_compile(&a, &d, &code);
	struct ir_plan *p = NULL;
	struct acc acc = {0};
	if (code != EXIT_OK)
		goto done;
	char *ir = ir_emit(c->graph);
	char err[512];
	if (ir_load(&p, ir, strlen(ir), err, sizeof err) < 0) {
		fprintf(stderr, "opsplan rbac: %s\n", err);
		free(ir);
		code = EXIT_USAGE;
		goto done;
	}
	free(ir);
	ir_foreach_step(p, visit, &acc);
	qsort(acc.v, acc.n, sizeof *acc.v, by_rule);
	struct strbuf secrets = {0};
	secret_names(p, &secrets, &acc.notes);
	printf("# The least-privilege Role for plan '%s', derived by 'opsplan rbac' from its actions.\n"
	       "# Bind it to the account that runs 'opsplan run' in the target namespace.\n", p->name);
	if (acc.notes.s)
		fputs(acc.notes.s, stdout);
	printf("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: opsplan-%s\nrules:\n", p->name);
	if (!acc.n && !secrets.len)
		printf("  []\n");
	for (size_t i = 0; i < acc.n; i++) {
		printf("  - apiGroups: [\"%s\"]\n    resources: [\"%s\"]\n    verbs: [", acc.v[i].group, acc.v[i].resource);
		char *copy = xstrdup(acc.v[i].verbs);
		char *save = NULL;
		int first = 1;
		for (char *v = strtok_r(copy, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
			printf("%s\"%s\"", first ? "" : ", ", v);
			first = 0;
		}
		free(copy);
		printf("]\n");
	}
	if (secrets.len)
		printf("  - apiGroups: [\"\"]\n    resources: [\"secrets\"]\n    resourceNames: [%s]\n    verbs: [\"get\"]\n",
		       secrets.s);
	sb_release(&secrets);
	if (fflush(stdout) != 0)
		code = EXIT_USAGE;
done:
	for (size_t i = 0; i < acc.n; i++) {
		free(acc.v[i].group);
		free(acc.v[i].resource);
	}
	free(acc.v);
	sb_release(&acc.notes);
	ir_plan_free(p);
	cli_plan_release(&a, c, &d);
	return code;
}
