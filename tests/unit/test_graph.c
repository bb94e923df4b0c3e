/* test_graph.c - the step graph, its order and the "has run before"
 * relation, cycles, the timing bounds, the bracket guard rule and the
 * renderings.  Plans are compiled from small YAML texts with compile_mem
 * (the whole front end), so each test states its plan where it is used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "diag.h"
#include "graph.h"
#include "mem.h"
#include "plan.h"

struct fx {
	struct diag_list d;
	struct compiled *c;
};

static struct fx *build(const char *yaml)
{
	struct fx *f = xcalloc(1, sizeof *f);
	diag_init(&f->d);
	f->c = compile_mem("t.yaml", yaml, strlen(yaml), NULL, &f->d);
	return f;
}

static void done(struct fx *f)
{
	compile_free(f->c);
	diag_release(&f->d);
	free(f);
}

static int count_code(const struct fx *f, const char *code)
{
	int n = 0;
	for (size_t i = 0; i < f->d.n; i++)
		n += strcmp(diag_code_name(f->d.items[i].code), code) == 0;
	return n;
}

static struct graph_node *N(const struct fx *f, const char *id)
{
	struct graph_node *n = graph_find(f->c->graph, id);
	if (!n)
		fail_msg("no step '%s'", id);
	return n;
}

#define HEAD "opsplan: 1\nname: t\nsteps:\n"
#define LOG(id) "  - id: " id "\n    do: log\n    with: {message: " id "}\n"

static void test_sequence_and_before(void **state)
{
	(void)state;
	struct fx *f = build(HEAD LOG("a") LOG("b") LOG("c"));
	assert_int_equal(f->d.errors, 0);
	struct graph *g = f->c->graph;
	assert_int_equal(g->ntop, 3);
	assert_string_equal(g->top[0]->step->id, "a");
	assert_int_equal(N(f, "a")->ndeps, 0);
	assert_int_equal(N(f, "b")->ndeps, 1);
	assert_ptr_equal(N(f, "b")->deps[0], N(f, "a"));
	assert_true(graph_before(g, N(f, "a"), N(f, "c")));   /* transitive */
	assert_false(graph_before(g, N(f, "c"), N(f, "a")));
	assert_false(graph_before(g, N(f, "b"), N(f, "b")));
	done(f);
}

static void test_needs_reorder(void **state)
{
	(void)state;
	/* b needs c, c needs a: a, c, b */
	struct fx *f = build(HEAD LOG("a") "  - id: b\n    do: log\n    with: {message: b}\n    needs: [c]\n"
			     "  - id: c\n    do: log\n    with: {message: c}\n    needs: [a]\n");
	assert_int_equal(f->d.errors, 0);
	struct graph *g = f->c->graph;
	assert_string_equal(g->top[0]->step->id, "a");
	assert_string_equal(g->top[1]->step->id, "c");
	assert_string_equal(g->top[2]->step->id, "b");
	assert_true(graph_before(g, N(f, "c"), N(f, "b")));
	done(f);
}

static void test_fan_out_not_before(void **state)
{
	(void)state;
	struct fx *f = build(HEAD LOG("a") "  - id: b\n    do: log\n    with: {message: b}\n    needs: [a]\n"
			     "  - id: c\n    do: log\n    with: {message: c}\n    needs: [a]\n");
	struct graph *g = f->c->graph;
	assert_true(graph_before(g, N(f, "a"), N(f, "c")));
	assert_false(graph_before(g, N(f, "b"), N(f, "c")));   /* may run at once */
	assert_false(graph_before(g, N(f, "c"), N(f, "b")));
	done(f);
}

static void test_groups_finally_onfail(void **state)
{
	(void)state;
	struct fx *f = build(HEAD LOG("a")
			     "  - id: g\n    steps:\n      - id: in1\n        do: log\n        with: {message: x}\n"
			     "      - id: in2\n        do: log\n        with: {message: y}\n"
			     "    on_failure:\n      - id: h\n        do: log\n        with: {message: h}\n"
			     LOG("z")
			     "finally:\n  - id: f1\n    do: log\n    with: {message: f}\n"
			     "  - id: f2\n    do: log\n    with: {message: f}\n");
	assert_int_equal(f->d.errors, 0);
	struct graph *g = f->c->graph;
	assert_true(graph_before(g, N(f, "a"), N(f, "in2")));   /* outer earlier step */
	assert_true(graph_before(g, N(f, "in1"), N(f, "in2")));
	assert_true(graph_before(g, N(f, "in2"), N(f, "z")));    /* inside an earlier group */
	assert_false(graph_before(g, N(f, "g"), N(f, "in1")));   /* encloses */
	assert_true(graph_before(g, N(f, "g"), N(f, "h")));      /* handler after its owner */
	assert_false(graph_before(g, N(f, "in2"), N(f, "h")));   /* may have failed before it */
	assert_false(graph_before(g, N(f, "a"), N(f, "f1")));    /* finally: main may not have run */
	assert_true(graph_before(g, N(f, "f1"), N(f, "f2")));
	assert_int_equal(N(f, "h")->ctx, GRAPH_ON_FAILURE);
	assert_int_equal(N(f, "f1")->ctx, GRAPH_FINALLY);
	assert_true(graph_encloses(N(f, "g"), N(f, "in1")));
	assert_ptr_equal(N(f, "in1")->step->parent, N(f, "g")->step);
	done(f);
}

/* ---- graph_before against its definition, on random plans ---- */

static int in_onfail(const struct graph_node *x)
{
	for (size_t i = 0; x->parent && i < x->parent->nonfail; i++)
		if (x->parent->onfail[i] == x)
			return 1;
	return 0;
}

static size_t depth_of(const struct graph_node *x)
{
	size_t d = 0;
	for (; x->parent; x = x->parent)
		d++;
	return d;
}

/* a in the transitive deps of b, never through a node in a cycle. */
static int ref_reach(const struct graph_node *a, const struct graph_node *b, char *seen, size_t n)
{
	if (b->in_cycle || seen[b->doc_index])
		return 0;
	seen[b->doc_index] = 1;
	for (size_t i = 0; i < b->ndeps; i++)
		if (b->deps[i] == a || ref_reach(a, b->deps[i], seen, n))
			return 1;
	return 0;
}

/* graph.h's definition, spelled out without shortcuts. */
static int ref_before(const struct graph *g, const struct graph_node *a, const struct graph_node *b)
{
	if (a == b || graph_encloses(b, a))
		return 0;
	for (const struct graph_node *x = b; x->parent; x = x->parent)
		if (x->parent == a)
			return in_onfail(x);
	const struct graph_node *A = a, *B = b;
	while (depth_of(A) > depth_of(B))
		A = A->parent;
	while (depth_of(B) > depth_of(A))
		B = B->parent;
	while (A->parent != B->parent) {
		A = A->parent;
		B = B->parent;
	}
	if (A == B || in_onfail(A) != in_onfail(B) || A->ctx != B->ctx)
		return 0;
	char *seen = xcalloc(g->nnodes + 1, 1);
	int r = ref_reach(A, B, seen, g->nnodes);
	free(seen);
	return r;
}

static void rand_needs(struct strbuf *sb, unsigned *seed, const char *prefix, int n, int ind)
{
	if (rand_r(seed) % 3)
		return;
	sb_printf(sb, "%*sneeds: [%s%d", ind, "", prefix, rand_r(seed) % n);
	if (rand_r(seed) % 2)
		sb_printf(sb, ", %s%d", prefix, rand_r(seed) % n);
	sb_printf(sb, "]\n");
}

static void test_before_matches_definition(void **state)
{
	(void)state;
	for (unsigned round = 0; round < 12; round++) {
		unsigned seed = 7919 * (round + 1);
		int n = 20 + (int)(rand_r(&seed) % 40);
		struct strbuf sb = {0};
		sb_printf(&sb, "opsplan: 1\nname: t\nsteps:\n");
		for (int i = 0; i < n; i++) {
			sb_printf(&sb, "  - id: s%d\n", i);
			if (i % 5 == 4) {
				sb_printf(&sb, "    steps:\n");
				for (int k = 0; k < 4; k++) {
					sb_printf(&sb, "      - id: s%d-c%d\n        do: log\n        with: {message: x}\n", i, k);
					char pre[32];
					snprintf(pre, sizeof pre, "s%d-c", i);
					rand_needs(&sb, &seed, pre, 4, 8);
				}
			} else {
				sb_printf(&sb, "    do: log\n    with: {message: x}\n");
			}
			if (i % 7 == 3)
				sb_printf(&sb, "    on_failure:\n      - id: s%d-h0\n        do: log\n        with: {message: h}\n"
					       "      - id: s%d-h1\n        do: log\n        with: {message: h}\n", i, i);
			rand_needs(&sb, &seed, "s", n, 4);
		}
		sb_printf(&sb, "finally:\n  - id: f0\n    do: log\n    with: {message: f}\n"
			       "  - id: f1\n    do: log\n    with: {message: f}\n");
		struct fx *f = build(sb.s);
		struct graph *g = f->c->graph;
		assert_non_null(g);
		size_t agree = 0, yes = 0;
		for (size_t i = 0; i < g->nnodes; i++)
			for (size_t j = 0; j < g->nnodes; j++) {
				int want = ref_before(g, g->nodes[i], g->nodes[j]);
				int got = graph_before(g, g->nodes[i], g->nodes[j]);
				if (want != got)
					fail_msg("round %u: graph_before(%s, %s) = %d, the definition says %d\n%s", round,
						 g->nodes[i]->step->id, g->nodes[j]->step->id, got, want, sb.s);
				agree++;
				yes += (size_t)want;
			}
		/* the plans are not trivial: some pairs are ordered, some not */
		assert_true(yes > 0 && yes < agree);
		done(f);
		sb_release(&sb);
	}
}

static void test_cycle_marks_nodes(void **state)
{
	(void)state;
	struct fx *f = build(HEAD LOG("a") "  - id: b\n    do: log\n    with: {message: b}\n    needs: [c]\n"
			     "  - id: c\n    do: log\n    with: {message: c}\n    needs: [b]\n" LOG("d"));
	assert_int_equal(count_code(f, "OP081"), 1);
	assert_true(N(f, "b")->in_cycle);
	assert_true(N(f, "c")->in_cycle);
	assert_true(N(f, "d")->in_cycle);    /* behind the cycle: never runs */
	assert_false(N(f, "a")->in_cycle);
	assert_int_equal(f->c->graph->ntop, 4);   /* nothing lost */
	done(f);
}

static void test_unknown_need_suggests(void **state)
{
	(void)state;
	struct fx *f = build(HEAD LOG("healthy") "  - id: b\n    do: log\n    with: {message: b}\n    needs: [helthy]\n");
	assert_int_equal(count_code(f, "OP080"), 1);
	for (size_t i = 0; i < f->d.n; i++)
		if (f->d.items[i].code == OP080) {
			assert_int_equal(f->d.items[i].nhints, 1);
			assert_string_equal(f->d.items[i].hints[0], "did you mean 'healthy'");
			assert_int_equal(f->d.items[i].loc.line, 10);   /* the needs: line */
		}
	done(f);
}

#define SLEEP(id, extra) "  - id: " id "\n    do: sleep\n    with: {duration: 1s}\n" extra

static void test_timing_action(void **state)
{
	(void)state;
	struct fx *f = build(HEAD SLEEP("a", "    timeout: 1m\n    retry: {attempts: 3, delay: 10s, backoff: 2}\n")
			     SLEEP("b", "    timeout: 30s\n    retry: {attempts: 1}\n"));
	assert_int_equal(f->d.errors, 0);
	/* 3 x 60s + 10s + 20s */
	assert_int_equal(N(f, "a")->worst_ms, 210000);
	assert_int_equal(N(f, "b")->worst_ms, 30000);
	assert_int_equal(f->c->graph->worst_ms, 240000);
	assert_int_equal(N(f, "a")->typical_ms, graph_timing_typical_action("sleep"));
	done(f);
}

static void test_timing_loops(void **state)
{
	(void)state;
	struct fx *f = build("opsplan: 1\nname: t\nparams:\n  names: {type: list, default: [a, b]}\nsteps:\n"
			     SLEEP("lit", "    for_each: '[\"a\", \"b\", \"c\"]'\n    timeout: 1m\n    retry: {attempts: 1}\n")
			     SLEEP("dflt", "    for_each: params.names\n    timeout: 1m\n    retry: {attempts: 1}\n")
			     SLEEP("req", "    for_each: filter(params.names, n => n != \"x\")\n    require:\n"
				   "      - that: len(params.names) <= 4\n    timeout: 1m\n    retry: {attempts: 1}\n")
			     SLEEP("all", "    for_each: params.names\n    serial: 0\n    timeout: 1m\n    retry: {attempts: 1}\n")
			     SLEEP("two", "    for_each: '[1, 2, 3]'\n    serial: 2\n    timeout: 1m\n    retry: {attempts: 1}\n"));
	assert_int_equal(f->d.errors, 0);
	assert_int_equal(N(f, "lit")->max_items, 3);
	assert_int_equal(N(f, "lit")->max_items_literal, LOOP_LITERAL);
	assert_int_equal(N(f, "lit")->worst_ms, 180000);
	assert_int_equal(N(f, "dflt")->max_items, GRAPH_LOOP_DEFAULT_ITEMS);
	assert_int_equal(N(f, "dflt")->max_items_literal, LOOP_DEFAULT);
	assert_int_equal(N(f, "dflt")->worst_ms, 60000 * GRAPH_LOOP_DEFAULT_ITEMS);
	assert_int_equal(N(f, "req")->max_items, 4);
	assert_int_equal(N(f, "req")->max_items_literal, LOOP_REQUIRE);
	assert_int_equal(N(f, "all")->worst_ms, 60000);
	assert_int_equal(N(f, "two")->worst_ms, 120000);   /* ceil(3/2) rounds */
	done(f);
}

static void test_timing_group_and_window(void **state)
{
	(void)state;
	struct fx *f = build(HEAD "  - id: g\n    within: 100s\n    steps:\n"
			     "      - id: a\n        do: sleep\n        with: {duration: 1s}\n        timeout: 40s\n        retry: {attempts: 1}\n"
			     "      - id: b\n        do: sleep\n        with: {duration: 1s}\n        timeout: 70s\n        retry: {attempts: 1}\n");
	assert_int_equal(N(f, "g")->worst_ms, 110000);
	assert_int_equal(count_code(f, "OP086"), 1);
	assert_non_null(strstr(f->d.items[0].msg, "'b' alone can take"));
	done(f);
}

static void test_bracket_guards(void **state)
{
	(void)state;
	struct fx *f = build(HEAD "  - id: p\n    do: patroni.pause\n    with: {pod: p-0}\n"
			     "finally:\n"
			     "  - id: r1\n    do: patroni.resume\n    with: {pod: p-0}\n    when: '\"maintenance\" in run.opened'\n"
			     "  - id: r2\n    do: patroni.resume\n    with: {pod: p-0}\n    when: run.dry_run\n"
			     "  - id: r3\n    do: patroni.resume\n    with: {pod: p-0}\n    when: 'run.dry_run || \"maintenance\" in run.opened'\n"
			     "  - id: r4\n    do: patroni.resume\n    with: {pod: p-0}\n    when: '\"other\" in run.opened'\n"
			     "  - id: r5\n    do: patroni.resume\n    with: {pod: p-0}\n");
	assert_int_equal(count_code(f, "OP085"), 0);
	assert_true(graph_brackets_closes(N(f, "r1"), "maintenance"));
	assert_false(graph_brackets_closes(N(f, "r2"), "maintenance"));
	assert_true(graph_brackets_closes(N(f, "r3"), "maintenance"));
	assert_false(graph_brackets_closes(N(f, "r4"), "maintenance"));
	assert_true(graph_brackets_closes(N(f, "r5"), "maintenance"));
	assert_false(graph_brackets_closes(N(f, "r5"), "other"));
	assert_false(graph_brackets_closes(N(f, "p"), "maintenance"));
	done(f);
}

static char *render(const struct graph *g, int mermaid)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	if (mermaid)
		graph_write_mermaid(g, m);
	else
		graph_write_dot(g, m);
	fclose(m);
	return buf;
}

static void test_render(void **state)
{
	(void)state;
	struct fx *f = build(HEAD LOG("a") LOG("b") "finally:\n" LOG("f"));
	char *dot = render(f->c->graph, 0);
	assert_non_null(strstr(dot, "digraph \"t\""));
	assert_non_null(strstr(dot, "\"n0\" -> \"n1\";"));
	assert_non_null(strstr(dot, "cluster_finally"));
	char *mm = render(f->c->graph, 1);
	assert_non_null(strstr(mm, "flowchart TD"));
	assert_non_null(strstr(mm, "n0 --> n1"));
	assert_non_null(strstr(mm, "n1 ==> finally"));
	/* a legend in both (issue 15) */
	assert_non_null(strstr(dot, "cluster_legend"));
	assert_non_null(strstr(dot, "gate: asks a person"));
	assert_non_null(strstr(mm, "subgraph legend"));
	assert_non_null(strstr(mm, "gate: asks a person"));
	free(dot);
	free(mm);
	done(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequence_and_before),
		cmocka_unit_test(test_needs_reorder),
		cmocka_unit_test(test_fan_out_not_before),
		cmocka_unit_test(test_groups_finally_onfail),
		cmocka_unit_test(test_before_matches_definition),
		cmocka_unit_test(test_cycle_marks_nodes),
		cmocka_unit_test(test_unknown_need_suggests),
		cmocka_unit_test(test_timing_action),
		cmocka_unit_test(test_timing_loops),
		cmocka_unit_test(test_timing_group_and_window),
		cmocka_unit_test(test_bracket_guards),
		cmocka_unit_test(test_render),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
