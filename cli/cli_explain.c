/* cli_explain.c - `opsplan explain`: what the plan will do, in order, for
 * the person on call: parameters, brackets, windows, gates and time bounds
 * (worst case, or typical with --assume typical). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog.h"
#include "cli.h"
#include "expr.h"
#include "cli_compile.h"
#include "graph.h"
#include "mem.h"
#include "plan.h"
#include "yaml_load.h"

struct ex {
	const struct graph *g;
	int typical;
	FILE *out;
};

static void dur(int64_t ms, char *buf, size_t n)
{
	if (ms == INT64_MAX)
		snprintf(buf, n, "unbounded");
	else if (ms == 0)
		snprintf(buf, n, "0s");
	else
		plan_duration_format(ms, buf, n);
}

/* Where a window or timeout written as ${{ params.NAME }} got its value. */
static const char *from_param(const char *name, const char *from, char *buf, size_t n)
{
	if (!name)
		return "";
	if (from && !strcmp(from, "cli"))
		snprintf(buf, n, " (params.%s, given with -p)", name);
	else
		snprintf(buf, n, " (params.%s, its default; -p %s=DURATION to prove another)", name, name);
	return buf;
}

static void one_line(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++)
		fputc(s[i] == '\n' ? ' ' : s[i], out);
}

/* Every `params.NAME` the text reads has a value in vals (an unset param
 * would render as an empty string). */
static int params_known(const char *text, const json_t *vals)
{
	for (const char *s = strstr(text, "params."); s; s = strstr(s + 7, "params.")) {
		const char *n = s + 7, *e = n;
		while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') || *e == '_')
			e++;
		char name[64];
		if (e - n >= (long)sizeof name)
			return 0;
		memcpy(name, n, (size_t)(e - n));
		name[e - n] = '\0';
		if (!json_object_get(vals, name))
			return 0;
	}
	return 1;
}

/* A gate's prompt with the parameters' values filled in when every part of
 * it can be evaluated from them alone (-p or a default); the template as
 * written otherwise (it reads a step's result).  Sensitive values never
 * enter the environment, so a prompt that shows one stays unrendered. */
static void prompt_line(const struct ex *E, const struct ynode *prompt)
{
	json_t *vals = json_object(), *env = json_pack("{s:O}", "params", vals), *out = NULL;
	const json_t *ps = E->g->params;
	size_t i;
	json_t *p;
	json_array_foreach(ps, i, p) {
		const json_t *v = json_object_get(p, "value");
		const char *name = json_string_value(json_object_get(p, "name"));
		if (name && v && !json_is_null(v) && !json_is_true(json_object_get(p, "sensitive")))
			json_object_set(vals, name, (json_t *)v);
	}
	struct arena *a = arena_new();
	struct diag_list d;
	diag_init(&d);
	char *err = NULL;
	struct tmpl *t = tmpl_parse(a, prompt->str, prompt->len, &prompt->loc, &d);
	if (t && !d.n && params_known(prompt->str, vals) && tmpl_eval(t, env, &out, &err) == 0 &&
	    json_is_string(out))
		one_line(E->out, json_string_value(out), json_string_length(out));
	else
		one_line(E->out, prompt->str, prompt->len);
	free(err);
	json_decref(out);
	diag_release(&d);
	arena_free(a);
	json_decref(vals);
	json_decref(env);
}

/* One line of a step's description: indent d, label, then the expression
 * text on one line. */
static void labelled(FILE *out, int d, const char *label, const char *s, size_t n)
{
	fprintf(out, "%*s%s", d, "", label);
	one_line(out, s, n);
	fprintf(out, "\n");
}

static void params(const struct ex *E)
{
	const json_t *ps = E->g->params;
	size_t i;
	json_t *p;
	if (!ps || !json_array_size(ps)) {
		fprintf(E->out, "Parameters: none\n");
		return;
	}
	fprintf(E->out, "Parameters:\n");
	json_array_foreach(ps, i, p) {
		const char *from = json_string_value(json_object_get(p, "from"));
		char *v = json_dumps(json_object_get(p, "value"), JSON_ENCODE_ANY | JSON_COMPACT);
		const json_t *ms = json_object_get(p, "value_ms");
		char d[32] = "";
		if (ms)
			dur(json_integer_value(ms), d, sizeof d);
		const json_t *sec = json_object_get(p, "secret");
		if (json_is_true(json_object_get(p, "sensitive")) && sec)
			fprintf(E->out, "  %-20s (sensitive: read at run time from Secret %s, key %s)\n",
				json_string_value(json_object_get(p, "name")),
				json_string_value(json_object_get(sec, "name")), json_string_value(json_object_get(sec, "key")));
		else if (json_is_true(json_object_get(p, "sensitive")) && from && strcmp(from, "unset"))
			fprintf(E->out, "  %-20s (sensitive: given, not shown)\n", json_string_value(json_object_get(p, "name")));
		else if (from && !strcmp(from, "unset"))
			fprintf(E->out, "  %-20s %s\n", json_string_value(json_object_get(p, "name")),
				json_is_true(json_object_get(p, "required")) ? "(required: give -p NAME=VALUE)" : "(unset)");
		else
			fprintf(E->out, "  %-20s %s%s  (%s)\n", json_string_value(json_object_get(p, "name")),
				ms ? d : v, "", from && !strcmp(from, "cli") ? "from -p" : "default");
		free(v);
	}
}

static void steps(const struct ex *E, struct graph_node **list, size_t n, const char *prefix, int ind);

static void step(const struct ex *E, const struct graph_node *x, const char *num, int ind)
{
	const struct plan_step *s = x->step;
	FILE *o = E->out;
	char b[32];
	dur(E->typical ? x->typical_ms : x->worst_ms, b, sizeof b);
	fprintf(o, "%*s%s. %s", ind, "", num, s->id);
	if (s->title)
		fprintf(o, ": %s", s->title);
	fprintf(o, "\n");
	int d = ind + (int)strlen(num) + 2;
	if (s->kind == STEP_ACTION) {
		fprintf(o, "%*sdoes   %s (%s)", d, "", s->action_name ? s->action_name : "?",
			s->action ? catalog_effect_name(s->action->effect) : "unknown");
		if (s->action && s->action->opens)
			fprintf(o, ", OPENS '%s'", s->action->opens);
		if (s->action && s->action->closes)
			fprintf(o, ", closes '%s'", s->action->closes);
		fprintf(o, "\n");
	}
	if (s->for_each) {
		fprintf(o, "%*sfor    each %s in ", d, "", s->as ? s->as : "item");
		one_line(o, s->for_each->text, s->for_each->len);
		fprintf(o, " (%s, at most %d%s)\n", s->serial == 0 ? "all at once" : s->serial == 1 ? "one at a time" : "in batches",
			x->max_items, x->max_items_literal == LOOP_DEFAULT ? " assumed" : "");
	}
	if (s->nneeds) {
		fprintf(o, "%*safter ", d, "");
		for (size_t i = 0; i < s->nneeds; i++)
			fprintf(o, " %s", s->needs[i]);
		fprintf(o, "\n");
	}
	if (s->when)
		labelled(o, d, "only if ", s->when->text, s->when->len);
	for (size_t i = 0; i < s->nrequire; i++)
		labelled(o, d, "requires ", s->require[i].that.text, s->require[i].that.len);
	if (s->gate) {
		fprintf(o, "%*sASKS   ", d, "");
		if (s->gate->prompt && s->gate->prompt->str)
			prompt_line(E, s->gate->prompt);
		fprintf(o, " (skipped with --yes)\n");
	}
	for (size_t i = 0; i < s->nexpect; i++)
		labelled(o, d, "checks ", s->expect[i].that.text, s->expect[i].that.len);
	if (s->until) {
		char ev[32];
		dur(s->every_ms, ev, sizeof ev);
		fprintf(o, "%*spolls  every %s until ", d, "", ev);
		one_line(o, s->until->text, s->until->len);
		fprintf(o, "\n");
	}
	if (s->kind == STEP_ACTION && !E->typical) {
		const struct plan *p = E->g->plan;
		const struct plan_retry *r = s->retry.set ? &s->retry : &p->default_retry;
		char t[32];
		dur(s->timeout_ms ? s->timeout_ms : p->default_timeout_ms, t, sizeof t);
		fprintf(o, "%*stime   up to %s (%d attempt%s x %s timeout%s)\n", d, "", b, r->attempts,
			r->attempts == 1 ? "" : "s", t, r->attempts > 1 ? ", with retry delays" : "");
	} else {
		fprintf(o, "%*stime   %s %s\n", d, "", E->typical ? "about" : "up to", b);
	}
	char pf[160];
	if (s->within_ms) {
		char w[32];
		dur(s->within_ms, w, sizeof w);
		fprintf(o, "%*swindow must finish within %s%s\n", d, "", w,
			from_param(s->within_param, s->within_from, pf, sizeof pf));
	} else if (s->within_param) {
		fprintf(o, "%*swindow params.%s, which has no value: not proven (give -p %s=DURATION)\n", d, "",
			s->within_param, s->within_param);
	}
	if (s->timeout_param && s->timeout_ms) {
		char t[32];
		dur(s->timeout_ms, t, sizeof t);
		fprintf(o, "%*stimeout %s%s\n", d, "", t, from_param(s->timeout_param, s->timeout_from, pf, sizeof pf));
	}
	else if (s->timeout_param)
		fprintf(o, "%*stimeout params.%s, which has no value: the plan's default timeout is assumed\n", d, "",
			s->timeout_param);
	if (s->on_failure == ONFAIL_CONTINUE)
		fprintf(o, "%*sif it fails: carry on\n", d, "");
	if (x->nchildren)
		steps(E, x->children, x->nchildren, num, d);
	if (x->nonfail) {
		fprintf(o, "%*sif it fails: run these, then stop (finally runs)\n", d, "");
		char *p = xasprintf("%s!", num);
		steps(E, x->onfail, x->nonfail, p, d + 2);
		free(p);
	}
}

static void steps(const struct ex *E, struct graph_node **list, size_t n, const char *prefix, int ind)
{
	for (size_t i = 0; i < n; i++) {
		char *num = prefix ? xasprintf("%s.%zu", prefix, i + 1) : xasprintf("%zu", i + 1);
		step(E, list[i], num, ind);
		free(num);
	}
}

static void explain(const struct ex *E)
{
	const struct graph *g = E->g;
	const struct plan *p = g->plan;
	FILE *o = E->out;
	char w[32], t[32], f[32];
	fprintf(o, "Plan %s", p->name ? p->name : "(unnamed)");
	if (p->summary)
		fprintf(o, ": %s", p->summary);
	fprintf(o, "\nFile %s\n", p->file ? p->file : "-");
	params(E);
	dur(g->worst_ms, w, sizeof w);
	dur(g->typical_ms, t, sizeof t);
	dur(g->finally_worst_ms, f, sizeof f);
	fprintf(o, "Time: worst case %s, typical %s; finally adds up to %s (gates wait for a person and are not counted)\n",
		w, t, f);
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct plan_step *s = g->nodes[i]->step;
		if (s->kind != STEP_ACTION || !s->action || !s->action->opens)
			continue;
		fprintf(o, "Bracket '%s' opened by '%s', closed by:", s->action->opens, s->id);
		for (size_t j = 0; j < g->nnodes; j++) {
			const struct plan_step *c = g->nodes[j]->step;
			if (c->kind == STEP_ACTION && c->action && c->action->closes &&
			    !strcmp(c->action->closes, s->action->opens))
				fprintf(o, " '%s'%s", c->id, g->nodes[j]->ctx == GRAPH_FINALLY ? " (finally)" : "");
		}
		fprintf(o, "\n");
	}
	fprintf(o, "\nSteps, in order (%s durations):\n", E->typical ? "typical" : "worst-case");
	steps(E, g->top, g->ntop, NULL, 2);
	if (g->nfin) {
		fprintf(o, "\nFinally (after success, failure, a refused gate or Ctrl-C):\n");
		steps(E, g->fin, g->nfin, "F", 2);
	}
}

int cli_explain(int argc, char **argv)
{
	struct cli_plan_args a;
	int rc = cli_plan_parse(argc, argv, "pa", &a);
	if (rc != 0)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	if (a.assume && strcmp(a.assume, "typical") != 0 && strcmp(a.assume, "worst") != 0) {
		fprintf(stderr, "opsplan explain: --assume takes 'typical' or 'worst', not '%s'\n", a.assume);
		cli_params_release(&a.cp);
		return EXIT_USAGE;
	}
	struct diag_list d;
	int code;
	struct compiled *c = cli_plan_compile(&a, &d, &code);
	if (code == EXIT_OK) {
		struct ex E = {c->graph, a.assume && !strcmp(a.assume, "typical"), stdout};
		explain(&E);
		if (fflush(stdout) != 0)
			code = EXIT_USAGE;
	}
	cli_plan_release(&a, c, &d);
	return code;
}
