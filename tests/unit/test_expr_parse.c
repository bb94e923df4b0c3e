/* test_expr_parse.c - expression syntax: what parses, and where a syntax
 * error is reported (line and column inside the YAML file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "expr.h"
#include "expr_internal.h"
#include "mem.h"

static const struct loc BASE = {.file = "plan.yaml", .line = 7, .col = 13};

struct fixture {
	struct arena *a;
	struct diag_list d;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	f->a = arena_new();
	diag_init(&f->d);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	diag_release(&f->d);
	arena_free(f->a);
	free(f);
	return 0;
}

static struct expr *parse(struct fixture *f, const char *text)
{
	return expr_parse(f->a, text, strlen(text), &BASE, &f->d);
}

/* Valid expressions parse without a diagnostic. */
static void test_valid(void **state)
{
	struct fixture *f = *state;
	static const char *const ok[] = {
		"1", "1.5", "1e3", "90s", "1h30m", "250ms", "'a'", "\"b\\n\"", "true", "false", "null",
		"[]", "[1, 2, 3]", "[1, 2,]", "params.cluster", "steps.healthy.result.members[0].name",
		"steps.no-auto-redeploy.ok", "result.members[*].lag_mb", "a[*].b[*].c",
		"all(result.members, m => m.state in [\"running\", \"streaming\"])",
		"max(result.members[*].lag_mb) <= params.max_lag_mb",
		"version(x) >= version(\"2.0.1\")", "!a && b || c", "-1 - -2", "a % 2 == 0",
		"x =~ '^\\d+$'", "(1 + 2) * 3", "len(filter(xs, x => x.ok)) > 0", "a[b[0]]",
		"steps.a-b-c.result", "x\n  && y", "a.in_b", "'in' in ['in']",
	};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		struct expr *e = parse(f, ok[i]);
		if (!e || f->d.n)
			fail_msg("'%s' did not parse: %s", ok[i], f->d.n ? f->d.items[0].msg : "?");
	}
}

/* The AST shape that evaluation relies on: precedence and associativity. */
static void test_shape(void **state)
{
	struct fixture *f = *state;
	struct expr *e = parse(f, "1 + 2 * 3 == 7 && !x || y");
	assert_non_null(e);
	assert_int_equal(e->kind, E_BIN);
	assert_int_equal(e->op, OP_OR);
	assert_int_equal(e->l->op, OP_AND);
	assert_int_equal(e->l->l->op, OP_EQ);
	assert_int_equal(e->l->l->l->op, OP_ADD);
	assert_int_equal(e->l->l->l->r->op, OP_MUL);
	assert_int_equal(e->l->r->kind, E_NOT);

	e = parse(f, "10 - 3 - 2");     /* left associative */
	assert_int_equal(e->op, OP_SUB);
	assert_int_equal(e->l->kind, E_BIN);
	assert_int_equal(e->r->kind, E_NUM);

	e = parse(f, "steps.no-auto-redeploy.ok");
	assert_int_equal(e->kind, E_FIELD);
	assert_string_equal(e->str, "ok");
	assert_string_equal(e->l->str, "no-auto-redeploy");

	e = parse(f, "a-b");              /* outside steps. a dash is subtraction */
	assert_int_equal(e->kind, E_BIN);
	assert_int_equal(e->op, OP_SUB);

	e = parse(f, "1h30m");
	assert_int_equal(e->kind, E_NUM);
	assert_true(e->is_duration);
	assert_true(e->num == 5400);
	e = parse(f, "250ms");
	assert_true(e->num == 0.25);

	e = parse(f, "m.members[*].lag");
	assert_int_equal(e->kind, E_PROJECT);
	assert_int_equal(e->r->kind, E_FIELD);
	assert_int_equal(e->r->l->kind, E_ELEM);

	e = parse(f, "'\\u00e9\\t\\d'");
	assert_string_equal(e->str, "\xc3\xa9\t\\d");
	assert_int_equal(f->d.n, 0);
}

struct bad {
	const char *text;
	uint32_t line, col;
	const char *msg;
};

/* Syntax errors: exact line and column, base col 13 is text[0]. */
static void test_errors(void **state)
{
	struct fixture *f = *state;
	static const struct bad bad[] = {
		{"", 7, 13, "empty expression"},
		{"   ", 7, 13, "empty expression"},
		{"a ==", 7, 17, "expected an expression, found the end"},
		{"a = b", 7, 15, "'=' is not an operator"},
		{"a & b", 7, 15, "'&' is not an operator"},
		{"(a", 7, 15, "expected ')'"},
		{"[1, 2", 7, 18, "expected ',' or ']'"},
		{"f(1 2)", 7, 17, "expected ',' or ')'"},
		{"'abc", 7, 13, "unterminated string"},
		{"x == \"abc", 7, 18, "unterminated string"},
		{"a.", 7, 15, "expected a field name after '.'"},
		{"a.0", 7, 15, "expected a field name after '.'"},
		{"1 < 2 < 3", 7, 19, "comparisons do not chain"},
		{"3x", 7, 14, "invalid number or duration"},
		{"1h30", 7, 15, "a duration part without a unit"},
		{"a b", 7, 15, "expected an operator or the end"},
		{"x => x", 7, 15, "a lambda is only allowed as a function argument"},
		{"run.opened('x')", 7, 23, "only built-in functions can be called"},
		{"a[*", 7, 16, "expected ']' after '[*'"},
		{"#", 7, 13, "unexpected character"},
		{"'\\u12'", 7, 14, "invalid \\u escape"},
		{"a &&\n  ^ b", 8, 3, "unexpected character"},
		{"a ||\n\n b +", 9, 5, "found the end"},
		{"in", 7, 13, "expected an expression"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		diag_release(&f->d);
		diag_init(&f->d);
		struct expr *e = parse(f, bad[i].text);
		if (e)
			fail_msg("'%s' parsed", bad[i].text);
		if (f->d.n != 1)
			fail_msg("'%s': %zu diagnostics", bad[i].text, f->d.n);
		const struct diag *g = &f->d.items[0];
		if (g->loc.line != bad[i].line || g->loc.col != bad[i].col || !strstr(g->msg, bad[i].msg))
			fail_msg("'%s': got %u:%u '%s', want %u:%u '%s'", bad[i].text, g->loc.line,
				 g->loc.col, g->msg, bad[i].line, bad[i].col, bad[i].msg);
		assert_int_equal(g->code, OP050 + (strstr(bad[i].msg, "lambda") ? 9 : 0));
		assert_string_equal(g->loc.file, "plan.yaml");
	}
}

/* Bounds: depth and length are refused with OP060, never a crash. */
static void test_limits(void **state)
{
	struct fixture *f = *state;
	struct strbuf b = {0};
	for (int i = 0; i < 500; i++)
		sb_putc(&b, '(');
	sb_putc(&b, '1');
	for (int i = 0; i < 500; i++)
		sb_putc(&b, ')');
	assert_null(parse(f, b.s));
	assert_int_equal(f->d.items[0].code, OP060);
	sb_release(&b);

	for (int i = 0; i < 300; i++)
		sb_puts(&b, "1+");
	sb_putc(&b, '1');
	diag_release(&f->d);
	diag_init(&f->d);
	assert_null(parse(f, b.s));
	assert_int_equal(f->d.items[0].code, OP060);
	sb_release(&b);

	for (int i = 0; i < 300; i++)
		sb_puts(&b, "!-");
	diag_release(&f->d);
	diag_init(&f->d);
	assert_null(parse(f, b.s));
	sb_release(&b);

	char *big = xmalloc(EXPR_MAX_LEN + 2);
	memset(big, 'a', EXPR_MAX_LEN + 1);
	big[EXPR_MAX_LEN + 1] = '\0';
	diag_release(&f->d);
	diag_init(&f->d);
	assert_null(parse(f, big));
	assert_int_equal(f->d.items[0].code, OP060);
	free(big);

	/* 40 levels of nesting is fine */
	for (int i = 0; i < 40; i++)
		sb_putc(&b, '[');
	for (int i = 0; i < 40; i++)
		sb_putc(&b, ']');
	diag_release(&f->d);
	diag_init(&f->d);
	assert_non_null(parse(f, b.s));
	sb_release(&b);
}

/* expr_step_refs reports every steps.ID with its location. */
struct refs { char ids[8][64]; uint32_t cols[8]; int n; };
static void on_ref(const char *id, const struct loc *at, void *ctx)
{
	struct refs *r = ctx;
	if (r->n < 8) {
		strncpy(r->ids[r->n], id, 63);
		r->cols[r->n++] = at->col;
	}
}

static void test_step_refs(void **state)
{
	struct fixture *f = *state;
	struct expr *e = parse(f, "steps.healthy.ok && all(steps.no-auto-redeploy.result.x, m => m)");
	assert_non_null(e);
	struct refs r = {0};
	expr_step_refs(e, on_ref, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.ids[0], "healthy");
	assert_int_equal(r.cols[0], 13);
	assert_string_equal(r.ids[1], "no-auto-redeploy");
	assert_int_equal(r.cols[1], 13 + 24);
}

/* Every example in the function table of docs/expressions.md parses: the
 * reference must not teach syntax the parser rejects. */
static void test_doc_examples(void **state)
{
	struct fixture *f = *state;
	const char *path = getenv("EXPR_DOC");
	FILE *fp = fopen(path ? path : "docs/expressions.md", "r");
	if (!fp)
		fail_msg("cannot open docs/expressions.md (run from the repository root or set EXPR_DOC)");
	char *line = NULL;
	size_t cap = 0;
	int in_funcs = 0, n = 0;
	while (getline(&line, &cap, fp) > 0) {
		if (!strncmp(line, "## ", 3))
			in_funcs = !strncmp(line, "## Functions", 12);
		if (!in_funcs || line[0] != '|' || !strstr(line, "(") || strstr(line, "---"))
			continue;
		/* the last backticked cell holds the example */
		char *end = strrchr(line, '`');
		if (!end)
			continue;
		*end = '\0';
		char *start = strrchr(line, '`');
		if (!start || !strchr(start, '('))
			continue;
		start++;
		char text[512];
		/* the table escapes '|' as '\|' */
		size_t k = 0;
		for (const char *c = start; *c && k + 1 < sizeof text; c++)
			if (!(c[0] == '\\' && c[1] == '|'))
				text[k++] = *c;
		text[k] = '\0';
		diag_release(&f->d);
		diag_init(&f->d);
		if (!parse(f, text))
			fail_msg("docs example '%s' does not parse: %s", text, f->d.n ? f->d.items[0].msg : "?");
		n++;
	}
	free(line);
	fclose(fp);
	if (n < 18)
		fail_msg("only %d examples found in the function table", n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_valid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_step_refs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doc_examples, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
