/* cli_lint.c - `opsplan lint`: compile plans without a cluster and report
 * every finding in the format CI wants.  Files are linted one at a time and
 * freed; only SARIF keeps the findings (not the sources) for its one log.
 * A directory is walked for YAML files; those that are not plans (no
 * top-level `opsplan:`) are skipped and counted, `.opsplan.yaml` files
 * configure what is excluded and how findings are reported (lint_config.h). */
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
#include "lint_config.h"
#include "mem.h"
#include "yaml_load.h"

/* Directory trees deeper than this are a loop or a mistake. */
#define LINT_MAX_DIR_DEPTH 32
/* parse_args: --help was printed, exit 0 */
#define ARGS_HELPED 100

struct lint_file {
	char *path;                      /* as given or walked, as printed */
	char *rel;                       /* relative to cfg's directory */
	const struct lint_config *cfg;   /* borrowed from lint.configs; NULL: none */
	int walked;                      /* found in a directory: skipped if not a plan */
};

struct lint {
	enum diag_format fmt;
	int quiet, werror, color;
	struct lint_file *files;
	size_t nfiles, filecap;
	const char **exclude;     /* --exclude globs, borrowed from argv */
	size_t nexclude, excludecap;
	struct lint_config **configs;   /* every configuration read, owned */
	size_t nconfigs, configcap;
	char *last_dir, *last_rel;      /* file_config's cache: the last file's directory */
	const struct lint_config *last_cfg;
	int io_error;             /* something could not be read: exit 2 */
	size_t errors, warnings;
	size_t linted, not_plans, excluded;
	struct diag_list all;     /* SARIF: findings of every file */
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("opsplan lint: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nusage: opsplan lint [--format text|json|sarif|github] [--quiet] [-W error]\n"
	      "                   [--exclude GLOB]... PATH...\n",
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

static void add_file(struct lint *l, char *path, char *rel, const struct lint_config *cfg, int walked)
{
	XGROW(l->files, l->filecap, l->nfiles + 1);
	l->files[l->nfiles++] = (struct lint_file){path, rel, cfg, walked};
}

static const struct lint_config *keep_config(struct lint *l, struct lint_config *c)
{
	if (c) {
		XGROW(l->configs, l->configcap, l->nconfigs + 1);
		l->configs[l->nconfigs++] = c;
	}
	return c;
}

/* --exclude (against the path as printed) or the configuration (against the
 * path below its directory). */
static int excluded(const struct lint *l, const char *path, const struct lint_config *cfg, const char *rel)
{
	for (size_t i = 0; i < l->nexclude; i++)
		if (lint_glob_excludes(l->exclude[i], path))
			return 1;
	return lint_config_excludes(cfg, rel);
}

/* Walk dir in sorted order: hidden entries and node_modules are skipped, and
 * symbolic links to directories are not followed (no loops).  cfg governs
 * dir, whose path below cfg's directory is prefix; a subdirectory with its
 * own .opsplan.yaml is governed by that one instead. */
static void walk(struct lint *l, const char *dir, int depth, const struct lint_config *cfg, const char *prefix)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	int has_config = 0;
	DIR *dp = opendir(dir);
	if (!dp) {
		fprintf(stderr, "opsplan lint: cannot open directory '%s': %s\n", dir, strerror(errno));
		l->io_error = 1;
		return;
	}
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		has_config |= !strcmp(e->d_name, LINT_CONFIG_NAME);
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "node_modules"))
			continue;
		XGROW(names, cap, n + 1);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(dp);
	/* depth 0: lint_config_find has read this directory's already */
	if (has_config && depth > 0) {
		struct lint_config *own = NULL;
		if (lint_config_load(&own, dir) < 0)
			l->io_error = 1;
		else {
			cfg = keep_config(l, own);
			prefix = "";
		}
	}
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
		char *rel = xasprintf("%s%s", prefix, names[i]);
		struct stat st;
		int is_dir = lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
		if (!is_dir && !is_plan_name(names[i])) {
			free(path);
			free(rel);
		} else if (excluded(l, path, cfg, rel)) {
			l->excluded += !is_dir;
			free(path);
			free(rel);
		} else if (is_dir) {
			char *sub = xasprintf("%s/", rel);
			if (depth < LINT_MAX_DIR_DEPTH)
				walk(l, path, depth + 1, cfg, sub);
			else
				fprintf(stderr, "opsplan lint: skipping '%s': deeper than %d directories\n",
					path, LINT_MAX_DIR_DEPTH);
			free(sub);
			free(path);
			free(rel);
		} else if (stat(path, &st) < 0 || S_ISREG(st.st_mode)) {
			/* A plan that cannot be read is reported, not skipped. */
			add_file(l, path, rel, cfg, 1);
		} else {
			free(path);
			free(rel);
		}
		free(names[i]);
	}
	free(names);
}

/* The configuration of a file named on the command line: found from its
 * directory, once per directory (a hook passes many files of one). */
static const struct lint_config *file_config(struct lint *l, const char *arg, char **rel)
{
	const char *slash = strrchr(arg, '/');
	char *dir = slash ? xasprintf("%.*s", slash == arg ? 1 : (int)(slash - arg), arg) : xstrdup(".");
	if (!l->last_dir || strcmp(dir, l->last_dir)) {
		struct lint_config *c = NULL;
		free(l->last_dir);
		free(l->last_rel);
		if (lint_config_find(&c, &l->last_rel, dir) < 0)
			l->io_error = 1;
		l->last_cfg = keep_config(l, c);
		l->last_dir = dir;
	} else {
		free(dir);
	}
	*rel = xasprintf("%s%s", l->last_rel, slash ? slash + 1 : arg);
	return l->last_cfg;
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
		/* A file named on the command line is linted whatever its name,
		 * unless an exclude names it (a hook passes every changed file). */
		char *rel;
		const struct lint_config *cfg = file_config(l, arg, &rel);
		if (excluded(l, arg, cfg, rel)) {
			l->excluded++;
			free(rel);
			return;
		}
		add_file(l, xstrdup(arg), rel, cfg, 0);
		return;
	}
	struct lint_config *cfg = NULL;
	char *prefix = NULL;
	if (lint_config_find(&cfg, &prefix, arg) < 0)
		l->io_error = 1;
	size_t before = l->nfiles;
	walk(l, arg, 0, keep_config(l, cfg), prefix);
	free(prefix);
	if (l->nfiles == before && !l->quiet)
		fprintf(stderr, "opsplan lint: no *.yaml or *.yml files under '%s'\n", arg);
}

/* A YAML file found in a directory is a plan when its top-level mapping has
 * 'opsplan:' (docs/language.md).  One that did not load is judged from its
 * text: a line that starts with 'opsplan:' (a broken plan is still linted,
 * a broken Kubernetes manifest is not). */
static int looks_like_plan(const struct compiled *c)
{
	const struct ydoc *doc = c->doc;
	if (!doc || !doc->text || doc->sys_errno)
		return 1;   /* it could not be read: reported */
	if (doc->root)
		return doc->root->kind != YNODE_MAP || ynode_pair(doc->root, "opsplan") != NULL;
	return !strncmp(doc->text, "opsplan:", 8) || strstr(doc->text, "\nopsplan:") != NULL;
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

static void lint_one(struct lint *l, const struct lint_file *f)
{
	struct diag_list d;
	diag_init(&d);
	d.werror = l->werror;
	struct compile_opts o = {0};
	struct compiled *c = compile_file(f->path, &o, &d);
	if (f->walked && !looks_like_plan(c)) {
		l->not_plans++;
		diag_release(&d);
		compile_free(c);
		return;
	}
	l->linted++;
	lint_config_apply(f->cfg, f->rel, &d);
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
		} else if (!strcmp(a, "--exclude") || !strncmp(a, "--exclude=", 10)) {
			const char *v = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || !*v)
				return usage_error("'--exclude' needs a %s", "GLOB");
			XGROW(l->exclude, l->excludecap, l->nexclude + 1);
			l->exclude[l->nexclude++] = v;
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

/* After the findings, on standard error: stdout is flushed first so that a
 * combined log (2>&1) reads findings, then the summary. */
static void summary(const struct lint *l)
{
	fflush(stdout);
	fprintf(stderr, "%zu error%s, %zu warning%s in %zu file%s", l->errors,
		l->errors == 1 ? "" : "s", l->warnings, l->warnings == 1 ? "" : "s", l->linted,
		l->linted == 1 ? "" : "s");
	if (l->not_plans)
		fprintf(stderr, "; skipped %zu YAML file%s that %s not plans (no 'opsplan:')", l->not_plans,
			l->not_plans == 1 ? "" : "s", l->not_plans == 1 ? "is" : "are");
	if (l->excluded)
		fprintf(stderr, "; %zu excluded", l->excluded);
	fputc('\n', stderr);
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
		lint_one(&l, &l.files[i]);
	if (l.fmt == DIAG_SARIF)
		diag_print(&l.all, DIAG_SARIF, 0, stdout);
	if (l.fmt == DIAG_TEXT && !l.quiet)
		summary(&l);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "opsplan lint: cannot write the report: %s\n", strerror(errno));
		l.io_error = 1;
	}
	diag_release(&l.all);
	for (size_t i = 0; i < l.nfiles; i++) {
		free(l.files[i].path);
		free(l.files[i].rel);
	}
	free(l.files);
	for (size_t i = 0; i < l.nconfigs; i++)
		lint_config_free(l.configs[i]);
	free(l.configs);
	free(l.exclude);
	free(l.last_dir);
	free(l.last_rel);
	if (l.io_error)
		return EXIT_USAGE;
	if (l.errors || (l.werror && l.warnings))
		return EXIT_FINDINGS;
	return EXIT_OK;
}
