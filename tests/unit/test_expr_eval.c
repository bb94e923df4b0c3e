/* test_expr_eval.c - evaluation and templates, driven by tests/expr/eval.table
 * (jq's tests/jq.test: program, input, expected), plus the contracts no table
 * row can show: no crash on hostile envs, bounded recursion, truthiness and
 * version ordering. */
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
#include "mem.h"

static const struct loc BASE = {.file = "eval.table", .line = 1, .col = 1};

static const char *table_path(void)
{
	const char *p = getenv("EXPR_TABLE");
	return p ? p : "tests/expr/eval.table";
}

/* The contract of expr_eval/tmpl_eval: exactly one of *out and *err. */
static void assert_contract(int rc, json_t *out, char *err)
{
	if (rc == 0)
		assert_true(out && !err);
	else
		assert_true(rc == -1 && !out && err && *err);
}

static json_t *deep(int n)
{
	json_t *v = json_integer(1);
	for (int i = 0; i < n; i++) {
		json_t *o = json_array();
		json_array_append_new(o, v);
		v = o;
	}
	return v;
}

/* Envs that no plan would produce; every expression must survive them. */
static json_t **hostile_envs(size_t *n)
{
	static const char *const texts[] = {
		"null", "[]", "{}", "5", "\"s\"",
		"{\"params\": null, \"result\": \"x\", \"steps\": [], \"member\": 7, \"m\": {}}",
		"{\"params\": {\"names\": null, \"obj\": [], \"cluster\": 5, \"big\": 1e308, \"t\": \"x\", "
		"\"empty\": null, \"n\": {\"x\": []}}, \"result\": {\"members\": [null, 1, \"a\", [], {}]},"
		" \"steps\": {\"skipped\": 3, \"healthy\": {\"ok\": \"yes\", \"result\": []}}}",
	};
	size_t k = sizeof texts / sizeof *texts;
	json_t **v = xcalloc(k + 1, sizeof *v);
	for (size_t i = 0; i < k; i++) {
		v[i] = json_loads(texts[i], JSON_DECODE_ANY, NULL);
		assert_non_null(v[i]);
	}
	json_t *d = json_object();
	json_object_set_new(d, "params", deep(3000));
	v[k] = d;
	*n = k + 1;
	return v;
}

static char *trim(char *s)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

struct stats {
	int rows, values, errors, parse_errors, templates;
};

static void run_row(const char *file, int lineno, json_t *env, char *lhs, char *want,
		    json_t **hostile, size_t nhostile, struct stats *st)
{
	struct arena *a = arena_new();
	struct diag_list d;
	diag_init(&d);
	int is_tmpl = !strncmp(lhs, "tmpl ", 5);
	const char *text = is_tmpl ? lhs + 5 : trim(lhs);
	struct expr *e = NULL;
	struct tmpl *t = NULL;
	if (is_tmpl)
		t = tmpl_parse(a, text, strlen(text), &BASE, &d);
	else
		e = expr_parse(a, text, strlen(text), &BASE, &d);
	int parsed = is_tmpl ? t != NULL : e != NULL;
	st->rows++;
	st->templates += is_tmpl;

	if (!strncmp(want, "parse-error:", 12)) {
		const char *sub = trim(want + 12);
		st->parse_errors++;
		if (parsed || !d.n || !strstr(d.items[0].msg, sub))
			fail_msg("%s:%d: '%s' should not parse (want '%s', got '%s')", file, lineno, text,
				 sub, d.n ? d.items[0].msg : "no error");
		goto done;
	}
	if (!parsed)
		fail_msg("%s:%d: '%s' did not parse: %s", file, lineno, text, d.n ? d.items[0].msg : "?");

	json_t *out = NULL;
	char *err = NULL;
	int rc = is_tmpl ? tmpl_eval(t, env, &out, &err) : expr_eval(e, env, &out, &err);
	assert_contract(rc, out, err);
	if (!strncmp(want, "error:", 6)) {
		const char *sub = trim(want + 6);
		st->errors++;
		if (rc == 0) {
			char *got = json_dumps(out, JSON_ENCODE_ANY | JSON_COMPACT);
			fail_msg("%s:%d: '%s' = %s, want error '%s'", file, lineno, text, got, sub);
		}
		if (!strstr(err, sub))
			fail_msg("%s:%d: '%s': error '%s', want '%s'", file, lineno, text, err, sub);
	} else {
		json_error_t je;
		json_t *exp = json_loads(want, JSON_DECODE_ANY, &je);
		if (!exp)
			fail_msg("%s:%d: bad expected JSON '%s': %s", file, lineno, want, je.text);
		st->values++;
		if (rc != 0)
			fail_msg("%s:%d: '%s' failed: %s", file, lineno, text, err);
		if (!json_equal(out, exp)) {
			char *got = json_dumps(out, JSON_ENCODE_ANY | JSON_COMPACT);
			fail_msg("%s:%d: '%s' = %s, want %s", file, lineno, text, got, want);
		}
		json_decref(exp);
	}
	json_decref(out);
	free(err);

	/* The same expression over hostile envs: any result, never a crash. */
	for (size_t i = 0; i < nhostile; i++) {
		out = NULL;
		err = NULL;
		rc = is_tmpl ? tmpl_eval(t, hostile[i], &out, &err) : expr_eval(e, hostile[i], &out, &err);
		assert_contract(rc, out, err);
		json_decref(out);
		free(err);
	}
done:
	diag_release(&d);
	arena_free(a);
}

static void test_table(void **state)
{
	(void)state;
	const char *path = table_path();
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s (run from the repository root or set EXPR_TABLE)", path);
	size_t nhostile;
	json_t **hostile = hostile_envs(&nhostile);
	json_t *env = json_object();
	struct stats st = {0};
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		if (!strncmp(s, "@env ", 5)) {
			json_error_t je;
			json_decref(env);
			env = json_loads(s + 5, JSON_DECODE_ANY, &je);
			if (!env)
				fail_msg("%s:%d: bad env: %s", path, lineno, je.text);
			continue;
		}
		char *sep = strstr(line, " ==> ");
		if (!sep)
			fail_msg("%s:%d: no ' ==> ' separator", path, lineno);
		*sep = '\0';
		run_row(path, lineno, env, line, trim(sep + 5), hostile, nhostile, &st);
	}
	free(line);
	fclose(f);
	json_decref(env);
	for (size_t i = 0; i < nhostile; i++)
		json_decref(hostile[i]);
	free(hostile);
	printf("eval.table: %d rows (%d values, %d run-time errors, %d parse errors, %d templates)\n",
	       st.rows, st.values, st.errors, st.parse_errors, st.templates);
	assert_true(st.rows >= 150);
	assert_true(st.errors >= 30 && st.templates >= 10);
}

static json_t *eval_str(const char *text, json_t *env, char **err)
{
	struct arena *a = arena_new();
	struct diag_list d;
	diag_init(&d);
	struct expr *e = expr_parse(a, text, strlen(text), &BASE, &d);
	assert_non_null(e);
	json_t *out = NULL;
	int rc = expr_eval(e, env, &out, err);
	assert_contract(rc, out, err ? *err : (char *)"x");
	diag_release(&d);
	arena_free(a);
	return out;
}

/* Deeply nested values are compared and printed without exhausting the stack. */
static void test_deep_values(void **state)
{
	(void)state;
	json_t *env = json_object();
	json_object_set_new(env, "a", deep(5000));
	json_object_set_new(env, "b", deep(5000));
	char *err = NULL;
	json_t *v = eval_str("a == b", env, &err);
	assert_null(v);
	assert_non_null(strstr(err, "nested too deeply"));
	free(err);
	err = NULL;
	v = eval_str("[a] == 1", env, &err);   /* different types: decided at once */
	assert_true(json_is_false(v));
	json_decref(v);
	v = eval_str("len(a)", env, &err);
	assert_int_equal(json_integer_value(v), 1);
	json_decref(v);
	json_decref(env);
}

static void test_truthy(void **state)
{
	(void)state;
	static const char *const falsy[] = {"false", "null", "0", "0.0", "\"\"", "[]", "{}"};
	static const char *const truthy[] = {"true", "1", "-0.5", "\"0\"", "[0]", "{\"a\": null}"};
	for (size_t i = 0; i < sizeof falsy / sizeof *falsy; i++) {
		json_t *v = json_loads(falsy[i], JSON_DECODE_ANY, NULL);
		if (expr_truthy(v))
			fail_msg("%s is truthy", falsy[i]);
		json_decref(v);
	}
	for (size_t i = 0; i < sizeof truthy / sizeof *truthy; i++) {
		json_t *v = json_loads(truthy[i], JSON_DECODE_ANY, NULL);
		if (!expr_truthy(v))
			fail_msg("%s is falsy", truthy[i]);
		json_decref(v);
	}
	assert_false(expr_truthy(NULL));
}

static int sign(int x)
{
	return x < 0 ? -1 : x > 0;
}

static void test_version_cmp(void **state)
{
	(void)state;
	static const struct { const char *a, *b; int c; } v[] = {
		{"1.6.5", "2.0.1", -1}, {"2.0.10", "2.0.9", 1}, {"v3.0.2", "3.0.2", 0},
		{"3.0.2", "V3.0.2", 0}, {"2.0", "2.0.0", 0}, {"2.0.0.1", "2.0", 1},
		{"2.0.1rc1", "2.0.1", -1}, {"2.0.1-rc.1", "2.0.1-rc.2", -1}, {"2.0.1+build5", "2.0.1", 0},
		{"10", "9", 1}, {"1.02", "1.2", 0}, {"", "", 0}, {"", "1", -1}, {"1.0.a", "1.0.1", -1},
		{"99999999999999999999999.1", "99999999999999999999998.9", 1}, {"abc", "abd", -1},
	};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		int c = sign(expr_version_cmp(v[i].a, v[i].b)), r = sign(expr_version_cmp(v[i].b, v[i].a));
		if (c != v[i].c || r != -v[i].c)
			fail_msg("version_cmp('%s', '%s') = %d (reverse %d), want %d", v[i].a, v[i].b, c, r,
				 v[i].c);
	}
	assert_int_equal(expr_version_cmp(NULL, ""), 0);
}

/* Template parse errors are located in the file like expression errors. */
static void test_tmpl_locations(void **state)
{
	(void)state;
	static const struct { const char *text; uint32_t col; const char *msg; } c[] = {
		{"pod ${{ params.cluster + }}-0", 36, "expected an expression, found the end"},
		{"pod ${{ params.cluster", 15, "unterminated '${{'"},
		{"a ${{  }} b", 13, "empty '${{ }}'"},
		{"${{ 'x }}", 15, "unterminated string"},
		{"x ${{ a = 1 }}", 19, "'=' is not an operator"},
	};
	struct loc base = {.file = "plan.yaml", .line = 4, .col = 11};
	for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
		struct arena *a = arena_new();
		struct diag_list d;
		diag_init(&d);
		struct tmpl *t = tmpl_parse(a, c[i].text, strlen(c[i].text), &base, &d);
		if (t || d.n != 1 || d.items[0].loc.line != 4 || d.items[0].loc.col != c[i].col ||
		    !strstr(d.items[0].msg, c[i].msg))
			fail_msg("'%s': got %zu diags, %u:%u '%s'; want 4:%u '%s'", c[i].text, d.n,
				 d.n ? d.items[0].loc.line : 0, d.n ? d.items[0].loc.col : 0,
				 d.n ? d.items[0].msg : "", c[i].col, c[i].msg);
		diag_release(&d);
		arena_free(a);
	}
}

/* tmpl_is_literal, tmpl_foreach_expr and the type of a whole template. */
static int count_cb_n;
static void count_cb(const struct expr *e, void *ctx)
{
	(void)e;
	(void)ctx;
	count_cb_n++;
}

static void test_tmpl_api(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct diag_list d;
	diag_init(&d);
	struct tmpl *lit = tmpl_parse(a, "no parts $ { {", 14, &BASE, &d);
	assert_non_null(lit);
	assert_true(tmpl_is_literal(lit));
	struct tmpl *two = tmpl_parse(a, "${{ 1 }} and ${{ 'x' }}", 23, &BASE, &d);
	assert_false(tmpl_is_literal(two));
	count_cb_n = 0;
	tmpl_foreach_expr(two, count_cb, NULL);
	assert_int_equal(count_cb_n, 2);
	struct expr_scope s = {NULL, NULL};
	assert_int_equal(tmpl_check(a, two, &s, &d)->kind, TYPE_STRING);
	struct tmpl *whole = tmpl_parse(a, "${{ 42 }}", 9, &BASE, &d);
	assert_int_equal(tmpl_check(a, whole, &s, &d)->kind, TYPE_NUMBER);
	assert_int_equal(d.n, 0);
	diag_release(&d);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_deep_values),
		cmocka_unit_test(test_truthy),
		cmocka_unit_test(test_version_cmp),
		cmocka_unit_test(test_tmpl_locations),
		cmocka_unit_test(test_tmpl_api),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
