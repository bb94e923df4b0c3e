/* test_action.c - the executor without a cluster: every catalog action has
 * an implementation (and nothing else does), result shapes are checked
 * against the catalog, the IR loader refuses tampered IRs, and the scheduler
 * runs the cluster-free actions (log, sleep, confirm) through when, retry,
 * for_each, on_failure, gates and finally, journaling each step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "action.h"
#include "catalog.h"
#include "cli.h"
#include "compile.h"
#include "diag.h"
#include "graph.h"
#include "ir.h"
#include "ir_load.h"
#include "journal.h"
#include "mem.h"
#include "progress.h"
#include "sched.h"

static void test_every_catalog_action_has_an_implementation(void **state)
{
	(void)state;
	size_t n, m;
	const struct action *a = catalog_all(&n);
	for (size_t i = 0; i < n; i++) {
		if (!action_impl_find(a[i].name))
			print_error("catalog action '%s' has no implementation\n", a[i].name);
		assert_non_null(action_impl_find(a[i].name));
	}
	const struct action_impl *im = action_impl_all(&m);
	assert_int_equal(n, m);
	for (size_t i = 0; i < m; i++)
		assert_non_null(catalog_find(im[i].name));
}

static void test_result_check(void **state)
{
	(void)state;
	const struct action *c = catalog_find("patroni.cluster");
	char err[256];
	json_t *ok = json_loads("{\"members\":[{\"name\":\"a\",\"role\":\"leader\",\"state\":\"running\",\"host\":\"h\","
				"\"port\":5432,\"api_url\":\"u\",\"timeline\":1,\"lag\":0,\"lag_mb\":0,"
				"\"pending_restart\":false,\"tags\":{}}],\"leader\":\"a\",\"pause\":false,\"scope\":\"s\"}",
				0, NULL);
	assert_non_null(ok);
	assert_int_equal(action_result_check(c->result, ok, err, sizeof err), 0);
	/* optional: a null leader and lag are fine */
	json_object_set_new(ok, "leader", json_null());
	json_object_set_new(json_array_get(json_object_get(ok, "members"), 0), "lag", json_null());
	assert_int_equal(action_result_check(c->result, ok, err, sizeof err), 0);
	/* required: pause must be a bool */
	json_object_set_new(ok, "pause", json_string("no"));
	assert_int_equal(action_result_check(c->result, ok, err, sizeof err), -1);
	assert_non_null(strstr(err, "pause"));
	json_object_set_new(ok, "pause", json_false());
	/* a member's name missing is reported with its path */
	json_object_del(json_array_get(json_object_get(ok, "members"), 0), "name");
	assert_int_equal(action_result_check(c->result, ok, err, sizeof err), -1);
	assert_non_null(strstr(err, "members[0].name"));
	json_decref(ok);
}

static char *compile_text(const char *yaml, const char *const *params, size_t np)
{
	struct compile_opts o = {params, np, 1};
	struct diag_list d;
	diag_init(&d);
	struct compiled *c = compile_mem("t.yaml", yaml, strlen(yaml), &o, &d);
	if (diag_errors(&d))
		diag_print(&d, DIAG_TEXT, 0, stderr);
	assert_int_equal(diag_errors(&d), 0);
	assert_non_null(c->graph);
	char *ir = ir_emit(c->graph);
	compile_free(c);
	diag_release(&d);
	return ir;
}

static const char plan_misc[] =
	"opsplan: 1\n"
	"name: misc\n"
	"params:\n"
	"  items: {type: list, default: [a, b, c]}\n"
	"  skip: {type: boolean, default: true}\n"
	"steps:\n"
	"  - id: hello\n"
	"    do: log\n"
	"    with: {message: \"hello ${{ params.items[0] }}\"}\n"
	"  - id: skipped\n"
	"    do: log\n"
	"    when: \"!params.skip\"\n"
	"    with: {message: never}\n"
	"  - id: each\n"
	"    for_each: params.items\n"
	"    as: it\n"
	"    do: log\n"
	"    with: {message: \"item ${{ it }}\"}\n"
	"    expect:\n"
	"      - result.message == \"item \" + it\n"
	"  - id: flaky\n"
	"    do: sleep\n"
	"    with: {duration: 10ms}\n"
	"    retry: {attempts: 3, delay: 10ms, backoff: 2}\n"
	"    on_failure: continue\n"
	"    expect:\n"
	"      - that: result.slept > 100\n"
	"        else: too short\n"
	"  - id: asked\n"
	"    gate: \"go on after ${{ steps.hello.result.message }}?\"\n"
	"    do: log\n"
	"    with: {message: after the gate}\n"
	"finally:\n"
	"  - id: bye\n"
	"    do: log\n"
	"    with: {message: bye}\n";

static void test_ir_load_checks_version_and_hash(void **state)
{
	(void)state;
	char *ir = compile_text(plan_misc, NULL, 0);
	struct ir_plan *p = NULL;
	char err[512];
	assert_int_equal(ir_load(&p, ir, strlen(ir), err, sizeof err), 0);
	assert_string_equal(p->name, "misc");
	assert_int_equal(p->nsteps, 5);
	assert_int_equal(p->nfinally, 1);
	assert_non_null(p->steps[2].for_each.e);
	assert_string_equal(p->steps[2].as, "it");
	assert_int_equal(p->steps[3].attempts, 3);
	assert_int_equal(p->steps[3].on_failure, IR_ONFAIL_CONTINUE);
	assert_non_null(p->steps[4].gate_prompt.t);
	ir_plan_free(p);
	/* one changed byte after the hash line */
	char *bad = xstrdup(ir);
	char *m = strstr(bad, "\"misc\"");
	m[1] = 'n';
	assert_int_equal(ir_load(&p, bad, strlen(bad), err, sizeof err), -1);
	assert_null(p);
	assert_non_null(strstr(err, "hash"));
	free(bad);
	bad = xstrdup(ir);
	m = strstr(bad, "\"ir_version\": 1");
	m[14] = '9';
	assert_int_equal(ir_load(&p, bad, strlen(bad), err, sizeof err), -1);
	assert_non_null(strstr(err, "version"));
	free(bad);
	assert_int_equal(ir_load(&p, "{", 1, err, sizeof err), -1);
	free(ir);
}

struct run {
	char dir[64];
	struct journal_records rec;
	int code;
};

static void run_plan(struct run *r, const char *yaml, int yes)
{
	char *ir = compile_text(yaml, NULL, 0);
	struct ir_plan *p = NULL;
	char err[512];
	assert_int_equal(ir_load(&p, ir, strlen(ir), err, sizeof err), 0);
	snprintf(r->dir, sizeof r->dir, "/tmp/test_action.XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	struct journal *j = NULL;
	struct journal_err je;
	assert_int_equal(journal_create(&j, r->dir, "run-1", &je), 0);
	FILE *devnull = fopen("/dev/null", "w");
	struct progress *pg = progress_new(PROGRESS_PLAIN, devnull);
	static volatile sig_atomic_t abort_waits, signals;
	struct sched_opts o = {0};
	o.plan = p;
	o.ns = "ns";
	o.cluster = "c";
	o.run_id = "run-1";
	o.yes = yes;
	o.j = j;
	o.pg = pg;
	o.abort_waits = &abort_waits;
	o.signals = &signals;
	r->code = sched_exit_code(sched_run(&o));
	progress_free(pg);
	fclose(devnull);
	char *path = xstrdup(journal_path(j));
	journal_close(j);
	memset(&r->rec, 0, sizeof r->rec);
	assert_int_equal(journal_load(path, &r->rec, &je), 0);
	unlink(path);
	rmdir(r->dir);
	free(path);
	ir_plan_free(p);
	free(ir);
}

static const char *end_status(struct run *r, const char *step, long long item)
{
	const struct journal_record *e = journal_step_end(&r->rec, step, item);
	return e ? json_string_value(json_object_get(e->data, "status")) : NULL;
}

static void test_sched_features_with_yes(void **state)
{
	(void)state;
	struct run r;
	run_plan(&r, plan_misc, 1);
	/* flaky fails, but its on_failure is continue: the plan accepted that */
	assert_int_equal(r.code, EXIT_OK);
	assert_string_equal(end_status(&r, "hello", -1), "ok");
	assert_string_equal(end_status(&r, "skipped", -1), "skipped");
	assert_string_equal(end_status(&r, "each", 0), "ok");
	assert_string_equal(end_status(&r, "each", 2), "ok");
	assert_string_equal(end_status(&r, "each", -1), "ok");
	const struct journal_record *f = journal_step_end(&r.rec, "flaky", -1);
	assert_non_null(f);
	assert_string_equal(json_string_value(json_object_get(f->data, "status")), "failed");
	assert_int_equal(json_integer_value(json_object_get(f->data, "attempts")), 3);
	assert_string_equal(json_string_value(json_object_get(f->data, "error")), "too short");
	assert_string_equal(end_status(&r, "asked", -1), "ok");
	assert_string_equal(end_status(&r, "bye", -1), "ok");
	/* the loop's result is the list of its items' results */
	const struct journal_record *e = journal_step_end(&r.rec, "each", -1);
	assert_int_equal(json_array_size(json_object_get(e->data, "result")), 3);
	journal_records_release(&r.rec);
}

static void test_gate_without_terminal_stops(void **state)
{
	(void)state;
	struct run r;
	run_plan(&r, plan_misc, 0);
	assert_int_equal(r.code, EXIT_STOPPED);
	assert_null(end_status(&r, "asked", -1) && !strcmp(end_status(&r, "asked", -1), "ok") ? "ran" : NULL);
	/* finally still ran */
	assert_string_equal(end_status(&r, "bye", -1), "ok");
	const struct journal_record *g = NULL;
	for (const struct journal_record *p = journal_next(&r.rec, JOURNAL_GATE, NULL); p;
	     p = journal_next(&r.rec, JOURNAL_GATE, p))
		g = p;
	assert_non_null(g);
	assert_string_equal(json_string_value(json_object_get(g->data, "state")), "stopped");
	assert_string_equal(json_string_value(json_object_get(g->data, "question")), "go on after hello a?");
	journal_records_release(&r.rec);
}

static const char plan_loops[] =
	"opsplan: 1\n"
	"name: loops\n"
	"steps:\n"
	"  - id: wide\n"
	"    for_each: \"[1, 2, 3, 4]\"\n"
	"    serial: 0\n"
	"    do: sleep\n"
	"    with: {duration: 300ms}\n"
	"  - id: pairs\n"
	"    for_each: \"[1, 2, 3, 4]\"\n"
	"    serial: 2\n"
	"    steps:\n"
	"      - id: nap\n"
	"        do: sleep\n"
	"        with: {duration: 300ms}\n"
	"      - id: say\n"
	"        do: log\n"
	"        with: {message: \"item ${{ item }} slept ${{ steps.nap.result.slept }}\"}\n"
	"  - id: narrow\n"
	"    for_each: \"[1, 2, 3]\"\n"
	"    serial: 1\n"
	"    do: sleep\n"
	"    with: {duration: 300ms}\n"
	/* each item naps first, so item 2's failure is known (at ~200 ms) well
	 * before a worker could reach item 6 (at ~400 ms at the earliest) */
	"  - id: stop-early\n"
	"    for_each: \"[1, 2, 3, 4, 5, 6]\"\n"
	"    serial: 2\n"
	"    on_failure: continue\n"
	"    steps:\n"
	"      - id: doze\n"
	"        do: sleep\n"
	"        with: {duration: 200ms}\n"
	"      - id: tell\n"
	"        do: log\n"
	"        with: {message: \"n${{ item }}\"}\n"
	"        expect:\n"
	"          - result.message != \"n2\"\n";

static long long loop_ms(struct run *r, const char *step)
{
	const struct journal_record *e = journal_step_end(&r->rec, step, -1);
	assert_non_null(e);
	return json_integer_value(json_object_get(e->data, "duration_ms"));
}

/* serial: N items at a time in threads; 0 all at once; 1 one by one */
static void test_loop_serial_width(void **state)
{
	(void)state;
	struct run r;
	run_plan(&r, plan_loops, 1);
	assert_int_equal(r.code, EXIT_OK);
	long long wide = loop_ms(&r, "wide"), pairs = loop_ms(&r, "pairs"), narrow = loop_ms(&r, "narrow");
	print_message("wide %lld ms, pairs %lld ms, narrow %lld ms\n", wide, pairs, narrow);
	assert_true(wide >= 290 && wide < 750);      /* 4 x 300 ms at once */
	assert_true(pairs >= 590 && pairs < 1050);   /* 2 waves of 2 */
	assert_true(narrow >= 890);                  /* one after the other */
	for (long long i = 0; i < 4; i++) {
		assert_string_equal(end_status(&r, "wide", i), "ok");
		assert_string_equal(end_status(&r, "nap", i), "ok");
		assert_string_equal(end_status(&r, "say", i), "ok");
	}
	/* each item saw its own nap, not another thread's */
	for (long long i = 0; i < 4; i++) {
		const struct journal_record *e = journal_step_end(&r.rec, "say", i);
		const char *m = json_string_value(json_object_get(json_object_get(e->data, "result"), "message"));
		char want[32];
		snprintf(want, sizeof want, "item %lld slept", i + 1);
		assert_non_null(m);
		assert_int_equal(strncmp(m, want, strlen(want)), 0);
	}
	/* the loop's result keeps the items' order */
	const struct journal_record *w = journal_step_end(&r.rec, "wide", -1);
	assert_int_equal(json_array_size(json_object_get(w->data, "result")), 4);
	/* after a failure no new item starts: item 2 (index 1) fails; 6 never runs */
	assert_string_equal(end_status(&r, "stop-early", 1), "failed");
	assert_null(end_status(&r, "stop-early", 5));
	assert_string_equal(end_status(&r, "stop-early", -1), "failed");
	journal_records_release(&r.rec);
}

/* k8s.wait for: expression refuses a missing or misplaced 'that', and a
 * 'for' outside the catalog's choices, before it touches the cluster (there
 * is none here) */
static void test_wait_expression_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *with, *err;
	} cases[] = {
		{"{\"kind\": \"Pod\", \"name\": \"db-0\", \"for\": \"expression\"}", "needs 'that'"},
		/* text the IR loader did not parse: nothing to evaluate */
		{"{\"kind\": \"Pod\", \"name\": \"db-0\", \"for\": \"expression\", \"that\": \"true\"}",
		 "needs 'that'"},
		{"{\"kind\": \"Pod\", \"name\": \"db-0\", \"for\": \"ready\", \"that\": \"true\"}",
		 "only read with 'for: expression', not 'for: ready'"},
		{"{\"kind\": \"Pod\", \"name\": \"db-0\", \"for\": \"expresion\"}", "or expression"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *with = json_loads(cases[i].with, 0, NULL);
		assert_non_null(with);
		struct action_ctx cx = {0};
		cx.action = catalog_find("k8s.wait");
		cx.memo = json_object();
		json_t *result = NULL;
		assert_int_equal(action_k8s_wait(&cx, with, &result), ACTION_FAILED);
		assert_null(result);
		if (!strstr(cx.err, cases[i].err))
			print_error("case %zu: '%s' does not contain '%s'\n", i, cx.err, cases[i].err);
		assert_non_null(strstr(cx.err, cases[i].err));
		json_decref(cx.memo);
		json_decref(with);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_catalog_action_has_an_implementation),
		cmocka_unit_test(test_result_check),
		cmocka_unit_test(test_ir_load_checks_version_and_hash),
		cmocka_unit_test(test_sched_features_with_yes),
		cmocka_unit_test(test_gate_without_terminal_stops),
		cmocka_unit_test(test_loop_serial_width),
		cmocka_unit_test(test_wait_expression_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
