/* cli_runs.c - `opsplan runs`: the recorded runs, and one run's report.
 *
 *   opsplan runs [--journal DIR] [--format text|json]
 *   opsplan runs show RUN [--journal DIR] [--report text|md|json|html|FILE.md|FILE.json|FILE.html]
 *
 * Read-only: a torn tail is reported, never cut (only `run --resume` cuts). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "journal.h"
#include "mem.h"
#include "report.h"

#define USAGE "usage: opsplan runs [--journal DIR] [--format text|json]\n" \
	      "       opsplan runs show RUN [--journal DIR] [--report text|md|json|html|FILE.{md,json,html}]\n"

struct runs_args {
	const char *dir, *format, *report, *run;
	int show, help;
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("opsplan runs: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n" USAGE, stderr);
	return EXIT_USAGE;
}

/* --opt VALUE or --opt=VALUE; returns the value or NULL (and advances *i). */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0' || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int parse_args(int argc, char **argv, struct runs_args *a)
{
	memset(a, 0, sizeof *a);
	static const char *const names[] = {"--journal", "--format", "--report"};
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char **slot[] = {&a->dir, &a->format, &a->report};
		int matched = 0;
		for (size_t k = 0; k < 3 && !matched; k++) {
			const char *v = opt_value(argc, argv, &i, names[k]);
			if (v) {
				*slot[k] = v;
				matched = 1;
			}
		}
		if (matched)
			continue;
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			a->help = 1;
		} else if (arg[0] == '-') {
			return usage_error("unknown or incomplete option '%s'", arg);
		} else if (!a->show && !strcmp(arg, "show") && !a->run) {
			a->show = 1;
		} else if (a->show && !a->run) {
			a->run = arg;
		} else {
			return usage_error("unexpected argument '%s'", arg);
		}
	}
	if (a->help)
		return 0;
	if (a->show && !a->run)
		return usage_error("%s", "'show' needs a run id (see 'opsplan runs')");
	if (!a->show && a->report)
		return usage_error("%s", "--report goes with 'show RUN'");
	if (a->show && a->format)
		return usage_error("%s", "--format goes with the list; use --report with 'show'");
	return 0;
}

static void iso_seconds(char *out, size_t n, long long ms)
{
	if (ms <= 0) {
		snprintf(out, n, "-");
		return;
	}
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%SZ", &tm);
}

static void list_text(const struct journal_run_info *v, size_t n, const char *dir, FILE *out)
{
	if (n == 0) {
		fprintf(out, "no runs recorded in '%s'\n", dir);
		return;
	}
	int wid = 3, wplan = 4, wtgt = 17;
	for (size_t i = 0; i < n; i++) {
		int a = (int)strlen(v[i].id);
		int b = v[i].plan ? (int)strlen(v[i].plan) : 1;
		int c = (int)(strlen(v[i].ns ? v[i].ns : "-") + strlen(v[i].cluster ? v[i].cluster : "-") + 1);
		wid = a > wid ? a : wid;
		wplan = b > wplan ? b : wplan;
		wtgt = c > wtgt ? c : wtgt;
	}
	fprintf(out, "%-*s  %-*s  %-*s  %-20s  %-22s  %s\n", wid, "RUN", wplan, "PLAN", wtgt,
		"NAMESPACE/CLUSTER", "STARTED", "STATE", "DURATION");
	for (size_t i = 0; i < n; i++) {
		const struct journal_run_info *r = &v[i];
		char tgt[512], started[32], dur[32], state[64];
		snprintf(tgt, sizeof tgt, "%s/%s", r->ns ? r->ns : "-", r->cluster ? r->cluster : "-");
		iso_seconds(started, sizeof started, r->started_ms);
		report_duration(dur, sizeof dur, r->started_ms ? r->last_ms - r->started_ms : -1);
		if (r->exit_code >= 0)
			snprintf(state, sizeof state, "%s (exit %d)%s", r->state, r->exit_code, r->dry_run ? " dry" : "");
		else
			snprintf(state, sizeof state, "%s%s", r->state, r->dry_run ? " dry" : "");
		fprintf(out, "%-*s  %-*s  %-*s  %-20s  %-22s  %s\n", wid, r->id, wplan, r->plan ? r->plan : "-",
			wtgt, tgt, started, state, dur);
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].error && !strcmp(v[i].state, "corrupt"))
			fprintf(stderr, "opsplan runs: %s\n", v[i].error);
}

static void list_json(const struct journal_run_info *v, size_t n, FILE *out)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct journal_run_info *r = &v[i];
		json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s, s:b, s:s?}", "id", r->id, "path", r->path,
				      "plan", r->plan, "namespace", r->ns, "cluster", r->cluster, "state", r->state,
				      "dry_run", r->dry_run, "error", r->error);
		if (r->started_ms) {
			json_object_set_new(o, "started_ms", json_integer(r->started_ms));
			json_object_set_new(o, "duration_ms", json_integer(r->last_ms - r->started_ms));
		}
		json_object_set_new(o, "exit_code", r->exit_code >= 0 ? json_integer(r->exit_code) : json_null());
		json_object_set_new(o, "cut_bytes", json_integer((json_int_t)r->cut_bytes));
		json_array_append_new(arr, o);
	}
	json_dumpf(arr, out, JSON_INDENT(2));
	fputc('\n', out);
	json_decref(arr);
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a > b && !strcmp(s + a - b, suf);
}

static int show(const char *dir, const struct runs_args *a)
{
	enum report_format fmt = REPORT_TEXT;
	const char *file = NULL;
	if (a->report && report_format_parse(a->report, &fmt) < 0) {
		if (ends_with(a->report, ".md"))
			fmt = REPORT_MARKDOWN;
		else if (ends_with(a->report, ".json"))
			fmt = REPORT_JSON;
		else if (ends_with(a->report, ".html"))
			fmt = REPORT_HTML;
		else
			return usage_error("unknown report format '%s' (text, md, json, html, FILE.md, FILE.json or FILE.html)",
					   a->report);
		file = a->report;
	}
	char *path = NULL;
	struct journal_records r = {0};
	struct journal_err err = {0};
	FILE *out = stdout;
	int rc = EXIT_USAGE;
	if (journal_resolve(dir, a->run, &path, &err) < 0 || journal_load(path, &r, &err) < 0) {
		fprintf(stderr, "opsplan runs: %s\n", err.msg);
		/* a report from a journal that fails verification would be fiction */
		if (err.code == JOURNAL_ECORRUPT)
			rc = EXIT_REFUSED;
		goto done;
	}
	if (r.cut_bytes)
		fprintf(stderr, "opsplan runs: note: torn tail of %zu bytes at the end of '%s' ignored "
				"(cut when the run is resumed)\n", r.cut_bytes, path);
	if (file) {
		out = fopen(file, "w");
		if (!out) {
			fprintf(stderr, "opsplan runs: cannot write '%s': %s\n", file, strerror(errno));
			out = stdout;
			goto done;
		}
	}
	if (report_render(&r, fmt, out) < 0) {
		fprintf(stderr, "opsplan runs: cannot write the report to '%s'\n", file ? file : "standard output");
		goto done;
	}
	rc = EXIT_OK;
done:
	if (out != stdout && fclose(out) != 0 && rc == EXIT_OK) {
		fprintf(stderr, "opsplan runs: cannot write '%s': %s\n", file, strerror(errno));
		rc = EXIT_USAGE;
	}
	journal_records_release(&r);
	free(path);
	return rc;
}

int cli_runs(int argc, char **argv)
{
	struct runs_args a;
	int rc = parse_args(argc, argv, &a);
	if (rc != 0)
		return rc;
	if (a.help) {
		cli_help("runs", stdout);
		return EXIT_OK;
	}
	if (a.format && strcmp(a.format, "text") != 0 && strcmp(a.format, "json") != 0)
		return usage_error("unknown format '%s' (text or json)", a.format);
	char *dir = NULL;
	struct journal_err err = {0};
	if (a.dir) {
		dir = xstrdup(a.dir);
	} else if (journal_default_dir(&dir, &err) < 0) {
		fprintf(stderr, "opsplan runs: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (a.show) {
		rc = show(dir, &a);
		free(dir);
		return rc;
	}
	struct journal_run_info *v = NULL;
	size_t n = 0;
	if (journal_list_runs(dir, &v, &n, &err) < 0) {
		fprintf(stderr, "opsplan runs: %s\n", err.msg);
		free(dir);
		return EXIT_USAGE;
	}
	if (a.format && !strcmp(a.format, "json"))
		list_json(v, n, stdout);
	else
		list_text(v, n, dir, stdout);
	journal_run_info_free(v, n);
	free(dir);
	fflush(stdout);
	return ferror(stdout) ? EXIT_USAGE : EXIT_OK;
}
