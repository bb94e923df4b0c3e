/* test_plan_check.c - durations, ids, and the AST plan_check builds: what the
 * later stages (expressions, graph, IR) read from it.  Which diagnostics a
 * plan gets is covered by the data corpus (tests/compiler/cases). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "diag.h"
#include "mem.h"
#include "plan.h"
#include "yaml_load.h"

struct ctx {
	struct diag_list d;
	struct ydoc *doc;
	struct plan *p;
};

static struct ctx *check(const char *text)
{
	struct ctx *c = xcalloc(1, sizeof *c);
	diag_init(&c->d);
	c->doc = yaml_load_mem("t.yaml", text, strlen(text), &c->d);
	c->p = plan_check(c->doc, &c->d);
	return c;
}

static void done(struct ctx *c)
{
	plan_free(c->p);
	diag_release(&c->d);
	yaml_load_free(c->doc);
	free(c);
}

static void dump(const struct ctx *c)
{
	for (size_t i = 0; i < c->d.n; i++)
		print_error("  %u:%u %s %s\n", c->d.items[i].loc.line, c->d.items[i].loc.col,
			    diag_code_name(c->d.items[i].code), c->d.items[i].msg);
}

static void clean(const struct ctx *c)
{
	if (c->d.n)
		dump(c);
	assert_int_equal(c->d.n, 0);
	assert_non_null(c->p);
}

/* ---- durations ------------------------------------------------------------ */

static void test_duration_parse(void **state)
{
	(void)state;
	static const struct { const char *s; int64_t ms; } ok[] = {
		{"250ms", 250}, {"90s", 90000}, {"5m", 300000}, {"1h30m", 5400000}, {"2h", 7200000},
		{"1.5s", 1500}, {"0s", 0}, {"1m30s", 90000}, {"1h2m3s4ms", 3723004}, {"0.25s", 250},
		{"10m", 600000}, {"744h", 744LL * 3600000}, {"1d", 86400000}, {"1d12h", 129600000},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int64_t got = plan_duration_parse(ok[i].s);
		if (got != ok[i].ms)
			print_error("'%s': %lld, want %lld\n", ok[i].s, (long long)got, (long long)ok[i].ms);
		assert_int_equal(got, ok[i].ms);
	}
	static const char *const bad[] = {
		"5", "", "m", "5x", "30m1h", "1h1h", "5 m", "-5s", "1.s", ".5s", "5sm", "1000h", "5mss",
		"h", "1e3s", " 5s", "5s ", "99999999999999999999h", "32d", "1h1d", "5w",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (plan_duration_parse(bad[i]) != -1)
			print_error("'%s' accepted\n", bad[i]);
		assert_int_equal(plan_duration_parse(bad[i]), -1);
	}
	assert_int_equal(plan_duration_parse(NULL), -1);
}

static void test_duration_format(void **state)
{
	(void)state;
	static const struct { int64_t ms; const char *s; } cases[] = {
		{0, "0ms"}, {250, "250ms"}, {1000, "1s"}, {1500, "1.5s"}, {1250, "1.25s"}, {1005, "1.005s"},
		{90000, "1m30s"}, {120000, "2m"}, {5400000, "1h30m"}, {7200000, "2h"}, {3723004, "1h2m3.004s"},
	};
	char buf[32];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		plan_duration_format(cases[i].ms, buf, sizeof buf);
		assert_string_equal(buf, cases[i].s);
		/* what format writes, parse reads back */
		assert_int_equal(plan_duration_parse(buf), cases[i].ms);
	}
	/* a small buffer truncates, never overflows */
	char tiny[4];
	plan_duration_format(5400000, tiny, sizeof tiny);
	assert_true(strlen(tiny) < sizeof tiny);
}

static void test_id_valid(void **state)
{
	(void)state;
	assert_true(plan_id_valid("a"));
	assert_true(plan_id_valid("no-auto-redeploy"));
	assert_true(plan_id_valid("step_2"));
	assert_false(plan_id_valid(""));
	assert_false(plan_id_valid(NULL));
	assert_false(plan_id_valid("A"));
	assert_false(plan_id_valid("1a"));
	assert_false(plan_id_valid("-a"));
	assert_false(plan_id_valid("a.b"));
	assert_false(plan_id_valid("a b"));
	assert_false(plan_id_valid("caf\xc3\xa9"));
	char id[80];
	memset(id, 'a', sizeof id);
	id[63] = '\0';
	assert_true(plan_id_valid(id));
	id[63] = 'a';
	id[64] = '\0';
	assert_false(plan_id_valid(id));
}

/* ---- the AST --------------------------------------------------------------- */

static void test_header_params_defaults(void **state)
{
	(void)state;
	struct ctx *c = check("opsplan: 1\n"
			      "name: demo\n"
			      "summary: s\n"
			      "params:\n"
			      "  cluster: {type: string, required: true, doc: scope}\n"
			      "  version: {type: string, default: \"2.0.1\", match: '^\\d+'}\n"
			      "  window: {type: duration, default: 10m}\n"
			      "  n: {type: integer, enum: [1, 2]}\n"
			      "  plain: {}\n"
			      "defaults: {timeout: 90s, retry: {attempts: 3, delay: 2s, backoff: 1.5}}\n"
			      "steps:\n"
			      "  - do: log\n"
			      "    with: {message: hi}\n");
	clean(c);
	struct plan *p = c->p;
	assert_int_equal(p->version, 1);
	assert_string_equal(p->name, "demo");
	assert_string_equal(p->summary, "s");
	assert_null(p->description);
	assert_int_equal(p->nparams, 5);
	assert_string_equal(p->params[0].name, "cluster");
	assert_int_equal(p->params[0].type, PARAM_STRING);
	assert_true(p->params[0].required);
	assert_string_equal(p->params[0].doc, "scope");
	assert_int_equal(p->params[0].loc.line, 5);
	assert_int_equal(p->params[0].loc.col, 3);
	assert_string_equal(p->params[1].def->str, "2.0.1");
	assert_string_equal(p->params[1].match, "^\\d+");
	assert_int_equal(p->params[1].match_loc.line, 6);
	assert_int_equal(p->params[2].type, PARAM_DURATION);
	assert_int_equal(p->params[3].type, PARAM_INTEGER);
	assert_int_equal(p->params[3].choices->nitems, 2);
	assert_int_equal(p->params[4].type, PARAM_STRING);   /* type defaults to string */
	assert_false(p->params[4].required);
	assert_int_equal(p->default_timeout_ms, 90000);
	assert_true(p->default_retry.set);
	assert_int_equal(p->default_retry.attempts, 3);
	assert_int_equal(p->default_retry.delay_ms, 2000);
	assert_true(p->default_retry.backoff > 1.49 && p->default_retry.backoff < 1.51);
	done(c);
}

static void test_defaults_when_absent(void **state)
{
	(void)state;
	struct ctx *c = check("opsplan: 1\nname: d\nsteps:\n  - do: log\n    with: {message: hi}\n");
	clean(c);
	assert_int_equal(c->p->default_timeout_ms, 120000);
	assert_false(c->p->default_retry.set);
	assert_int_equal(c->p->default_retry.attempts, 1);
	struct plan_step *s = c->p->steps[0];
	assert_string_equal(s->id, "step-1");
	assert_false(s->id_explicit);
	assert_int_equal(s->kind, STEP_ACTION);
	assert_ptr_equal(s->action, catalog_find("log"));
	assert_int_equal(s->on_failure, ONFAIL_ABORT);
	assert_int_equal(s->serial, 1);
	assert_string_equal(s->as, "item");
	assert_int_equal(s->timeout_ms, 0);
	assert_false(s->retry.set);
	done(c);
}

static void test_steps_and_keys(void **state)
{
	(void)state;
	struct ctx *c = check("opsplan: 1\n"
			      "name: d\n"
			      "steps:\n"
			      "  - id: members\n"
			      "    title: Members\n"
			      "    do: patroni.cluster\n"
			      "    with: {pod: p-0}\n"
			      "    timeout: 5m\n"
			      "    retry: 4\n"
			      "    until: result.pause\n"
			      "    require:\n"
			      "      - \"true\"\n"
			      "      - that: len(result.members) > 0\n"
			      "        else: none\n"
			      "    silence: {OP100: read only}\n"
			      "  - id: loop\n"
			      "    for_each: \"steps.members.result.members\"\n"
			      "    as: m\n"
			      "    serial: 0\n"
			      "    within: 10m\n"
			      "    needs: members\n"
			      "    on_failure: continue\n"
			      "    steps:\n"
			      "      - do: log\n"
			      "        with: {message: x}\n"
			      "        needs: [members, loop]\n"
			      "        gate: {prompt: Go?, show: [m.name, m.role]}\n"
			      "        on_failure:\n"
			      "          - do: log\n"
			      "            with: {message: failed}\n"
			      "finally:\n"
			      "  - do: log\n"
			      "    with: {message: bye}\n"
			      "    when: >-\n"
			      "      run.failed\n");
	clean(c);
	struct plan *p = c->p;
	assert_int_equal(p->nsteps, 2);
	struct plan_step *a = p->steps[0], *g = p->steps[1];
	assert_string_equal(a->id, "members");
	assert_true(a->id_explicit);
	assert_int_equal(a->id_loc.line, 4);
	assert_int_equal(a->id_loc.col, 9);
	assert_string_equal(a->title, "Members");
	assert_string_equal(a->action_name, "patroni.cluster");
	assert_int_equal(a->action_loc.col, 9);
	assert_non_null(a->with);
	assert_int_equal(a->timeout_ms, 300000);
	assert_true(a->retry.set);
	assert_int_equal(a->retry.attempts, 4);
	assert_non_null(a->until);
	assert_int_equal(a->every_ms, 2000);         /* default poll interval */
	assert_int_equal(a->nrequire, 2);
	assert_string_equal(a->require[0].that.text, "true");
	/* a quoted expression starts one column after its quote */
	assert_int_equal(a->require[0].that.base.line, 12);
	assert_int_equal(a->require[0].that.base.col, 10);
	assert_string_equal(a->require[1].that.text, "len(result.members) > 0");
	assert_int_equal(a->require[1].that.base.col, 15);
	assert_string_equal(a->require[1].else_msg->str, "none");
	assert_null(a->require[0].else_msg);
	assert_int_equal(a->nsilence, 1);
	assert_string_equal(diag_code_name(a->silence[0].code), "OP100");
	assert_string_equal(a->silence[0].reason, "read only");

	assert_int_equal(g->kind, STEP_GROUP);
	assert_string_equal(g->for_each->text, "steps.members.result.members");
	assert_int_equal(g->for_each->base.col, 16);
	assert_string_equal(g->as, "m");
	assert_int_equal(g->serial, 0);
	assert_int_equal(g->within_ms, 600000);
	assert_int_equal(g->within_loc.line, 20);
	assert_int_equal(g->nneeds, 1);
	assert_string_equal(g->needs[0], "members");
	assert_int_equal(g->on_failure, ONFAIL_CONTINUE);
	assert_int_equal(g->nsteps, 1);
	struct plan_step *in = g->steps[0];
	assert_ptr_equal(in->parent, g);
	assert_string_equal(in->id, "loop.1");
	assert_int_equal(in->nneeds, 2);
	assert_string_equal(in->needs[1], "loop");
	assert_int_equal(in->needs_loc[1].col, 26);
	assert_non_null(in->gate);
	assert_string_equal(in->gate->prompt->str, "Go?");
	assert_int_equal(in->gate->nshow, 2);
	assert_string_equal(in->gate->show[1].text, "m.role");
	assert_int_equal(in->on_failure, ONFAIL_STEPS);
	assert_int_equal(in->non_failure_steps, 1);
	assert_string_equal(in->on_failure_steps[0]->id, "loop.1.on_failure.1");
	assert_ptr_equal(in->on_failure_steps[0]->parent, in);

	assert_int_equal(p->nfinally, 1);
	struct plan_step *f = p->finally[0];
	assert_string_equal(f->id, "finally.1");
	/* a block scalar's text starts on the line after the indicator */
	assert_string_equal(f->when->text, "run.failed");
	assert_int_equal(f->when->base.line, 35);
	assert_int_equal(f->when->base.col, 7);
	assert_int_equal(f->when->loc.line, 34);
	done(c);
}

struct walk_log {
	char ids[16][32];
	size_t n;
	size_t stop_at;
};

static int record(struct plan_step *s, void *ctx)
{
	struct walk_log *w = ctx;
	snprintf(w->ids[w->n], sizeof w->ids[0], "%s", s->id);
	w->n++;
	return w->n == w->stop_at ? 7 : 0;
}

static void test_walk(void **state)
{
	(void)state;
	struct ctx *c = check("opsplan: 1\nname: w\n"
			      "steps:\n"
			      "  - id: a\n    steps:\n"
			      "      - id: b\n        do: log\n        with: {message: x}\n"
			      "        on_failure:\n          - id: c\n            do: log\n            with: {message: y}\n"
			      "      - id: d\n        do: log\n        with: {message: z}\n"
			      "  - id: e\n    do: log\n    with: {message: e}\n"
			      "finally:\n  - id: f\n    do: log\n    with: {message: f}\n");
	clean(c);
	struct walk_log w = {.stop_at = 99};
	assert_int_equal(plan_walk(c->p, record, &w), 0);
	assert_int_equal(w.n, 6);
	const char *order[] = {"a", "b", "c", "d", "e", "f"};
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(w.ids[i], order[i]);
	struct walk_log s = {.stop_at = 3};
	assert_int_equal(plan_walk(c->p, record, &s), 7);
	assert_int_equal(s.n, 3);
	assert_int_equal(plan_walk(NULL, record, &s), 0);
	done(c);
}

static void test_partial_plan_on_errors(void **state)
{
	(void)state;
	/* every problem reported, and what could be built is built */
	struct ctx *c = check("opsplan: 1\nname: x\n"
			      "steps:\n"
			      "  - id: one\n    do: nope\n    timeout: 5\n"
			      "  - id: two\n    do: log\n    with: {message: ok}\n    timeout: 5s\n");
	assert_non_null(c->p);
	assert_int_equal(diag_errors(&c->d), 2);
	assert_int_equal(c->p->nsteps, 2);
	assert_null(c->p->steps[0]->action);
	assert_string_equal(c->p->steps[0]->action_name, "nope");
	assert_int_equal(c->p->steps[0]->timeout_ms, 0);
	assert_int_equal(c->p->steps[1]->timeout_ms, 5000);
	done(c);
}

static void test_unusable_roots(void **state)
{
	(void)state;
	struct ctx *c = check("- a\n- b\n");
	assert_null(c->p);
	assert_int_equal(c->d.n, 1);
	assert_string_equal(diag_code_name(c->d.items[0].code), "OP021");
	done(c);
	c = check("opsplan: [\n");   /* does not load: nothing to check */
	assert_null(c->doc->root);
	assert_null(c->p);
	done(c);
	assert_null(plan_check(NULL, NULL));
	plan_free(NULL);
}

static void test_hostile_sizes(void **state)
{
	(void)state;
	/* many steps, all with the same id: each duplicate reported, no blow-up */
	struct strbuf b = {0};
	sb_puts(&b, "opsplan: 1\nname: big\nsteps:\n");
	for (int i = 0; i < 2000; i++)
		sb_puts(&b, "  - {id: same, do: log, with: {message: x}}\n");
	struct ctx *c = check(b.s);
	assert_non_null(c->p);
	assert_int_equal(c->p->nsteps, 2000);
	assert_int_equal(diag_errors(&c->d), 1999);
	done(c);
	sb_release(&b);
}

/* within:/timeout: naming a duration param: plan_check records the name and
 * leaves the value to ir_params_bind; only the exact form is accepted, with
 * spaces or quotes around it. */
static void test_duration_from_param(void **state)
{
	(void)state;
	struct ctx *c = check("opsplan: 1\nname: t\nparams:\n  w: {type: duration, default: 5m}\n"
			      "  t1: {type: duration, default: 20s}\nsteps:\n"
			      "  - id: a\n    do: log\n    with: {message: a}\n"
			      "    within: ${{ params.w }}\n    timeout: \"${{params.t1}}\"\n"
			      "  - id: b\n    do: log\n    with: {message: b}\n    within: '  ${{ params.w }}  '\n"
			      "    timeout: 45s\n");
	clean(c);
	const struct plan_step *a = c->p->steps[0], *b = c->p->steps[1];
	assert_string_equal(a->within_param, "w");
	assert_string_equal(a->timeout_param, "t1");
	assert_int_equal(a->within_ms, 0);    /* bound later, from -p or the default */
	assert_int_equal(a->timeout_ms, 0);
	assert_int_equal(a->within_loc.line, 10);
	assert_int_equal(a->timeout_loc.line, 11);
	assert_string_equal(b->within_param, "w");
	assert_null(b->timeout_param);
	assert_int_equal(b->timeout_ms, 45000);
	done(c);

	static const struct {
		const char *value;
		const char *code;
		unsigned col;
	} bad[] = {
		{"${{ params.w + 1s }}", "OP024", 13},
		{"${{ params.nope }}", "OP052", 24},
		{"${{ params.s }}", "OP054", 24},
		{"${{ steps.a.duration }}", "OP024", 13},
		{"x ${{ params.w }}", "OP024", 13},
		{"'${{ params.s }}'", "OP054", 25},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *text = xasprintf("opsplan: 1\nname: t\nparams:\n  w: {type: duration, default: 5m}\n"
				       "  s: {type: string, default: x}\nsteps:\n"
				       "  - id: a\n    do: log\n    with: {message: a}\n    within: %s\n", bad[i].value);
		c = check(text);
		if (c->d.n != 1 || strcmp(diag_code_name(c->d.items[0].code), bad[i].code) != 0 ||
		    c->d.items[0].loc.line != 10 || c->d.items[0].loc.col != bad[i].col) {
			dump(c);
			fail_msg("within: %s: want one %s at 10:%u", bad[i].value, bad[i].code, bad[i].col);
		}
		assert_null(c->p->steps[0]->within_param);
		done(c);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_duration_format),
		cmocka_unit_test(test_id_valid),
		cmocka_unit_test(test_header_params_defaults),
		cmocka_unit_test(test_defaults_when_absent),
		cmocka_unit_test(test_steps_and_keys),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_partial_plan_on_errors),
		cmocka_unit_test(test_unusable_roots),
		cmocka_unit_test(test_hostile_sizes),
		cmocka_unit_test(test_duration_from_param),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
