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

/* Nested loops over a long list stop at the work budget instead of hanging. */
static void test_budget(void **state)
{
	(void)state;
	json_t *env = json_object(), *xs = json_array();
	for (int i = 0; i < 1000; i++)
		json_array_append_new(xs, json_integer(i));
	json_object_set_new(env, "xs", xs);
	char *err = NULL;
	json_t *v = eval_str("count(xs, a => any(xs, b => any(xs, c => a + b + c < 0)))", env, &err);
	assert_null(v);
	assert_non_null(strstr(err, "too expensive"));
	free(err);
	err = NULL;
	v = eval_str("count(xs, a => any(xs, b => a == b))", env, &err);   /* 500k steps: fine */
	assert_int_equal(json_integer_value(v), 1000);
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

/* Random token soup through parse, check, eval and templates: whatever the
 * input, a diagnostic or a value or an error comes back, never a crash
 * (run under SAN=1 for the memory half of that claim).  Fixed seed, so a
 * failure reproduces. */
static void test_random_inputs(void **state)
{
	(void)state;
	static const char *const toks[] = {
		"a", "params", "steps", "result", "m", "x", ".", "-", "[", "]", "[*]", "(", ")", "'s'",
		"\"q\"", "'", "\"", "\\", "1", "0", "2.5", "90s", "1h", "==", "!=", "<", ">=", "&&",
		"||", "!", "in", "=~", "'^a+$'", "'('", "+", "*", "/", "%", ",", "=>", "all", "any",
		"len", "max", "sum", "version", "filter", "map", "count", "has", "first", "keys",
		"string", "number", "null", "true", "${{", "}}", " ", "no-x", "names", "obj", "1e308",
	};
	const size_t ntoks = sizeof toks / sizeof *toks;
	json_t *env = json_loads("{\"a\": [1, \"a\", null, {\"x\": [2]}], \"x\": {\"x\": 1e308},"
				 " \"params\": {\"names\": [\"a\"], \"obj\": {\"s\": 1}}, \"m\": \"s\","
				 " \"steps\": {\"no-x\": {\"ok\": true}}, \"result\": []}", 0, NULL);
	assert_non_null(env);
	struct expr_scope scope = {NULL, NULL};
	unsigned seed = 12345;
	int parsed = 0, ok = 0;
	for (int it = 0; it < 20000; it++) {
		char text[512];
		size_t len = 0;
		seed = seed * 1103515245u + 12345u;
		int n = 1 + (int)((seed >> 16) % 24);
		for (int k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			const char *t = toks[(seed >> 16) % ntoks];
			size_t tl = strlen(t);
			if (len + tl + 1 >= sizeof text)
				break;
			memcpy(text + len, t, tl);
			len += tl;
			if ((seed >> 8) & 1)
				text[len++] = ' ';
		}
		text[len] = '\0';
		struct arena *a = arena_new();
		struct diag_list d;
		diag_init(&d);
		json_t *out = NULL;
		char *err = NULL;
		struct expr *e = expr_parse(a, text, len, &BASE, &d);
		if (e) {
			parsed++;
			expr_check(a, e, &scope, &d);
			int rc = expr_eval(e, env, &out, &err);
			assert_contract(rc, out, err);
			ok += rc == 0;
		} else {
			assert_true(d.n >= 1);
		}
		json_decref(out);
		free(err);
		out = NULL;
		err = NULL;
		struct tmpl *t = tmpl_parse(a, text, len, &BASE, &d);
		if (t) {
			tmpl_check(a, t, &scope, &d);
			int rc = tmpl_eval(t, env, &out, &err);
			assert_contract(rc, out, err);
		}
		json_decref(out);
		free(err);
		diag_release(&d);
		arena_free(a);
	}
	printf("random inputs: 20000, %d parsed, %d evaluated to a value\n", parsed, ok);
	assert_true(parsed > 100 && ok > 50);   /* the soup does exercise evaluation */
	json_decref(env);
}

static unsigned rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

/* A random expression that parses: the grammar, not token soup. */
static void gen(struct strbuf *b, unsigned *seed, int depth)
{
	static const char *const leaves[] = {
		"1", "0", "-2.5", "90s", "'a'", "\"\"", "null", "true", "false", "[]", "a", "x", "m",
		"params.names", "params.obj", "params.obj.s", "x.x", "a[0]", "a[-1]", "a[9]",
		"steps.no-x.ok", "a[*].x", "a[*].x[0]", "result", "1e308", "version('1.2')", "'^a+$'",
	};
	static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", "&&", "||", "in", "=~",
					  "+", "-", "*", "/", "%"};
	static const char *const f1[] = {"len", "max", "min", "sum", "has", "lower", "upper", "version",
					 "first", "last", "keys", "string", "number", "count"};
	static const char *const f2[] = {"contains", "startswith", "endswith", "max", "min"};
	static const char *const fl[] = {"all", "any", "filter", "map", "count"};
	unsigned k = depth <= 0 ? 0 : rnd(seed, 8);
	switch (k) {
	case 0: case 1:
		sb_puts(b, leaves[rnd(seed, sizeof leaves / sizeof *leaves)]);
		break;
	case 2:   /* '!' binds looser than '-': parenthesise */
		sb_puts(b, rnd(seed, 2) ? "(!" : "(-");
		gen(b, seed, depth - 1);
		sb_putc(b, ')');
		break;
	case 3: case 4:
		sb_putc(b, '(');
		gen(b, seed, depth - 1);
		sb_printf(b, " %s ", ops[rnd(seed, sizeof ops / sizeof *ops)]);
		gen(b, seed, depth - 1);
		sb_putc(b, ')');
		break;
	case 5:
		sb_printf(b, "%s(", f1[rnd(seed, sizeof f1 / sizeof *f1)]);
		gen(b, seed, depth - 1);
		sb_putc(b, ')');
		break;
	case 6:
		sb_printf(b, "%s(", f2[rnd(seed, sizeof f2 / sizeof *f2)]);
		gen(b, seed, depth - 1);
		sb_puts(b, ", ");
		gen(b, seed, depth - 1);
		sb_putc(b, ')');
		break;
	default:
		sb_printf(b, "%s(", fl[rnd(seed, sizeof fl / sizeof *fl)]);
		gen(b, seed, depth - 1);
		sb_puts(b, ", m => ");
		gen(b, seed, depth - 1);
		sb_putc(b, ')');
		break;
	}
}

/* Types shaped like the generator's env, so checking exercises fields,
 * guards and optional values, not only the untyped path. */
static const struct type_field gx_f[] = {{"x", &type_number, NULL}};
static const struct type gx_t = {.kind = TYPE_OBJECT, .fields = gx_f, .nfields = 1, .name = "gx"};
static const struct type_field gstep_f[] = {{"ok", &type_bool, NULL}, {"result", &type_any_object, NULL}};
static const struct type gstep_t = {.kind = TYPE_OBJECT, .optional = 1, .fields = gstep_f, .nfields = 2};
static const struct type_field gsteps_f[] = {{"no-x", &gstep_t, NULL}};
static const struct type gsteps_t = {.kind = TYPE_OBJECT, .fields = gsteps_f, .nfields = 1};
static const struct type gobj_t = {.kind = TYPE_OBJECT, .open = 1, .optional = 1};
static const struct type_field gparams_f[] = {{"names", &type_string_list, NULL}, {"obj", &gobj_t, NULL}};
static const struct type gparams_t = {.kind = TYPE_OBJECT, .fields = gparams_f, .nfields = 2};
static const struct type gnums_t = {.kind = TYPE_LIST, .elem = &type_number};
static const struct type_field groots_f[] = {
	{"a", &type_any_list, NULL}, {"x", &gx_t, NULL}, {"params", &gparams_t, NULL},
	{"m", &type_string, NULL}, {"steps", &gsteps_t, NULL}, {"result", &gnums_t, NULL},
};
static const struct type groots_t = {.kind = TYPE_OBJECT, .fields = groots_f, .nfields = 6};

static void test_generated(void **state)
{
	(void)state;
	json_t *env = json_loads("{\"a\": [1, \"a\", null, {\"x\": [2]}, [3]], \"x\": {\"x\": 1e308},"
				 " \"params\": {\"names\": [\"a\"], \"obj\": {\"s\": 1}}, \"m\": \"s\","
				 " \"steps\": {\"no-x\": {\"ok\": true}}, \"result\": [1, 2.5]}", 0, NULL);
	struct expr_scope scope = {NULL, NULL}, typed = {&groots_t, "a generated expression"};
	unsigned seed = 777;
	int ok = 0, n = 20000;
	for (int it = 0; it < n; it++) {
		struct strbuf b = {0};
		gen(&b, &seed, 1 + (int)rnd(&seed, 6));
		struct arena *a = arena_new();
		struct diag_list d;
		diag_init(&d);
		struct expr *e = expr_parse(a, b.s, b.len, &BASE, &d);
		if (!e)
			fail_msg("generated '%s' did not parse: %s", b.s, d.n ? d.items[0].msg : "?");
		expr_check(a, e, (it & 1) ? &typed : &scope, &d);
		json_t *out = NULL;
		char *err = NULL;
		int rc = expr_eval(e, env, &out, &err);
		assert_contract(rc, out, err);
		ok += rc == 0;
		json_decref(out);
		free(err);
		diag_release(&d);
		arena_free(a);
		sb_release(&b);
	}
	printf("generated expressions: %d, %d evaluated to a value\n", n, ok);
	assert_true(ok > n / 5);
	json_decref(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_deep_values),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_truthy),
		cmocka_unit_test(test_version_cmp),
		cmocka_unit_test(test_tmpl_locations),
		cmocka_unit_test(test_tmpl_api),
		cmocka_unit_test(test_random_inputs),
		cmocka_unit_test(test_generated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
