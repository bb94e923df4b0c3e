/* cli_lint.c - `opsplan lint`: compile plans without a cluster and report
 * every finding in the format CI wants.  Files are linted one at a time and
 * freed; only SARIF keeps the findings (not the sources) for its one log. */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "compile.h"
#include "diag.h"
#include "mem.h"

/* Directory trees deeper than this are a loop or a mistake. */
#define LINT_MAX_DIR_DEPTH 32
/* parse_args: --help was printed, exit 0 */
#define ARGS_HELPED 100

struct lint {
	enum diag_format fmt;
	int quiet, werror, color;
	char **files;
	size_t nfiles, filecap;
	int io_error;             /* something could not be read: exit 2 */
	size_t errors, warnings;
	struct diag_list all;     /* SARIF: findings of every file */
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("opsplan lint: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nusage: opsplan lint [--format text|json|sarif|github] [--quiet] [-W error] PATH...\n",
	      stderr);
	return EXIT_USAGE;
}

static int is_plan_name(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_file(struct lint *l, char *path)
{
	XGROW(l->files, l->filecap, l->nfiles + 1);
	l->files[l->nfiles++] = path;
}

/* Walk dir in sorted order: hidden entries and node_modules are skipped, and
 * symbolic links to directories are not followed (no loops). */
static void walk(struct lint *l, const char *dir, int depth)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	DIR *dp = opendir(dir);
	if (!dp) {
		fprintf(stderr, "opsplan lint: cannot open directory '%s': %s\n", dir, strerror(errno));
		l->io_error = 1;
		return;
	}
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "node_modules"))
			continue;
		XGROW(names, cap, n + 1);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(dp);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (depth < LINT_MAX_DIR_DEPTH)
				walk(l, path, depth + 1);
			else
				fprintf(stderr, "opsplan lint: skipping '%s': deeper than %d directories\n",
					path, LINT_MAX_DIR_DEPTH);
			free(path);
		} else if (is_plan_name(names[i]) && (stat(path, &st) < 0 || S_ISREG(st.st_mode))) {
			/* A plan that cannot be read is reported, not skipped. */
			add_file(l, path);
		} else {
			free(path);
		}
		free(names[i]);
	}
	free(names);
}

static void collect(struct lint *l, const char *arg)
{
	struct stat st;
	if (stat(arg, &st) < 0) {
		fprintf(stderr, "opsplan lint: cannot read '%s': %s\n", arg, strerror(errno));
		l->io_error = 1;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		/* A file named on the command line is linted whatever its name. */
		add_file(l, xstrdup(arg));
		return;
	}
	size_t before = l->nfiles;
	walk(l, arg, 0);
	if (l->nfiles == before && !l->quiet)
		fprintf(stderr, "opsplan lint: no *.yaml or *.yml files under '%s'\n", arg);
}

static void free_diag(struct diag *g)
{
	free(g->msg);
	for (size_t h = 0; h < g->nhints; h++)
		free(g->hints[h]);
	free(g->hints);
	free((char *)g->loc.file);
}

/* --quiet: keep what counts as an error (warnings too under -W error). */
static void keep_errors(struct diag_list *d)
{
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++) {
		struct diag *g = &d->items[i];
		if (g->sev == DIAG_ERROR || (d->werror && g->sev == DIAG_WARNING))
			d->items[k++] = *g;
		else
			free_diag(g);
	}
	d->n = k;
}

/* Copy a file's findings into the run's list (SARIF prints them at the end). */
static void absorb(struct diag_list *all, const struct diag_list *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *g = &d->items[i];
		struct diag *c = diag_add(all, g->code, &g->loc, "%s", g->msg);
		c->sev = g->sev;
		for (size_t h = 0; h < g->nhints; h++)
			diag_hint(c, "%s", g->hints[h]);
	}
}

static void lint_one(struct lint *l, const char *path)
{
	struct diag_list d;
	diag_init(&d);
	d.werror = l->werror;
	struct compile_opts o = {0};
	struct compiled *c = compile_file(path, &o, &d);
	for (size_t i = 0; i < d.n; i++) {
		if (d.items[i].code == OP011)
			l->io_error = 1;
		if (d.items[i].sev == DIAG_ERROR)
			l->errors++;
		else if (d.items[i].sev == DIAG_WARNING)
			l->warnings++;
	}
	diag_sort(&d);
	if (l->quiet)
		keep_errors(&d);
	if (l->fmt == DIAG_SARIF)
		absorb(&l->all, &d);
	else
		diag_print(&d, l->fmt, l->color, stdout);
	/* Snippets point into the source: print before it is freed. */
	diag_release(&d);
	compile_free(c);
}

static int parse_args(struct lint *l, int argc, char **argv, int *first)
{
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_help("lint", stdout);
			return ARGS_HELPED;
		} else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
			l->quiet = 1;
		} else if (!strcmp(a, "--format") || !strncmp(a, "--format=", 9)) {
			const char *v = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v)
				return usage_error("'--format' needs a value: %s", "text, json, sarif or github");
			if (diag_format_parse(v, &l->fmt) < 0)
				return usage_error("unknown format '%s' (text, json, sarif or github)", v);
		} else if (!strcmp(a, "-W") || !strncmp(a, "-W", 2)) {
			const char *v = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || strcmp(v, "error"))
				return usage_error("unknown warning option '%s' (only '-W error')", v ? v : "");
			l->werror = 1;
		} else {
			return usage_error("unknown option '%s'", a);
		}
	}
	*first = i;
	if (i >= argc)
		return usage_error("%s", "no PATH given");
	return -1;
}

static void summary(const struct lint *l)
{
	fprintf(stderr, "%zu error%s, %zu warning%s in %zu file%s\n", l->errors,
		l->errors == 1 ? "" : "s", l->warnings, l->warnings == 1 ? "" : "s", l->nfiles,
		l->nfiles == 1 ? "" : "s");
}

int cli_lint(int argc, char **argv)
{
	struct lint l;
	memset(&l, 0, sizeof l);
	l.fmt = DIAG_TEXT;
	int first = 0, rc = parse_args(&l, argc, argv, &first);
	if (rc >= 0)
		return rc == ARGS_HELPED ? EXIT_OK : rc;
	const char *nc = getenv("NO_COLOR");
	l.color = l.fmt == DIAG_TEXT && isatty(STDOUT_FILENO) && !(nc && *nc);
	/* Each plan's arena is freed before the next is built: without a trim
	 * threshold glibc hands the pages back and faults them in again per
	 * plan (63,000 page faults on the 1,000-plan bench corpus). */
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
	diag_init(&l.all);
	l.all.werror = l.werror;
	for (int i = first; i < argc; i++)
		collect(&l, argv[i]);
	for (size_t i = 0; i < l.nfiles; i++)
		lint_one(&l, l.files[i]);
	if (l.fmt == DIAG_SARIF)
		diag_print(&l.all, DIAG_SARIF, 0, stdout);
	if (l.fmt == DIAG_TEXT && !l.quiet)
		summary(&l);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "opsplan lint: cannot write the report: %s\n", strerror(errno));
		l.io_error = 1;
	}
	diag_release(&l.all);
	for (size_t i = 0; i < l.nfiles; i++)
		free(l.files[i]);
	free(l.files);
	if (l.io_error)
		return EXIT_USAGE;
	if (l.errors || (l.werror && l.warnings))
		return EXIT_FINDINGS;
	return EXIT_OK;
}
