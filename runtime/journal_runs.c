/* journal_runs.c - runs as files: where they live, their ids, finding one,
 * listing them.  See journal.h. */
#include "journal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal_impl.h"
#include "mem.h"

int journal_default_dir(char **out, struct journal_err *err)
{
	*out = NULL;
	/* the XDG base directory spec says to ignore a relative path */
	const char *xdg = getenv("XDG_STATE_HOME");
	if (xdg && xdg[0] == '/') {
		*out = xasprintf("%s/opsplan/runs", xdg);
		return 0;
	}
	const char *home = getenv("HOME");
	if (!home || home[0] != '/')
		return journal_seterr_(err, JOURNAL_EINVAL, 0,
				       "neither 'XDG_STATE_HOME' nor 'HOME' is set; pass --journal DIR");
	*out = xasprintf("%s/.local/state/opsplan/runs", home);
	return 0;
}

void journal_run_id(char *out, const char *plan, time_t now)
{
	struct tm tm;
	gmtime_r(&now, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	char name[41];
	size_t n = 0;
	int dash = 1;   /* no leading or doubled dashes */
	for (const char *p = plan ? plan : ""; *p && n < sizeof name - 1; p++) {
		unsigned char c = (unsigned char)tolower((unsigned char)*p);
		if (isalnum(c) && c < 128) {
			name[n++] = (char)c;
			dash = 0;
		} else if (!dash) {
			name[n++] = '-';
			dash = 1;
		}
	}
	while (n > 0 && name[n - 1] == '-')
		n--;
	name[n] = '\0';
	unsigned short rnd;
	if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != (ssize_t)sizeof rnd)
		rnd = (unsigned short)(getpid() ^ now);
	snprintf(out, JOURNAL_RUN_ID_MAX, "%s-%s-%04x", stamp, n ? name : "plan", rnd);
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every NAME.jsonl in dir, as run ids, sorted.  A missing dir is empty. */
static int list_ids(const char *dir, char ***out, size_t *n, struct journal_err *err)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return journal_seterr_(err, JOURNAL_EIO, errno, "cannot read directory '%s': %s", dir,
				       strerror(errno));
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !ends_with(e->d_name, ".jsonl"))
			continue;
		XGROW(*out, cap, *n + 1);
		(*out)[(*n)++] = xstrndup(e->d_name, strlen(e->d_name) - 6);
	}
	closedir(d);
	if (*n)   /* qsort of an empty (NULL) array is undefined */
		qsort(*out, *n, sizeof **out, cmp_str);
	return 0;
}

static void free_ids(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

int journal_resolve(const char *dir, const char *run, char **path_out, struct journal_err *err)
{
	*path_out = NULL;
	struct stat st;
	if ((strchr(run, '/') || ends_with(run, ".jsonl")) && stat(run, &st) == 0) {
		*path_out = xstrdup(run);
		return 0;
	}
	char **ids;
	size_t n;
	int rc = list_ids(dir, &ids, &n, err);
	if (rc < 0)
		return rc;
	const char *hit = NULL;
	size_t hits = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(ids[i], run)) {
			hit = ids[i];
			hits = 1;
			break;
		}
		if (!strncmp(ids[i], run, strlen(run))) {
			hit = ids[i];
			hits++;
		}
	}
	/* then a unique part of one, e.g. its random suffix */
	if (hits == 0) {
		for (size_t i = 0; i < n; i++) {
			if (strstr(ids[i], run)) {
				hit = ids[i];
				hits++;
			}
		}
	}
	if (hits == 1)
		*path_out = xasprintf("%s/%s.jsonl", dir, hit);
	else if (hits == 0)
		rc = journal_seterr_(err, JOURNAL_ENOTFOUND, 0, "no run '%s' in '%s'", run, dir);
	else
		rc = journal_seterr_(err, JOURNAL_EINVAL, 0, "run '%s' is ambiguous: %zu runs in '%s' start with it",
				     run, hits, dir);
	free_ids(ids, n);
	return rc;
}

static char *str_field(const struct journal_record *rec, const char *key)
{
	const char *s = rec ? json_string_value(json_object_get(rec->data, key)) : NULL;
	return s ? xstrdup(s) : NULL;
}

static void summarize(const char *dir, const char *id, struct journal_run_info *info)
{
	struct journal_records r = {0};
	struct journal_err err = {0};
	info->id = xstrdup(id);
	info->path = xasprintf("%s/%s.jsonl", dir, id);
	info->exit_code = -1;
	if (journal_load(info->path, &r, &err) < 0) {
		info->state = xstrdup("corrupt");
		info->error = xstrdup(err.msg);
		goto done;
	}
	info->cut_bytes = r.cut_bytes;
	const struct journal_record *start = journal_next(&r, JOURNAL_RUN_START, NULL);
	const struct journal_record *end = NULL;
	for (const struct journal_record *p = journal_next(&r, JOURNAL_RUN_END, NULL); p;
	     p = journal_next(&r, JOURNAL_RUN_END, p))
		end = p;   /* a resumed run may have ended more than once: the last counts */
	info->plan = str_field(start, "plan");
	info->ns = str_field(start, "namespace");
	info->cluster = str_field(start, "cluster");
	info->dry_run = start && json_is_true(json_object_get(start->data, "dry_run"));
	info->started_ms = r.n ? r.items[0].ms : 0;
	info->last_ms = r.n ? r.items[r.n - 1].ms : 0;
	/* a run-end followed by a resume that has not ended yet: still open */
	if (end && !journal_next(&r, JOURNAL_RESUME, end)) {
		info->state = str_field(end, "state");
		info->error = str_field(end, "error");
		json_t *code = json_object_get(end->data, "exit_code");
		info->exit_code = json_is_integer(code) ? (int)json_integer_value(code) : -1;
	}
	if (!info->state) {
		char holder[JOURNAL_RUN_ID_MAX];
		int held = info->ns && info->cluster &&
			   journal_lock_held(dir, info->ns, info->cluster, holder) && !strcmp(holder, id);
		info->state = xstrdup(held ? "running" : "incomplete");
	}
done:
	journal_records_release(&r);
}

int journal_list_runs(const char *dir, struct journal_run_info **out, size_t *n,
		      struct journal_err *err)
{
	*out = NULL;
	*n = 0;
	char **ids;
	size_t nids;
	int rc = list_ids(dir, &ids, &nids, err);
	if (rc < 0)
		return rc;
	*out = xcalloc(nids ? nids : 1, sizeof **out);
	for (size_t i = 0; i < nids; i++)
		summarize(dir, ids[i], &(*out)[i]);
	*n = nids;
	free_ids(ids, nids);
	return 0;
}

void journal_run_info_free(struct journal_run_info *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].path);
		free(v[i].plan);
		free(v[i].ns);
		free(v[i].cluster);
		free(v[i].state);
		free(v[i].error);
	}
	free(v);
}
