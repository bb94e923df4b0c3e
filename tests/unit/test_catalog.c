/* test_catalog.c - the action catalog: the actions plans rely on exist with
 * the right shape, their data is consistent (unique names, defaults that fit
 * their types, RBAC lists terminated), results are typed deeply enough for
 * expressions, and docs/actions.md documents every action, param and field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog.h"
#include "diag.h"
#include "mem.h"
#include "plan.h"
#include "type.h"
#include "yaml_load.h"

static const char *const required_actions[] = {
	"k8s.get", "k8s.list", "k8s.patch", "k8s.delete", "k8s.wait", "k8s.exec",
	"patroni.cluster", "patroni.status", "patroni.pause", "patroni.resume",
	"patroni.switchover", "patroni.restart", "openshift.build", "openshift.tag",
	"confirm", "sleep", "log",
};

static void test_required_actions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof required_actions / sizeof required_actions[0]; i++) {
		const struct action *a = catalog_find(required_actions[i]);
		if (!a)
			print_error("missing action '%s'\n", required_actions[i]);
		assert_non_null(a);
		assert_string_equal(a->name, required_actions[i]);
		assert_non_null(a->summary);
		assert_non_null(a->result);
		assert_non_null(a->rbac);
	}
	assert_null(catalog_find("k8s.gett"));
	assert_null(catalog_find(""));
	assert_null(catalog_find(NULL));
}

static void test_table_consistent(void **state)
{
	(void)state;
	size_t n;
	const struct action *all = catalog_all(&n);
	assert_true(n >= sizeof required_actions / sizeof required_actions[0]);
	for (size_t i = 0; i < n; i++) {
		const struct action *a = &all[i];
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(a->name, all[j].name);
		assert_ptr_equal(catalog_find(a->name), a);
		for (size_t p = 0; p < a->nparams; p++) {
			const struct action_param *ap = &a->params[p];
			assert_non_null(ap->type);
			assert_non_null(ap->doc);
			assert_ptr_equal(catalog_param(a, ap->name), ap);
			for (size_t q = p + 1; q < a->nparams; q++)
				assert_string_not_equal(ap->name, a->params[q].name);
			/* a required param with a default is a contradiction */
			assert_false(ap->required && ap->def);
			if (!ap->def)
				continue;
			/* defaults are YAML text of the param's type */
			if (ap->type->kind == TYPE_DURATION)
				assert_true(plan_duration_parse(ap->def) >= 0);
			if (ap->type->kind == TYPE_NUMBER)
				assert_non_null(strchr("0123456789", ap->def[0]));
			if (ap->type->kind == TYPE_BOOL)
				assert_true(!strcmp(ap->def, "true") || !strcmp(ap->def, "false"));
		}
		assert_null(catalog_param(a, "no-such-param"));
		size_t r = 0;
		for (; a->rbac[r].resource; r++) {
			assert_non_null(a->rbac[r].group);
			assert_non_null(a->rbac[r].verbs);
			assert_true(strlen(a->rbac[r].verbs) > 0);
		}
		/* only the built-ins touch no Kubernetes API */
		int builtin = !strchr(a->name, '.');
		assert_int_equal(r == 0, builtin);
	}
}

static void test_effects_and_brackets(void **state)
{
	(void)state;
	assert_string_equal(catalog_effect_name(EFFECT_READ), "read");
	assert_string_equal(catalog_effect_name(EFFECT_IDEMPOTENT), "idempotent");
	assert_string_equal(catalog_effect_name(EFFECT_MUTATION), "mutation");
	const struct action *pause = catalog_find("patroni.pause"), *resume = catalog_find("patroni.resume");
	assert_string_equal(pause->opens, "maintenance");
	assert_null(pause->closes);
	assert_string_equal(resume->closes, "maintenance");
	assert_null(resume->opens);
	assert_int_equal(catalog_find("k8s.get")->effect, EFFECT_READ);
	assert_int_equal(catalog_find("patroni.cluster")->effect, EFFECT_READ);
	assert_int_equal(catalog_find("k8s.delete")->effect, EFFECT_MUTATION);
	assert_int_equal(catalog_find("patroni.switchover")->effect, EFFECT_MUTATION);
	assert_int_equal(catalog_find("openshift.build")->effect, EFFECT_MUTATION);
	assert_int_equal(catalog_find("patroni.pause")->effect, EFFECT_IDEMPOTENT);
	assert_int_equal(catalog_find("openshift.tag")->effect, EFFECT_IDEMPOTENT);
	size_t n;
	const struct action *all = catalog_all(&n);
	for (size_t i = 0; i < n; i++)
		if (all[i].opens || all[i].closes)
			assert_true(!strcmp(all[i].name, "patroni.pause") || !strcmp(all[i].name, "patroni.resume"));
	/* a pod proxy POST needs 'create' on pods/proxy */
	const struct action *sw = catalog_find("patroni.switchover");
	int found = 0;
	for (size_t r = 0; sw->rbac[r].resource; r++)
		if (!strcmp(sw->rbac[r].resource, "pods/proxy") && strstr(sw->rbac[r].verbs, "create"))
			found = 1;
	assert_true(found);
}

/* The type at a dotted path ("members[].lag"), or NULL. */
static const struct type *path(const struct type *t, const char *p)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s", p);
	for (char *tok = strtok(buf, "."); tok && t; tok = strtok(NULL, ".")) {
		size_t len = strlen(tok);
		int elem = len > 2 && !strcmp(tok + len - 2, "[]");
		if (elem)
			tok[len - 2] = '\0';
		t = type_member(t, tok);
		if (t && elem)
			t = t->kind == TYPE_LIST ? t->elem : NULL;
	}
	return t;
}

static void expect_kind(const char *action, const char *p, enum type_kind k, int optional)
{
	const struct type *t = path(catalog_find(action)->result, p);
	if (!t || t->kind != k || (int)t->optional != optional)
		print_error("%s result.%s: %s\n", action, p, t ? type_kind_name(t->kind) : "missing");
	assert_non_null(t);
	assert_int_equal(t->kind, k);
	assert_int_equal(t->optional, optional);
}

static void test_result_types(void **state)
{
	(void)state;
	expect_kind("patroni.cluster", "members", TYPE_LIST, 0);
	expect_kind("patroni.cluster", "members[].name", TYPE_STRING, 0);
	expect_kind("patroni.cluster", "members[].role", TYPE_STRING, 0);
	expect_kind("patroni.cluster", "members[].state", TYPE_STRING, 0);
	expect_kind("patroni.cluster", "members[].host", TYPE_STRING, 0);
	expect_kind("patroni.cluster", "members[].port", TYPE_NUMBER, 0);
	expect_kind("patroni.cluster", "members[].timeline", TYPE_NUMBER, 1);
	expect_kind("patroni.cluster", "members[].lag", TYPE_NUMBER, 1);
	expect_kind("patroni.cluster", "members[].lag_mb", TYPE_NUMBER, 1);
	expect_kind("patroni.cluster", "leader", TYPE_STRING, 1);
	expect_kind("patroni.cluster", "pause", TYPE_BOOL, 0);
	expect_kind("patroni.cluster", "scope", TYPE_STRING, 0);
	assert_null(path(catalog_find("patroni.cluster")->result, "membrs"));
	assert_null(path(catalog_find("patroni.cluster")->result, "members[].lagmb"));

	expect_kind("patroni.status", "state", TYPE_STRING, 0);
	expect_kind("patroni.status", "role", TYPE_STRING, 0);
	expect_kind("patroni.status", "server_version", TYPE_NUMBER, 1);
	expect_kind("patroni.status", "patroni.version", TYPE_STRING, 0);
	expect_kind("patroni.status", "patroni.scope", TYPE_STRING, 0);
	expect_kind("patroni.status", "timeline", TYPE_NUMBER, 1);
	expect_kind("patroni.status", "xlog.location", TYPE_NUMBER, 1);
	expect_kind("patroni.status", "xlog.replayed_location", TYPE_NUMBER, 1);
	expect_kind("patroni.status", "pause", TYPE_BOOL, 0);
	expect_kind("patroni.status", "replication[].application_name", TYPE_STRING, 0);

	/* Kubernetes objects are open: any field, with the usual ones typed */
	expect_kind("k8s.get", "metadata.uid", TYPE_STRING, 0);
	expect_kind("k8s.get", "spec", TYPE_OBJECT, 0);
	expect_kind("k8s.get", "status", TYPE_OBJECT, 0);
	expect_kind("k8s.get", "spec.updateStrategy.type", TYPE_ANY, 0);
	expect_kind("k8s.get", "anything", TYPE_ANY, 0);
	expect_kind("k8s.list", "items[].metadata.name", TYPE_STRING, 0);

	expect_kind("k8s.wait", "object", TYPE_OBJECT, 1);
	expect_kind("k8s.wait", "elapsed", TYPE_DURATION, 0);
	expect_kind("k8s.wait", "events", TYPE_LIST, 0);
	expect_kind("k8s.exec", "stdout", TYPE_STRING, 0);
	expect_kind("k8s.exec", "stderr", TYPE_STRING, 0);
	expect_kind("k8s.exec", "exit_code", TYPE_NUMBER, 0);

	expect_kind("openshift.build", "name", TYPE_STRING, 0);
	expect_kind("openshift.build", "phase", TYPE_STRING, 0);
	expect_kind("openshift.build", "digest", TYPE_STRING, 1);
	expect_kind("openshift.build", "image", TYPE_STRING, 1);
	expect_kind("openshift.build", "log", TYPE_STRING, 0);
	expect_kind("openshift.build", "duration", TYPE_DURATION, 0);
	expect_kind("openshift.tag", "source", TYPE_STRING, 0);
	expect_kind("openshift.tag", "target", TYPE_STRING, 0);
	expect_kind("openshift.tag", "digest", TYPE_STRING, 0);

	expect_kind("patroni.switchover", "from", TYPE_STRING, 0);
	expect_kind("patroni.switchover", "to", TYPE_STRING, 0);
	expect_kind("patroni.switchover", "status", TYPE_NUMBER, 0);
	expect_kind("patroni.switchover", "message", TYPE_STRING, 0);
	expect_kind("patroni.switchover", "leader_after", TYPE_STRING, 1);

	struct strbuf b = {0};
	type_format(catalog_find("patroni.cluster")->result->fields[0].type, &b);
	assert_string_equal(b.s, "list<member>");
	sb_release(&b);
}

static void test_params(void **state)
{
	(void)state;
	const struct action *a = catalog_find("k8s.wait");
	assert_true(catalog_param(a, "kind")->required);
	assert_true(catalog_param(a, "name")->required);
	assert_true(catalog_param(a, "for")->required);
	assert_false(catalog_param(a, "namespace")->required);
	a = catalog_find("patroni.switchover");
	assert_true(catalog_param(a, "leader")->required);
	assert_false(catalog_param(a, "candidate")->required);
	assert_int_equal(catalog_param(a, "settle")->type->kind, TYPE_DURATION);
	assert_string_equal(catalog_param(catalog_find("patroni.pause"), "port")->def, "8008");
	assert_int_equal(catalog_param(catalog_find("k8s.exec"), "command")->type->kind, TYPE_LIST);
	assert_int_equal(catalog_param(catalog_find("k8s.patch"), "patch")->type->kind, TYPE_OBJECT);
	assert_int_equal(catalog_param(catalog_find("sleep"), "duration")->type->kind, TYPE_DURATION);
}

static void test_choices(void **state)
{
	(void)state;
	const struct action_param *f = catalog_param(catalog_find("k8s.wait"), "for");
	assert_true(catalog_choice_ok(f, "replaced"));
	assert_true(catalog_choice_ok(f, "ready"));
	assert_true(catalog_choice_ok(f, "phase=Running"));
	assert_true(catalog_choice_ok(f, "condition=Ready"));
	assert_false(catalog_choice_ok(f, "phase="));       /* a prefix needs something after it */
	assert_false(catalog_choice_ok(f, "Ready"));
	assert_false(catalog_choice_ok(f, "read"));
	assert_false(catalog_choice_ok(f, "readyy"));
	assert_false(catalog_choice_ok(f, ""));
	assert_false(catalog_choice_ok(f, NULL));
	const struct action_param *lvl = catalog_param(catalog_find("log"), "level");
	assert_true(catalog_choice_ok(lvl, "error"));
	assert_false(catalog_choice_ok(lvl, "warn"));
	/* no choices: anything */
	assert_true(catalog_choice_ok(catalog_param(catalog_find("log"), "message"), "whatever"));
	assert_true(catalog_choice_ok(NULL, "x"));
	/* every default is one of its param's choices */
	size_t n;
	const struct action *all = catalog_all(&n);
	for (size_t i = 0; i < n; i++)
		for (size_t p = 0; p < all[i].nparams; p++)
			if (all[i].params[p].choices && all[i].params[p].def)
				assert_true(catalog_choice_ok(&all[i].params[p], all[i].params[p].def));
}

/* ---- docs/actions.md documents every action ---------------------------------- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	struct strbuf b = {0};
	char buf[4096];
	for (size_t n = fread(buf, 1, sizeof buf, f); n > 0; n = fread(buf, 1, sizeof buf, f))
		sb_add(&b, buf, n);
	fclose(f);
	return sb_detach(&b);
}

/* The text from "## `name`" to the next "## " heading, or NULL. */
static char *section(const char *doc, const char *name)
{
	char *head = xasprintf("\n## `%s`", name);
	const char *s = strstr(doc, head);
	free(head);
	if (!s)
		return NULL;
	const char *e = strstr(s + 4, "\n## ");
	return e ? xstrndup(s, (size_t)(e - s)) : xstrdup(s);
}

static void test_documented(void **state)
{
	(void)state;
	const char *path = getenv("OPSPLAN_ACTIONS_MD");
	char *doc = slurp(path ? path : "docs/actions.md");
	if (!doc)
		print_error("cannot read docs/actions.md (run from the repository root)\n");
	assert_non_null(doc);
	size_t n;
	const struct action *all = catalog_all(&n);
	int missing = 0;
	for (size_t i = 0; i < n; i++) {
		char *sec = section(doc, all[i].name);
		if (!sec) {
			print_error("docs/actions.md: no section \"## `%s`\"\n", all[i].name);
			missing++;
			continue;
		}
		char *want;
		for (size_t p = 0; p < all[i].nparams; p++) {
			want = xasprintf("`%s`", all[i].params[p].name);
			if (!strstr(sec, want)) {
				print_error("docs/actions.md: '%s' does not document param %s\n", all[i].name, want);
				missing++;
			}
			free(want);
		}
		const struct type *r = all[i].result;
		for (size_t f = 0; f < r->nfields; f++) {
			want = xasprintf("`%s`", r->fields[f].name);
			if (!strstr(sec, want)) {
				print_error("docs/actions.md: '%s' does not document result field %s\n", all[i].name, want);
				missing++;
			}
			free(want);
		}
		want = xasprintf("Effect: %s", catalog_effect_name(all[i].effect));
		if (!strstr(sec, want)) {
			print_error("docs/actions.md: '%s' does not say '%s'\n", all[i].name, want);
			missing++;
		}
		free(want);
		if (all[i].opens || all[i].closes) {
			want = xasprintf("%s `%s`", all[i].opens ? "Opens" : "Closes",
					 all[i].opens ? all[i].opens : all[i].closes);
			if (!strstr(sec, want)) {
				print_error("docs/actions.md: '%s' does not say '%s'\n", all[i].name, want);
				missing++;
			}
			free(want);
		}
		free(sec);
	}
	free(doc);
	assert_int_equal(missing, 0);
}

/* ---- schema/plan.schema.json types every action's with: -------------------- */

static void test_schema_matches_catalog(void **state)
{
	(void)state;
	const char *path = getenv("OPSPLAN_PLAN_SCHEMA");
	json_error_t err;
	json_t *schema = json_load_file(path ? path : "schema/plan.schema.json", 0, &err);
	if (!schema)
		print_error("cannot read schema/plan.schema.json: %s (run from the repository root)\n", err.text);
	assert_non_null(schema);
	json_t *defs = json_object_get(schema, "$defs");
	json_t *dos = json_object_get(json_object_get(json_object_get(json_object_get(defs, "step"),
								       "properties"), "do"), "anyOf");
	size_t n;
	const struct action *all = catalog_all(&n);
	assert_int_equal(json_array_size(dos), n);
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		const struct action *a = &all[i];
		const char *name = json_string_value(json_object_get(json_array_get(dos, i), "const"));
		if (!name || strcmp(name, a->name)) {
			print_error("schema: 'do' entry %zu is '%s', catalog has '%s'\n", i, name ? name : "?", a->name);
			bad++;
		}
		char *key = xasprintf("with.%s", a->name);
		json_t *w = json_object_get(defs, key);
		free(key);
		if (!w) {
			print_error("schema: no $defs/with.%s\n", a->name);
			bad++;
			continue;
		}
		json_t *props = json_object_get(w, "properties"), *req = json_object_get(w, "required");
		if (json_object_size(props) != a->nparams) {
			print_error("schema: with.%s has %zu params, catalog %zu\n", a->name, json_object_size(props), a->nparams);
			bad++;
		}
		size_t nreq = 0;
		for (size_t p = 0; p < a->nparams; p++) {
			if (!json_object_get(props, a->params[p].name)) {
				print_error("schema: with.%s lacks '%s'\n", a->name, a->params[p].name);
				bad++;
			}
			if (!a->params[p].required)
				continue;
			nreq++;
			int found = 0;
			for (size_t r = 0; r < json_array_size(req); r++)
				found |= !strcmp(json_string_value(json_array_get(req, r)), a->params[p].name);
			if (!found) {
				print_error("schema: with.%s does not require '%s'\n", a->name, a->params[p].name);
				bad++;
			}
		}
		if (json_array_size(req) != nreq) {
			print_error("schema: with.%s requires %zu params, catalog %zu\n", a->name, json_array_size(req), nreq);
			bad++;
		}
	}
	json_decref(schema);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_actions),
		cmocka_unit_test(test_table_consistent),
		cmocka_unit_test(test_effects_and_brackets),
		cmocka_unit_test(test_result_types),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_choices),
		cmocka_unit_test(test_documented),
		cmocka_unit_test(test_schema_matches_catalog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
