/* test_diag.c - diagnostics: counting, suggestions, sorting, and every
 * printer (JSON and SARIF are parsed back with jansson). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "mem.h"

static const char src[] = "name: demo\n"
			  "defaults: {tiemout: 2m}\n"
			  "steps: []\n";

static struct loc at(const char *file, uint32_t line, uint32_t col, uint32_t end_col)
{
	struct loc l = {file, line, col, line, end_col, 0, 0};
	return l;
}

/* A list with a located error with a hint, and one with no location. */
static void sample(struct diag_list *d)
{
	diag_init(d);
	diag_source(d, "plans/a.yaml", src, sizeof src - 1);
	struct loc l = at("plans/a.yaml", 2, 12, 19);
	l.off = 22;
	struct diag *g = diag_add(d, OP002, &l, "duplicate key '%s'", "tiemout");
	diag_hint(g, "did you mean '%s'", "timeout");
	diag_add(d, OP011, NULL, "cannot read '%s'", "x");
}

static char *render(const struct diag_list *d, enum diag_format f, int color)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	diag_print(d, f, color, out);
	fclose(out);
	return buf;
}

static int first_warning(enum diag_code *out)
{
	for (size_t c = 0; c < DIAG_CODE_COUNT; c++) {
		if (diag_code_severity((enum diag_code)c) == DIAG_WARNING) {
			*out = (enum diag_code)c;
			return 0;
		}
	}
	return -1;
}

static void test_counts_and_werror(void **state)
{
	(void)state;
	struct diag_list d;
	diag_init(&d);
	diag_add(&d, OP001, NULL, "one");
	diag_add(&d, OP002, NULL, "two");
	assert_int_equal(d.errors, 2);
	assert_int_equal(diag_errors(&d), 2);
	enum diag_code w;
	if (first_warning(&w) == 0) {
		struct diag *g = diag_add(&d, w, NULL, "careful");
		assert_int_equal(g->sev, DIAG_WARNING);
		assert_int_equal(d.warnings, 1);
		assert_int_equal(diag_errors(&d), 2);
		d.werror = 1;
		assert_int_equal(diag_errors(&d), 3);
	}
	diag_release(&d);
	assert_int_equal(d.n, 0);
}

/* The list owns its strings: the caller's buffers may go away. */
static void test_owns_strings(void **state)
{
	(void)state;
	struct diag_list d;
	diag_init(&d);
	char *file = xstrdup("p.yaml");
	struct loc l = at(file, 1, 1, 2);
	diag_add(&d, OP001, &l, "bad");
	free(file);
	assert_string_equal(d.items[0].loc.file, "p.yaml");
	assert_string_equal(d.items[0].msg, "bad");
	diag_release(&d);
}

static void test_suggest(void **state)
{
	(void)state;
	static const char *const keys[] = {"timeout", "retry", "steps", "params", "id", "do", "within"};
	size_t n = sizeof keys / sizeof keys[0];
	assert_string_equal(diag_suggest("tiemout", keys, n), "timeout");   /* transposition */
	assert_string_equal(diag_suggest("timout", keys, n), "timeout");    /* deletion */
	assert_string_equal(diag_suggest("Timeout", keys, n), "timeout");   /* case */
	assert_string_equal(diag_suggest("stesp", keys, n), "steps");
	assert_string_equal(diag_suggest("parms", keys, n), "params");
	assert_string_equal(diag_suggest("witin", keys, n), "within");
	assert_null(diag_suggest("banana", keys, n));
	assert_null(diag_suggest("xy", keys, n));          /* replacing all is no typo */
	assert_null(diag_suggest("", keys, n));
	assert_null(diag_suggest("timeout", keys, 0));
	char longw[200];
	memset(longw, 'a', sizeof longw - 1);
	longw[sizeof longw - 1] = '\0';
	assert_null(diag_suggest(longw, keys, n));
	/* the closest wins, not the first close one */
	static const char *const two[] = {"members", "member"};
	assert_string_equal(diag_suggest("membr", two, 2), "member");
}

static void test_sort(void **state)
{
	(void)state;
	struct diag_list d;
	diag_init(&d);
	struct loc b3 = at("b.yaml", 3, 1, 2), a9 = at("a.yaml", 9, 5, 6), a2 = at("a.yaml", 2, 7, 8),
		   a2c = at("a.yaml", 2, 3, 4);
	diag_add(&d, OP001, &b3, "b3");
	diag_add(&d, OP001, &a9, "a9");
	diag_add(&d, OP002, &a2, "a2 dup");
	diag_add(&d, OP001, &a2, "a2 syntax");
	diag_add(&d, OP001, &a2c, "a2c");
	diag_sort(&d);
	const char *want[] = {"a2c", "a2 syntax", "a2 dup", "a9", "b3"};
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(d.items[i].msg, want[i]);
	diag_release(&d);
}

static void test_codes(void **state)
{
	(void)state;
	assert_string_equal(diag_code_name(OP002), "OP002");
	assert_string_equal(diag_code_slug(OP002), "yaml-duplicate-key");
	assert_int_equal(diag_code_severity(OP001), DIAG_ERROR);
	enum diag_code c;
	assert_int_equal(diag_code_lookup("OP005", &c), 0);
	assert_int_equal(c, OP005);
	assert_int_equal(diag_code_lookup("yaml-too-deep", &c), 0);
	assert_int_equal(c, OP006);
	assert_int_equal(diag_code_lookup("OP999", &c), -1);
	/* Every code has a distinct name and slug. */
	for (size_t i = 0; i < DIAG_CODE_COUNT; i++)
		for (size_t j = i + 1; j < DIAG_CODE_COUNT; j++) {
			assert_string_not_equal(diag_code_name((enum diag_code)i), diag_code_name((enum diag_code)j));
			assert_string_not_equal(diag_code_slug((enum diag_code)i), diag_code_slug((enum diag_code)j));
		}
	enum diag_format f;
	assert_int_equal(diag_format_parse("sarif", &f), 0);
	assert_int_equal(f, DIAG_SARIF);
	assert_int_equal(diag_format_parse("github", &f), 0);
	assert_int_equal(f, DIAG_GITHUB);
	assert_int_equal(diag_format_parse("xml", &f), -1);
}

static void test_text(void **state)
{
	(void)state;
	struct diag_list d;
	sample(&d);
	char *out = render(&d, DIAG_TEXT, 0);
	assert_string_equal(out,
		"plans/a.yaml:2:12: error[OP002]: duplicate key 'tiemout'\n"
		"  |\n"
		"2 | defaults: {tiemout: 2m}\n"
		"  |            ^~~~~~~\n"
		"  = hint: did you mean 'timeout'\n"
		"error[OP011]: cannot read 'x'\n");
	free(out);
	out = render(&d, DIAG_TEXT, 1);
	assert_non_null(strstr(out, "\033["));
	assert_non_null(strstr(out, "tiemout"));
	free(out);
	diag_release(&d);
}

/* Tabs before the column are kept so the caret lines up; a multi-byte
 * character is one column; an escape in a message cannot reach the terminal. */
static void test_text_alignment_and_escapes(void **state)
{
	(void)state;
	static const char s[] = "\t\xc3\xa9 x: 1\n";
	struct diag_list d;
	diag_init(&d);
	diag_source(&d, "t.yaml", s, sizeof s - 1);
	struct loc l = at("t.yaml", 1, 5, 6);
	diag_add(&d, OP001, &l, "bad \033[2J here");
	char *out = render(&d, DIAG_TEXT, 0);
	assert_string_equal(out,
		"t.yaml:1:5: error[OP001]: bad ?[2J here\n"
		"  |\n"
		"1 | \t\xc3\xa9 x: 1\n"
		"  | \t  ^\n");
	free(out);
	diag_release(&d);
}

/* A minified line shows a window around the caret, not megabytes. */
static void test_text_long_line(void **state)
{
	(void)state;
	size_t n = 100000;
	char *s = xmalloc(n + 1);
	memset(s, 'a', n);
	s[n] = '\0';
	struct diag_list d;
	diag_init(&d);
	diag_source(&d, "t.yaml", s, n);
	struct loc l = at("t.yaml", 1, 50000, 50001);
	diag_add(&d, OP001, &l, "here");
	char *out = render(&d, DIAG_TEXT, 0);
	assert_true(strlen(out) < 600);
	assert_non_null(strstr(out, "^"));
	free(out);
	diag_release(&d);
	free(s);
}

static void test_json(void **state)
{
	(void)state;
	struct diag_list d;
	sample(&d);
	char *out = render(&d, DIAG_JSON, 0);
	size_t cut = strcspn(out, "\n");
	assert_int_equal(out[cut], '\n');
	json_error_t err;
	json_t *o = json_loadb(out, cut, 0, &err);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "file")), "plans/a.yaml");
	assert_int_equal(json_integer_value(json_object_get(o, "line")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "col")), 12);
	assert_int_equal(json_integer_value(json_object_get(o, "end_line")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "end_col")), 19);
	assert_string_equal(json_string_value(json_object_get(o, "severity")), "error");
	assert_string_equal(json_string_value(json_object_get(o, "code")), "OP002");
	assert_string_equal(json_string_value(json_object_get(o, "slug")), "yaml-duplicate-key");
	assert_string_equal(json_string_value(json_object_get(o, "message")), "duplicate key 'tiemout'");
	json_t *h = json_object_get(o, "hints");
	assert_int_equal(json_array_size(h), 1);
	assert_string_equal(json_string_value(json_array_get(h, 0)), "did you mean 'timeout'");
	json_decref(o);
	o = json_loads(out + cut + 1, 0, &err);
	assert_non_null(o);
	assert_true(json_is_null(json_object_get(o, "file")));
	assert_true(json_is_null(json_object_get(o, "line")));
	assert_string_equal(json_string_value(json_object_get(o, "code")), "OP011");
	json_decref(o);
	free(out);
	diag_release(&d);
}

/* Bytes that are not UTF-8 (a file name) still make valid JSON. */
static void test_json_invalid_utf8(void **state)
{
	(void)state;
	struct diag_list d;
	diag_init(&d);
	struct loc l = at("bad\xff.yaml", 1, 1, 2);
	diag_add(&d, OP001, &l, "x\xc3");
	char *out = render(&d, DIAG_JSON, 0);
	json_error_t err;
	json_t *o = json_loads(out, 0, &err);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "file")), "bad\xef\xbf\xbd.yaml");
	json_decref(o);
	free(out);
	diag_release(&d);
}

static void test_sarif(void **state)
{
	(void)state;
	struct diag_list d;
	sample(&d);
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof cwd));
	char *abs = xasprintf("%s/plans/my plan.yaml", cwd);
	struct loc l = at(abs, 4, 1, 1);
	diag_add(&d, OP001, &l, "third");
	struct loc dot = at("./x.yml", 0, 0, 0);
	diag_add(&d, OP011, &dot, "fourth");
	struct loc outside = at("/nonexistent-root/p.yaml", 1, 1, 2);
	diag_add(&d, OP001, &outside, "fifth");
	free(abs);
	char *out = render(&d, DIAG_SARIF, 0);
	json_error_t err;
	json_t *log = json_loads(out, 0, &err);
	assert_non_null(log);
	assert_string_equal(json_string_value(json_object_get(log, "version")), "2.1.0");
	assert_non_null(strstr(json_string_value(json_object_get(log, "$schema")), "sarif-2.1.0"));
	json_t *run = json_array_get(json_object_get(log, "runs"), 0);
	json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
	assert_string_equal(json_string_value(json_object_get(driver, "name")), "opsplan");
	json_t *rules = json_object_get(driver, "rules");
	/* only the codes used, in code order */
	assert_int_equal(json_array_size(rules), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rules, 0), "id")), "OP001");
	assert_string_equal(json_string_value(json_object_get(json_array_get(rules, 1), "id")), "OP002");
	assert_string_equal(json_string_value(json_object_get(json_array_get(rules, 2), "id")), "OP011");
	/* GitHub requires help on every rule */
	json_t *help = json_object_get(json_array_get(rules, 1), "help");
	assert_non_null(strstr(json_string_value(json_object_get(help, "text")), "OP002"));
	assert_non_null(json_string_value(json_object_get(help, "markdown")));
	json_t *results = json_object_get(run, "results");
	assert_int_equal(json_array_size(results), 5);
	json_t *r0 = json_array_get(results, 0);
	assert_string_equal(json_string_value(json_object_get(r0, "ruleId")), "OP002");
	assert_int_equal(json_integer_value(json_object_get(r0, "ruleIndex")), 1);
	assert_string_equal(json_string_value(json_object_get(r0, "level")), "error");
	const char *msg = json_string_value(json_object_get(json_object_get(r0, "message"), "text"));
	assert_non_null(strstr(msg, "duplicate key 'tiemout'"));
	assert_non_null(strstr(msg, "did you mean 'timeout'"));
	json_t *phys = json_object_get(json_array_get(json_object_get(r0, "locations"), 0), "physicalLocation");
	assert_string_equal(json_string_value(json_object_get(json_object_get(phys, "artifactLocation"), "uri")),
			    "plans/a.yaml");
	json_t *reg = json_object_get(phys, "region");
	assert_int_equal(json_integer_value(json_object_get(reg, "startLine")), 2);
	assert_int_equal(json_integer_value(json_object_get(reg, "startColumn")), 12);
	assert_int_equal(json_integer_value(json_object_get(reg, "endLine")), 2);
	assert_int_equal(json_integer_value(json_object_get(reg, "endColumn")), 19);
	/* no location: no locations */
	assert_int_equal(json_array_size(json_object_get(json_array_get(results, 1), "locations")), 0);
	/* absolute under the working directory: relative, percent-encoded */
	json_t *r2 = json_array_get(results, 2);
	phys = json_object_get(json_array_get(json_object_get(r2, "locations"), 0), "physicalLocation");
	assert_string_equal(json_string_value(json_object_get(json_object_get(phys, "artifactLocation"), "uri")),
			    "plans/my%20plan.yaml");
	reg = json_object_get(phys, "region");
	assert_null(json_object_get(reg, "endColumn"));   /* empty range: start only */
	/* no line: the file, at line 1 (GitHub needs a startLine) */
	json_t *r3 = json_array_get(results, 3);
	phys = json_object_get(json_array_get(json_object_get(r3, "locations"), 0), "physicalLocation");
	assert_string_equal(json_string_value(json_object_get(json_object_get(phys, "artifactLocation"), "uri")),
			    "x.yml");
	reg = json_object_get(phys, "region");
	assert_int_equal(json_integer_value(json_object_get(reg, "startLine")), 1);
	assert_null(json_object_get(reg, "endLine"));
	json_t *r4 = json_array_get(results, 4);
	phys = json_object_get(json_array_get(json_object_get(r4, "locations"), 0), "physicalLocation");
	assert_string_equal(json_string_value(json_object_get(json_object_get(phys, "artifactLocation"), "uri")),
			    "file:///nonexistent-root/p.yaml");
	json_decref(log);
	free(out);
	diag_release(&d);
}

static void test_sarif_empty(void **state)
{
	(void)state;
	struct diag_list d;
	diag_init(&d);
	char *out = render(&d, DIAG_SARIF, 0);
	json_error_t err;
	json_t *log = json_loads(out, 0, &err);
	assert_non_null(log);
	json_t *run = json_array_get(json_object_get(log, "runs"), 0);
	assert_int_equal(json_array_size(json_object_get(run, "results")), 0);
	json_decref(log);
	free(out);
}

static void test_github(void **state)
{
	(void)state;
	struct diag_list d;
	sample(&d);
	struct loc l = at("odd,name:x.yaml", 3, 1, 6);
	struct diag *g = diag_add(&d, OP001, &l, "100%% wrong\nreally");
	diag_hint(g, "fix it");
	char *out = render(&d, DIAG_GITHUB, 0);
	assert_string_equal(out,
		"::error file=plans/a.yaml,line=2,col=12,endLine=2,endColumn=19,title=OP002::"
		"duplicate key 'tiemout'%0Ahint: did you mean 'timeout'\n"
		"::error title=OP011::cannot read 'x'\n"
		"::error file=odd%2Cname%3Ax.yaml,line=3,col=1,endLine=3,endColumn=6,title=OP001::"
		"100%25 wrong%0Areally%0Ahint: fix it\n");
	free(out);
	diag_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_and_werror),
		cmocka_unit_test(test_owns_strings),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_alignment_and_escapes),
		cmocka_unit_test(test_text_long_line),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_invalid_utf8),
		cmocka_unit_test(test_sarif),
		cmocka_unit_test(test_sarif_empty),
		cmocka_unit_test(test_github),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
