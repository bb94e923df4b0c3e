/* test_compiler_cases.c - the data-driven compiler corpus.
 *
 * Every tests/compiler/cases/NAME.yaml is compiled with compile_file(); its
 * diagnostics must be exactly those listed in NAME.expected, one per line:
 *
 *   LINE:COL CODE                      a diagnostic at that place
 *   LINE:COL CODE ~ substring          ... whose message contains substring
 *     hint: text                       ... and which has this hint (exact)
 *
 * Blank lines and lines starting with '#' are ignored.  An empty .expected
 * means the plan compiles clean.  A comment line `# params: k=v k=v` among
 * the comment lines that open NAME.yaml compiles it as `opsplan compile -p
 * k=v -p k=v` would (values without spaces; a required param without a value
 * is then an error).  Every expected diagnostic must be present
 * and nothing else may be: a mismatch prints both sides.  One exception:
 * OP106 (a param never read) is checked only in cases whose .expected names
 * it, even in a comment: the corpus's template declares a 'cluster' param
 * that most cases never read.  OPSPLAN_CASES
 * overrides the directory; OPSPLAN_CASE=NAME runs one case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "diag.h"
#include "mem.h"

#define MAX_EXPECT_LINE 1024

struct expect {
	unsigned line, col;
	char code[16];
	char *substr;          /* NULL: any message */
	char **hints;
	size_t nhints;
	int matched;
};

struct expectations {
	struct expect *items;
	size_t n, cap;
	int unused_params;       /* the .expected names OP106: check it */
};

static void expectations_release(struct expectations *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->items[i].substr);
		for (size_t h = 0; h < e->items[i].nhints; h++)
			free(e->items[i].hints[h]);
		free(e->items[i].hints);
	}
	free(e->items);
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
	return s;
}

/* Returns -1 with a message on a malformed .expected, so a typo in the
 * corpus fails loudly instead of expecting nothing. */
static int load_expected(const char *path, struct expectations *out)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		print_error("cannot open '%s'\n", path);
		return -1;
	}
	char buf[MAX_EXPECT_LINE];
	unsigned lineno = 0;
	int rc = 0;
	while (fgets(buf, sizeof buf, f)) {
		lineno++;
		char *s = trim(buf);
		if (strstr(s, "OP106"))
			out->unused_params = 1;
		if (!*s || *s == '#')
			continue;
		if (!strncmp(s, "hint:", 5)) {
			if (!out->n) {
				print_error("%s:%u: hint before any diagnostic\n", path, lineno);
				rc = -1;
				break;
			}
			struct expect *e = &out->items[out->n - 1];
			e->hints = xrealloc(e->hints, (e->nhints + 1) * sizeof *e->hints);
			e->hints[e->nhints++] = xstrdup(trim(s + 5));
			continue;
		}
		struct expect e = {0};
		int used = 0;
		if (sscanf(s, "%u:%u %15s%n", &e.line, &e.col, e.code, &used) != 3) {
			print_error("%s:%u: expected 'LINE:COL CODE [~ text]', got '%s'\n", path, lineno, s);
			rc = -1;
			break;
		}
		char *rest = trim(s + used);
		if (*rest == '~')
			e.substr = xstrdup(trim(rest + 1));
		else if (*rest) {
			print_error("%s:%u: trailing text '%s' (use '~ text')\n", path, lineno, rest);
			rc = -1;
			break;
		}
		XGROW(out->items, out->cap, out->n + 1);
		out->items[out->n++] = e;
	}
	fclose(f);
	return rc;
}

static int hint_present(const struct diag *g, const char *h)
{
	for (size_t i = 0; i < g->nhints; i++)
		if (!strcmp(g->hints[i], h))
			return 1;
	return 0;
}

static int matches(const struct expect *e, const struct diag *g)
{
	if (e->line != g->loc.line || e->col != g->loc.col || strcmp(e->code, diag_code_name(g->code)))
		return 0;
	if (e->substr && !strstr(g->msg, e->substr))
		return 0;
	for (size_t h = 0; h < e->nhints; h++)
		if (!hint_present(g, e->hints[h]))
			return 0;
	return 1;
}

static void print_actual(const struct diag_list *d)
{
	print_error("  actual diagnostics (as .expected lines):\n");
	if (!d->n)
		print_error("    (none)\n");
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *g = &d->items[i];
		print_error("    %u:%u %s ~ %s\n", g->loc.line, g->loc.col, diag_code_name(g->code), g->msg);
		for (size_t h = 0; h < g->nhints; h++)
			print_error("      hint: %s\n", g->hints[h]);
	}
}

#define MAX_CASE_PARAMS 16

/* The `# params:` line among the leading comments: each k=v into out
 * (strings in *buf, which the caller frees); returns how many, -1 if the
 * line is malformed. */
static int case_params(const char *yaml, const char **out, char **buf)
{
	*buf = NULL;
	FILE *f = fopen(yaml, "r");
	if (!f)
		return 0;
	char line[MAX_EXPECT_LINE];
	int n = 0;
	while (fgets(line, sizeof line, f) && line[0] == '#') {
		if (strncmp(line, "# params:", 9) != 0)
			continue;
		*buf = xstrdup(line + 9);
		for (char *tok = strtok(*buf, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
			if (!strchr(tok, '=') || n == MAX_CASE_PARAMS) {
				n = -1;
				break;
			}
			out[n++] = tok;
		}
		break;
	}
	fclose(f);
	return n;
}

static void run_case(void **state)
{
	const char *yaml = *state;
	size_t n = strlen(yaml);
	char *exp_path = xasprintf("%.*s.expected", (int)(n - 5), yaml);
	struct expectations ex = {0};
	struct diag_list d;
	diag_init(&d);
	int bad = load_expected(exp_path, &ex) < 0;
	const char *params[MAX_CASE_PARAMS];
	char *pbuf;
	int np = case_params(yaml, params, &pbuf);
	if (np < 0) {
		print_error("%s: '# params:' wants k=v words, at most %d\n", yaml, MAX_CASE_PARAMS);
		bad = 1;
	}
	struct compile_opts o = {params, np > 0 ? (size_t)np : 0, pbuf != NULL};
	struct compiled *c = bad ? NULL : compile_file(yaml, &o, &d);
	free(pbuf);
	diag_sort(&d);

	size_t extra = 0, missing = 0;
	char *used = xcalloc(d.n ? d.n : 1, 1);
	for (size_t i = 0; !bad && i < ex.n; i++) {
		for (size_t j = 0; j < d.n; j++) {
			if (!used[j] && matches(&ex.items[i], &d.items[j])) {
				used[j] = 1;
				ex.items[i].matched = 1;
				break;
			}
		}
		if (!ex.items[i].matched) {
			if (!missing++)
				print_error("%s: expected but not reported:\n", yaml);
			print_error("    %u:%u %s%s%s\n", ex.items[i].line, ex.items[i].col, ex.items[i].code,
				    ex.items[i].substr ? " ~ " : "", ex.items[i].substr ? ex.items[i].substr : "");
			for (size_t h = 0; h < ex.items[i].nhints; h++)
				print_error("      hint: %s\n", ex.items[i].hints[h]);
		}
	}
	for (size_t j = 0; !bad && j < d.n; j++) {
		if (used[j] || (d.items[j].code == OP106 && !ex.unused_params))
			continue;
		if (!extra++)
			print_error("%s: reported but not expected:\n", yaml);
		print_error("    %u:%u %s ~ %s\n", d.items[j].loc.line, d.items[j].loc.col,
			    diag_code_name(d.items[j].code), d.items[j].msg);
	}
	if (missing || extra)
		print_actual(&d);
	free(used);
	compile_free(c);
	diag_release(&d);
	expectations_release(&ex);
	free(exp_path);
	assert_false(bad);
	assert_int_equal(missing, 0);
	assert_int_equal(extra, 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	const char *dir = getenv("OPSPLAN_CASES");
	const char *only = getenv("OPSPLAN_CASE");
	if (!dir)
		dir = "tests/compiler/cases";
	DIR *dh = opendir(dir);
	if (!dh) {
		fprintf(stderr, "test_compiler_cases: cannot open '%s' (run from the repository root)\n", dir);
		return 1;
	}
	char **paths = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *de = readdir(dh); de; de = readdir(dh)) {
		size_t len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".yaml"))
			continue;
		if (only && (strncmp(de->d_name, only, len - 5) || strlen(only) != len - 5))
			continue;
		XGROW(paths, cap, n + 1);
		paths[n++] = xasprintf("%s/%s", dir, de->d_name);
	}
	closedir(dh);
	if (!n) {
		fprintf(stderr, "test_compiler_cases: no cases in '%s'\n", dir);
		return 1;
	}
	qsort(paths, n, sizeof *paths, cmp_str);
	struct CMUnitTest *tests = xcalloc(n, sizeof *tests);
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(paths[i], '/') + 1;
		tests[i].name = base;
		tests[i].test_func = run_case;
		tests[i].initial_state = paths[i];
	}
	int rc = _cmocka_run_group_tests("compiler_cases", tests, n, NULL, NULL);
	free(tests);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
}
