/* kube_watch.c - list + watch until the caller's condition holds.
 *
 * The stream is JSON lines ({"type":..., "object":...}) read incrementally
 * from curl's write callback.  Recovery: a 410 (HTTP status or in-stream
 * ERROR event) means the resourceVersion is too old, so relist; a cut stream
 * or the server's timeoutSeconds resumes from the last resourceVersion seen
 * (events and bookmarks); KUBE_WATCH_MAX_FAILS failed watches in a row (no
 * event, shorter than KUBE_WATCH_HEALTHY_MS) switch to polling (a relist each
 * KUBE_POLL_MS) for KUBE_POLL_ROUNDS rounds, then watching is tried again.
 * The watch has its own curl handle so the callback may use the client for
 * other calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube_int.h"
#include "mem.h"

#define KUBE_WATCH_MAX_FAILS 3
#define KUBE_POLL_MS         1000
#define KUBE_POLL_ROUNDS     5       /* polls before trying to watch again */
#define KUBE_WATCH_HEALTHY_MS 2000   /* a stream this old was working when cut */
#define KUBE_WATCH_SERVER_S  300     /* timeoutSeconds when there is no deadline */

struct wstate {
	struct kube_client *c;
	kube_watch_cb cb;
	void *ctx;
	struct kube_watch_stats *st;
	struct kube_err *err;
	CURL *h;
	struct strbuf line;      /* partial line carried between callbacks */
	struct strbuf errbody;   /* non-200 reply body */
	char rv[64];
	int stop;                /* cb result: 1 done, < 0 abort */
	int gone;                /* in-stream 410 */
	int fatal;               /* in-stream ERROR other than 410 */
	int toolarge;
	int progress;            /* events or bookmarks in this attempt */
};

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (ms > 0 && nanosleep(&ts, &ts) != 0)
		;
}

static void set_rv(struct wstate *w, const json_t *obj)
{
	const char *rv = json_string_value(json_object_get(json_object_get(obj, "metadata"),
							   "resourceVersion"));
	if (rv && strlen(rv) < sizeof w->rv)
		snprintf(w->rv, sizeof w->rv, "%s", rv);
}

/* Handle one event line.  Returns 0 to go on, -1 to end the stream. */
static int on_event(struct wstate *w, const char *s, size_t n)
{
	json_t *j = json_loadb(s, n, 0, NULL);
	const char *type = json_string_value(json_object_get(j, "type"));
	json_t *obj = json_object_get(j, "object");
	int rc = 0;

	if (!type || !json_is_object(obj)) {
		/* a line that is not an event: the stream is corrupt, resume */
		rc = -1;
		goto done;
	}
	if (!strcmp(type, "BOOKMARK")) {
		set_rv(w, obj);
		w->st->bookmarks++;
		w->progress = 1;
	} else if (!strcmp(type, "ERROR")) {
		json_int_t code = json_integer_value(json_object_get(obj, "code"));
		const char *reason = json_string_value(json_object_get(obj, "reason"));
		if (code == 410 || (reason && (!strcmp(reason, "Expired") || !strcmp(reason, "Gone")))) {
			w->gone = 1;
		} else {
			kube_status_from_json(w->err, (long)code, obj);
			w->fatal = 1;
		}
		rc = -1;
	} else {
		enum kube_event_type t = !strcmp(type, "ADDED") ? KUBE_EV_ADDED
				       : !strcmp(type, "MODIFIED") ? KUBE_EV_MODIFIED
				       : !strcmp(type, "DELETED") ? KUBE_EV_DELETED : (enum kube_event_type)-1;
		if ((int)t < 0)
			goto done;   /* an event type from the future: skip it */
		set_rv(w, obj);
		w->st->events++;
		w->progress = 1;
		int r = w->cb(w->ctx, t, obj);
		if (r != 0) {
			w->stop = r;
			rc = -1;
		}
	}
done:
	json_decref(j);
	return rc;
}

static size_t on_data(char *p, size_t sz, size_t nm, void *ud)
{
	struct wstate *w = ud;
	size_t n = sz * nm;
	long code = 0;

	curl_easy_getinfo(w->h, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		if (w->errbody.len + n > 65536)
			return n;    /* keep the head of an error body only */
		sb_add(&w->errbody, p, n);
		return n;
	}
	if (w->line.len + n > KUBE_MAX_BODY) {
		w->toolarge = 1;
		return 0;
	}
	sb_add(&w->line, p, n);
	size_t start = 0;
	for (size_t i = w->line.len - n; i < w->line.len; i++) {
		if (w->line.s[i] != '\n')
			continue;
		if (i > start && on_event(w, w->line.s + start, i - start) < 0)
			return 0;   /* ends the transfer: CURLE_WRITE_ERROR */
		start = i + 1;
	}
	memmove(w->line.s, w->line.s + start, w->line.len - start);
	w->line.len -= start;
	w->line.s[w->line.len] = 0;
	return n;
}

/* List and deliver a snapshot.  0, or -1 with err (w->stop set if the
 * callback ended it). */
static int relist(struct wstate *w, const char *path)
{
	json_t *list = NULL, *item;
	size_t i;
	int rc = -1;

	if (kube_list(w->c, path, &list, w->err) < 0)
		goto done;
	set_rv(w, list);
	json_array_foreach(json_object_get(list, "items"), i, item) {
		int r = w->cb(w->ctx, KUBE_EV_LISTED, item);
		if (r != 0) {
			w->stop = r;
			rc = 0;
			goto done;
		}
	}
	w->stop = w->cb(w->ctx, KUBE_EV_SYNCED, NULL);
	rc = 0;
done:
	json_decref(list);
	return rc;
}

static int retryable(const struct kube_err *e)
{
	return e->cls == KUBE_ERR_NETWORK || e->cls == KUBE_ERR_SERVER ||
	       e->cls == KUBE_ERR_THROTTLED || e->cls == KUBE_ERR_TIMEOUT;
}

/* One watch request from w->rv.  Returns the curl code; *code the status. */
static CURLcode watch_once(struct wstate *w, const char *path, int64_t deadline, long *code)
{
	struct curl_slist *hdrs = NULL;
	long left_s = deadline == INT64_MAX ? KUBE_WATCH_SERVER_S
					    : (long)((deadline - kube_now_ms()) / 1000) + 1;
	if (left_s > KUBE_WATCH_SERVER_S)
		left_s = KUBE_WATCH_SERVER_S;
	char *p = xasprintf("%s%swatch=1&resourceVersion=%s&allowWatchBookmarks=true&timeoutSeconds=%ld",
			    path, strchr(path, '?') ? "&" : "?", w->rv, left_s);
	char *url = kube_http_url(w->c, p, 0);
	int64_t t0 = kube_now_ms();
	struct kube_fb fb;
	CURLcode cc;

	*code = 0;
	sb_release(&w->line);
	sb_release(&w->errbody);
	w->gone = w->fatal = w->toolarge = w->progress = 0;
	curl_easy_reset(w->h);
	if (kube_http_auth_headers(w->c, w->h, &hdrs, w->err) < 0) {
		cc = CURLE_LOGIN_DENIED;
		goto done;
	}
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	curl_easy_setopt(w->h, CURLOPT_URL, url);
	curl_easy_setopt(w->h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(w->h, CURLOPT_USERAGENT, "opsplan");
	curl_easy_setopt(w->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->h, CURLOPT_CONNECTTIMEOUT_MS, w->c->connect_timeout_ms);
	if (deadline != INT64_MAX)
		curl_easy_setopt(w->h, CURLOPT_TIMEOUT_MS,
				 (long)(deadline - kube_now_ms() > 1 ? deadline - kube_now_ms() : 1));
	/* a silent stream is a dead one: the server sends bookmarks */
	curl_easy_setopt(w->h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(w->h, CURLOPT_LOW_SPEED_TIME, (long)KUBE_WATCH_SERVER_S + 30);
	curl_easy_setopt(w->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(w->h, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(w->h, CURLOPT_PROTOCOLS_STR, "https,http");
	/* the headers come at once; the stream may then be quiet for minutes */
	kube_http_first_byte(&fb, w->h, w->c->first_byte_ms, 1);
	cc = curl_easy_perform(w->h);
	curl_easy_getinfo(w->h, CURLINFO_RESPONSE_CODE, code);
	kube_http_debug(w->c, "WATCH", url, *code, t0, cc == CURLE_OK ? NULL : curl_easy_strerror(cc));
	/* a final line without '\n' before a clean end is still an event */
	if (cc == CURLE_OK && *code == 200 && w->line.len && !w->stop && !w->gone && !w->fatal)
		on_event(w, w->line.s, w->line.len);
done:
	curl_slist_free_all(hdrs);
	free(url);
	free(p);
	return cc;
}

int kube_watch(struct kube_client *c, const char *path, const char *rv,
	       long timeout_ms, kube_watch_cb cb, void *ctx,
	       struct kube_watch_stats *stats, struct kube_err *err)
{
	struct kube_watch_stats dummy;
	struct kube_err errs;
	struct wstate w = {0};
	int64_t deadline = timeout_ms > 0 ? kube_now_ms() + timeout_ms : INT64_MAX;
	int need_list = !rv || !*rv, fails = 0, polls = 0, reauthed = 0, rc = -1;

	if (!err)
		err = &errs;
	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof *stats);
	kube_err_clear(err);
	w.c = c;
	w.cb = cb;
	w.ctx = ctx;
	w.st = stats;
	w.err = err;
	w.h = curl_easy_init();
	if (!w.h)
		abort();
	if (rv && *rv)
		snprintf(w.rv, sizeof w.rv, "%s", rv);

	for (;;) {
		long code = 0;
		if (kube_now_ms() >= deadline) {
			kube_fail(err, KUBE_ERR_TIMEOUT, "watch '%s': condition not met within %ld ms",
				  path, timeout_ms);
			goto done;
		}
		if (need_list || fails >= KUBE_WATCH_MAX_FAILS) {
			if (fails >= KUBE_WATCH_MAX_FAILS) {
				stats->polls++;
				if (polls++ > 0) {
					int64_t left = deadline - kube_now_ms();
					sleep_ms(left < KUBE_POLL_MS ? (long)left : KUBE_POLL_MS);
				}
			}
			if (relist(&w, path) < 0) {
				if (!retryable(err))
					goto done;
				fails++;
				continue;
			}
			if (w.stop)
				break;
			need_list = 0;
			if (fails >= KUBE_WATCH_MAX_FAILS) {
				if (polls < KUBE_POLL_ROUNDS)
					continue;
				fails = polls = 0;   /* give watching another chance */
			}
		}
		int64_t t0 = kube_now_ms();
		CURLcode cc = watch_once(&w, path, deadline, &code);
		/* a stream that carried something or lived a while was a working
		 * watch cut by someone (a proxy, a restart): resume at once */
		int worked = w.progress || kube_now_ms() - t0 >= KUBE_WATCH_HEALTHY_MS;
		snprintf(stats->last_rv, sizeof stats->last_rv, "%s", w.rv);
		if (w.stop)
			break;
		if (cc == CURLE_LOGIN_DENIED || w.fatal)
			goto done;      /* credentials unobtainable, or an ERROR event */
		if (w.toolarge) {
			kube_fail(err, KUBE_ERR_TOOLARGE, "watch '%s': an event is larger than %zu bytes",
				  path, KUBE_MAX_BODY);
			goto done;
		}
		if (w.gone || (cc == CURLE_OK && code == 410)) {
			stats->relists++;
			need_list = 1;
			continue;
		}
		if (cc == CURLE_OK && code != 200) {
			kube_status_to_err(err, code, w.errbody.s, w.errbody.len);
			kube_http_explain_denied(c, "WATCH", path, err);
			if (code == 401 && !reauthed && (c->cfg.exec || c->cfg.token_file)) {
				reauthed = 1;
				kube_cred_invalidate(&c->cred);
				continue;
			}
			if (!retryable(err))
				goto done;
			worked = 0;
		}
		if (cc == CURLE_OPERATION_TIMEDOUT && kube_now_ms() >= deadline)
			continue;       /* reported at the top of the loop */
		/* the server's timeoutSeconds ran out (200, clean end) or the stream
		 * was cut: resume from the last resourceVersion */
		stats->resumes++;
		fails = worked ? 0 : fails + 1;
		if (fails)
			sleep_ms(kube_http_backoff_ms(fails - 1, -1) / 4);
	}
	if (w.stop < 0) {
		kube_fail(err, KUBE_ERR_ABORTED, "watch '%s': stopped by the caller", path);
		goto done;
	}
	kube_err_clear(err);
	rc = 0;
done:
	snprintf(stats->last_rv, sizeof stats->last_rv, "%s", w.rv);
	sb_release(&w.line);
	sb_release(&w.errbody);
	curl_easy_cleanup(w.h);
	return rc;
}
