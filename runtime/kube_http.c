/* kube_http.c - requests to the API server: one reused connection, timeouts,
 * bounded bodies, retries with capped jittered backoff.
 *
 * Retry rules (client-go's, simplified): connection errors and 5xx are
 * retried only for GET/HEAD or when the caller says the request is safe to
 * repeat; 429 is retried for any method because the server did not process
 * the request; no other 4xx is ever retried.  Retry-After (seconds) wins
 * over the computed backoff, capped at KUBE_MAX_RETRY_AFTER_S. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "kube_int.h"
#include "mem.h"
#include "redact.h"

#define KUBE_BACKOFF_BASE_MS   200
#define KUBE_BACKOFF_CAP_MS    5000
#define KUBE_MAX_RETRY_AFTER_S 30

int64_t kube_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

long kube_http_backoff_ms(int attempt, long retry_after_s)
{
	if (retry_after_s >= 0)
		return (retry_after_s > KUBE_MAX_RETRY_AFTER_S ? KUBE_MAX_RETRY_AFTER_S
							       : retry_after_s) * 1000;
	long cap = KUBE_BACKOFF_BASE_MS << (attempt > 5 ? 5 : attempt);
	if (cap > KUBE_BACKOFF_CAP_MS)
		cap = KUBE_BACKOFF_CAP_MS;
	/* half fixed, half jitter: spreads clients without ever sleeping 0 */
	return cap / 2 + (long)(((unsigned long)rand() ^ (unsigned long)kube_now_ms()) %
				(unsigned long)(cap / 2 + 1));
}

void kube_http_debug(const struct kube_client *c, const char *method, const char *url,
		     long code, int64_t started_ms, const char *note)
{
	if (!c->debug)
		return;
	char *line = xasprintf("opsplan: http %s %s -> %ld (%lld ms)%s%s", method, url, code,
			       (long long)(kube_now_ms() - started_ms), note ? " " : "",
			       note ? note : "");
	char *safe = redact_text(line);
	fprintf(stderr, "%s\n", safe);
	free(safe);
	free(line);
}

void kube_http_notice(struct kube_client *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	char *safe = redact_text(m);
	if (c->notice)
		c->notice(c->notice_ctx, safe);
	else
		fprintf(stderr, "opsplan: %s\n", safe);
	free(safe);
	free(m);
}

/* "5 s", or "1500 ms" when not whole seconds. */
static const char *dur(long ms, char *buf, size_t n)
{
	if (ms % 1000)
		snprintf(buf, n, "%ld ms", ms);
	else
		snprintf(buf, n, "%ld s", ms / 1000);
	return buf;
}

/* Progress callback: no response header limit_ms after the request went
 * out (curl's pretransfer time: the connection, TCP and TLS, is up) ends
 * the transfer.  Before that the connect timeout is in charge. */
static int fb_progress(void *ud, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln)
{
	struct kube_fb *fb = ud;
	curl_off_t pre = 0;
	(void)dlt, (void)dln, (void)ult, (void)uln;
	if (fb->got_headers || fb->limit_ms <= 0)
		return 0;
	if (curl_easy_getinfo(fb->h, CURLINFO_PRETRANSFER_TIME_T, &pre) != CURLE_OK || pre <= 0)
		return 0;
	if (kube_now_ms() - (fb->t0 + pre / 1000) <= fb->limit_ms)
		return 0;
	fb->expired = 1;
	return 1;
}

void kube_http_fb_header(struct kube_fb *fb)
{
	fb->got_headers = 1;
}

static size_t fb_on_header(char *p, size_t sz, size_t n, void *ud)
{
	(void)p;
	kube_http_fb_header(ud);
	return sz * n;
}

void kube_http_first_byte(struct kube_fb *fb, CURL *h, long limit_ms, int own_header_cb)
{
	memset(fb, 0, sizeof *fb);
	fb->h = h;
	fb->t0 = kube_now_ms();
	fb->limit_ms = limit_ms;
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, fb_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, fb);
	if (own_header_cb) {
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, fb_on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, fb);
	}
}

enum kube_err_class kube_http_transport_err(struct kube_client *c, CURL *h, CURLcode cc,
					    const struct kube_fb *fb, const char *what,
					    const char *errbuf, int *is_stall, struct kube_err *err)
{
	curl_off_t tcp = 0, tls = 0, pre = 0;
	const char *srv = c->cfg.server;
	int https = !strncmp(srv, "https://", 8);
	char d[32];

	curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &tcp);
	curl_easy_getinfo(h, CURLINFO_APPCONNECT_TIME_T, &tls);
	curl_easy_getinfo(h, CURLINFO_PRETRANSFER_TIME_T, &pre);
	*is_stall = 1;
	err->http_code = 0;
	if (fb && fb->expired)
		kube_fail(err, KUBE_ERR_TIMEOUT, "%s %s: %s, but no reply came within %s",
			  srv, https ? "completed TLS" : "accepted the connection", what,
			  dur(fb->limit_ms, d, sizeof d));
	/* curl may record TCP's connect time only once TLS is up too: its
	 * message tells a TLS stall ("SSL connection timeout") apart */
	else if (cc == CURLE_OPERATION_TIMEDOUT && pre <= 0 && tcp <= 0 &&
		 !(errbuf && (strstr(errbuf, "SSL") || strstr(errbuf, "TLS"))))
		kube_fail(err, KUBE_ERR_TIMEOUT, "cannot connect to %s: no connection within %s (%s)",
			  srv, dur(c->connect_timeout_ms, d, sizeof d), what);
	else if (cc == CURLE_OPERATION_TIMEDOUT && pre <= 0 && https && tls <= 0)
		kube_fail(err, KUBE_ERR_TIMEOUT, "%s accepted the connection but did not complete "
			  "TLS within %s (%s)", srv, dur(c->connect_timeout_ms, d, sizeof d), what);
	else {
		*is_stall = 0;
		kube_fail(err, cc == CURLE_OPERATION_TIMEDOUT ? KUBE_ERR_TIMEOUT : KUBE_ERR_NETWORK,
			  "%s: %s: %s", srv, what, errbuf && *errbuf ? errbuf : curl_easy_strerror(cc));
	}
	return err->cls;
}

char *kube_http_url(const struct kube_client *c, const char *path, int dry_run)
{
	if (!dry_run)
		return xasprintf("%s%s", c->cfg.server, path);
	return xasprintf("%s%s%sdryRun=All", c->cfg.server, path, strchr(path, '?') ? "&" : "?");
}

void kube_http_setup_tls(struct kube_client *c, CURL *h)
{
	const struct kube_cfg *g = &c->cfg;
	if (g->ca.data) {
		struct curl_blob b = {g->ca.data, g->ca.len, CURL_BLOB_COPY};
		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
	} else if (g->ca_file) {
		curl_easy_setopt(h, CURLOPT_CAINFO, g->ca_file);
	}
	/* only ever because the kubeconfig says so */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, g->insecure ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, g->insecure ? 0L : 2L);

	const struct kube_blob *cert = c->cred.cert.data ? &c->cred.cert : &g->cert;
	const struct kube_blob *key = c->cred.key.data ? &c->cred.key : &g->key;
	if (cert->data) {
		struct curl_blob b = {cert->data, cert->len, CURL_BLOB_COPY};
		curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &b);
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
	} else if (g->cert_file) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, g->cert_file);
	}
	if (key->data) {
		struct curl_blob b = {key->data, key->len, CURL_BLOB_COPY};
		curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &b);
		curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	} else if (g->key_file) {
		curl_easy_setopt(h, CURLOPT_SSLKEY, g->key_file);
	}
	if (g->username && g->password) {
		curl_easy_setopt(h, CURLOPT_USERNAME, g->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, g->password);
	}
}

int kube_http_auth_headers(struct kube_client *c, CURL *h, struct curl_slist **hdrs,
			   struct kube_err *err)
{
	if (kube_cred_get(&c->cred, &c->cfg, err) < 0)
		return -1;
	kube_http_setup_tls(c, h);
	if (c->cred.token) {
		char *a = xasprintf("Authorization: Bearer %s", c->cred.token);
		*hdrs = curl_slist_append(*hdrs, a);
		memset(a, 0, strlen(a));
		free(a);
	}
	return 0;
}

struct raw_req {
	const char *method, *path;
	const char *body;
	size_t body_len;
	const char *content_type;
	const char *accept;
	int retry_http;          /* retry 429/5xx replies; 0 for the pod proxy, where
	                            only the API server's own (Status) 429/5xx are */
	kube_text_sink sink;     /* non-NULL: a 2xx body goes here as it arrives */
	kube_stop_fn stop;       /* asked while waiting, non-zero: stop */
	void *ctx;               /* theirs */
};

/* One reply, bounded. */
struct reply {
	struct strbuf body;
	int toolarge;
	long retry_after;        /* seconds, -1 none */
	struct kube_fb fb;
	const struct raw_req *q;
	CURL *h;
	int streamed;            /* a 2xx body went to q->sink: never sent again */
	int stopped;             /* q->sink or q->stop said stop */
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct reply *r = ud;
	long code = 0;
	if (r->q->sink && curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK &&
	    code >= 200 && code <= 299) {
		/* a stream: the sink bounds what it keeps; an error's Status is buffered */
		r->streamed = 1;
		if (r->q->sink(r->q->ctx, p, sz * n) != 0) {
			r->stopped = 1;
			return 0;
		}
		return sz * n;
	}
	if (r->body.len + sz * n > KUBE_MAX_BODY) {
		r->toolarge = 1;
		return 0;
	}
	sb_add(&r->body, p, sz * n);
	return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct reply *r = ud;
	size_t len = sz * n;
	kube_http_fb_header(&r->fb);
	if (len > 12 && !strncasecmp(p, "Retry-After:", 12)) {
		char tmp[32];
		size_t k = len - 12 < sizeof tmp - 1 ? len - 12 : sizeof tmp - 1;
		memcpy(tmp, p + 12, k);
		tmp[k] = 0;
		char *end;
		long v = strtol(tmp, &end, 10);
		/* an HTTP-date is rare from the API server; treat as absent */
		if (end != tmp && v >= 0)
			r->retry_after = v;
	}
	return len;
}

/* Did the API server itself answer (a Status), rather than a proxied pod? */
static int is_status(const struct strbuf *b)
{
	json_t *j = b->len ? json_loadb(b->s, b->len, 0, NULL) : NULL;
	const char *kind = json_string_value(json_object_get(j, "kind"));
	int yes = kind && !strcmp(kind, "Status") && json_object_get(j, "apiVersion");
	json_decref(j);
	return yes;
}

static int retryable_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}


/* Progress of a streamed request: the caller may stop it at any time (a
 * held log request sends nothing for minutes), then the first-byte limit. */
static int stream_progress(void *ud, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln)
{
	struct reply *r = ud;
	if (r->q->stop && r->q->stop(r->q->ctx)) {
		r->stopped = 1;
		return 1;
	}
	return fb_progress(&r->fb, dlt, dln, ult, uln);
}

/* One attempt on the client's handle.  Fills r and *code; returns curl's code
 * (CURLE_LOGIN_DENIED when credentials could not be had: err is filled). */
static CURLcode attempt_once(struct kube_client *c, const struct raw_req *q, const char *url,
			     long timeout, long first_byte, int fresh, long *code, struct reply *r,
			     char *errbuf, struct kube_err *err)
{
	struct curl_slist *h = NULL;
	CURL *e = c->h;
	int64_t t0 = kube_now_ms();
	CURLcode cc;

	sb_release(&r->body);
	r->toolarge = 0;
	r->retry_after = -1;
	r->q = q;
	r->h = e;
	*code = 0;
	errbuf[0] = 0;
	/* reset first: the previous attempt's options point at credentials
	 * that kube_cred_get may be about to replace */
	curl_easy_reset(e);
	if (kube_http_auth_headers(c, e, &h, err) < 0)
		return CURLE_LOGIN_DENIED;
	h = curl_slist_append(h, q->accept ? q->accept : "Accept: application/json");
	if (q->body) {
		char *ct = xasprintf("Content-Type: %s",
				     q->content_type ? q->content_type : "application/json");
		h = curl_slist_append(h, ct);
		free(ct);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_len);
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, q->method);
	if (!strcmp(q->method, "HEAD"))
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "opsplan");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	kube_http_first_byte(&r->fb, e, first_byte, 0);
	if (q->stop) {
		curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, stream_progress);
		curl_easy_setopt(e, CURLOPT_XFERINFODATA, r);
	}
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
	/* curl silently resends a request whose reused connection died;
	 * a write that must not repeat gets a connection of its own */
	if (fresh)
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	cc = curl_easy_perform(e);
	curl_slist_free_all(h);
	if (cc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, code);
	kube_http_debug(c, q->method, url, *code, t0, cc == CURLE_OK ? NULL : curl_easy_strerror(cc));
	return cc;
}

/* Send with retries.  0: some HTTP reply in *code and r->body (any status);
 * -1: no usable reply (err filled). */
static int raw_request(struct kube_client *c, const struct raw_req *q,
		       const struct kube_req_opts *o, long *code, struct reply *r,
		       struct kube_err *err)
{
	static const struct kube_req_opts defaults;
	char errbuf[CURL_ERROR_SIZE];
	int rc = -1, attempt = 0, reauthed = 0, stalls = 0;

	if (!o)
		o = &defaults;
	int read = !strcmp(q->method, "GET") || !strcmp(q->method, "HEAD");
	int safe = read || o->retry_unsafe;
	int max = o->no_retry ? 0 : c->max_retries;
	long timeout = o->timeout_ms > 0 ? o->timeout_ms : c->timeout_ms;
	/* a read is answered at once; a mutation may wait on admission
	 * webhooks or, through the pod proxy, on Patroni: its total timeout */
	long first_byte = read && !q->sink && c->first_byte_ms < timeout ? c->first_byte_ms : 0;
	char *url = kube_http_url(c, q->path, o->dry_run);
	char *what = xasprintf("%s '%s'", q->method, q->path);

	for (;;) {
		CURLcode cc = attempt_once(c, q, url, timeout, first_byte, !safe, code, r, errbuf, err);
		if (cc == CURLE_LOGIN_DENIED && !*errbuf)   /* ours: no credentials, err set */
			goto done;
		if (r->toolarge) {
			kube_fail(err, KUBE_ERR_TOOLARGE, "reply to %s '%s' is larger than %zu bytes",
				  q->method, q->path, KUBE_MAX_BODY);
			goto done;
		}
		if (cc != CURLE_OK && r->stopped) {
			kube_fail(err, KUBE_ERR_ABORTED, "%s: stopped", what);
			goto done;
		}
		if (cc != CURLE_OK && r->streamed) {   /* part of the stream was delivered */
			int stall;
			kube_http_transport_err(c, c->h, cc, &r->fb, what, errbuf, &stall, err);
			goto done;
		}
		if (cc != CURLE_OK) {
			int stall;
			kube_http_transport_err(c, c->h, cc, &r->fb, what, errbuf, &stall, err);
			if (safe && attempt < max && (stall ? stalls < KUBE_TIMEOUT_RETRIES : retryable_curl(cc))) {
				if (stall)
					kube_http_notice(c, "%s; retrying", err->msg);
				stalls += stall;
				kube_err_clear(err);
				sleep_ms(kube_http_backoff_ms(attempt++, -1));
				continue;
			}
			if (stalls) {
				char *m = xasprintf("%s (%d attempts)", err->msg, attempt + 1);
				kube_fail(err, err->cls, "%s", m);
				free(m);
			}
			goto done;
		}
		if (*code == 401 && !reauthed && (c->cfg.exec || c->cfg.token_file)) {
			/* the credential may have rotated under us: fetch it again, once */
			reauthed = 1;
			kube_cred_invalidate(&c->cred);
			continue;
		}
		if (attempt < max && (*code == 429 || (safe && *code >= 500 && *code != 501)) &&
		    (q->retry_http || is_status(&r->body))) {
			sleep_ms(kube_http_backoff_ms(attempt++, r->retry_after));
			continue;
		}
		rc = 0;
		goto done;
	}
done:
	free(what);
	free(url);
	return rc;
}

static int request_str(struct kube_client *c, const char *method, const char *path,
		       const char *body, size_t blen, const char *ctype,
		       const struct kube_req_opts *o, json_t **out, struct kube_err *err)
{
	struct reply r = {0};
	struct raw_req q = {method, path, body, blen, ctype, NULL, 1};
	long code = 0;
	int rc = -1;

	kube_err_clear(err);
	if (out)
		*out = NULL;
	if (raw_request(c, &q, o, &code, &r, err) < 0)
		goto done;
	if (code < 200 || code > 299) {
		kube_status_to_err(err, code, r.body.s, r.body.len);
		kube_http_explain_denied(c, q.method, q.path, err);
		goto done;
	}
	if (out) {
		json_t *j = r.body.len ? json_loadb(r.body.s, r.body.len, 0, NULL) : NULL;
		*out = j ? j : json_null();
	}
	rc = 0;
done:
	sb_release(&r.body);
	return rc;
}

int kube_request(struct kube_client *c, const char *method, const char *path,
		 const json_t *body, const char *content_type,
		 const struct kube_req_opts *o, json_t **out, struct kube_err *err)
{
	char *b = body ? json_dumps(body, JSON_COMPACT) : NULL;
	int rc = request_str(c, method, path, b, b ? strlen(b) : 0, content_type, o, out, err);
	free(b);
	return rc;
}

int kube_get_text(struct kube_client *c, const char *path, const struct kube_req_opts *o,
		  char **out, size_t *len, struct kube_err *err)
{
	struct reply r = {0};
	struct raw_req q = {"GET", path, NULL, 0, NULL, "Accept: */*", 1};
	long code = 0;
	int rc = -1;

	kube_err_clear(err);
	*out = NULL;
	if (raw_request(c, &q, o, &code, &r, err) < 0)
		goto done;
	if (code < 200 || code > 299) {
		kube_status_to_err(err, code, r.body.s, r.body.len);
		kube_http_explain_denied(c, q.method, q.path, err);
		goto done;
	}
	if (!r.body.s)
		sb_puts(&r.body, "");
	if (len)
		*len = r.body.len;
	*out = sb_detach(&r.body);
	rc = 0;
done:
	sb_release(&r.body);
	return rc;
}

int kube_get_text_stream(struct kube_client *c, const char *path, const struct kube_req_opts *o,
			 kube_text_sink sink, kube_stop_fn stop, void *ctx, struct kube_err *err)
{
	struct reply r = {0};
	struct raw_req q = {"GET", path, NULL, 0, NULL, "Accept: text/plain, */*", 1, sink, stop, ctx};
	long code = 0;
	int rc = -1;

	kube_err_clear(err);
	if (raw_request(c, &q, o, &code, &r, err) < 0)
		goto done;
	if (code < 200 || code > 299) {
		kube_status_to_err(err, code, r.body.s, r.body.len);
		kube_http_explain_denied(c, q.method, q.path, err);
		goto done;
	}
	rc = 0;
done:
	sb_release(&r.body);
	return rc;
}

int kube_get(struct kube_client *c, const char *path, json_t **out, struct kube_err *err)
{
	return kube_request(c, "GET", path, NULL, NULL, NULL, out, err);
}

int kube_list(struct kube_client *c, const char *path, json_t **out, struct kube_err *err)
{
	json_t *all = NULL, *page = NULL;
	char *cont = NULL;
	int rc = -1;

	*out = NULL;
	for (int pages = 0; pages < 100000; pages++) {
		char *p = cont ? xasprintf("%s%slimit=500&continue=%s", path,
					   strchr(path, '?') ? "&" : "?", cont)
			       : xasprintf("%s%slimit=500", path, strchr(path, '?') ? "&" : "?");
		int r = kube_get(c, p, &page, err);
		free(p);
		if (r < 0)
			goto done;
		if (!json_is_object(page)) {
			kube_fail(err, KUBE_ERR_PROTOCOL, "list '%s': reply is not an object", path);
			goto done;
		}
		if (!all) {
			all = page;
		} else {
			json_array_extend(json_object_get(all, "items"), json_object_get(page, "items"));
			json_object_set(all, "metadata", json_object_get(page, "metadata"));
			json_decref(page);
		}
		page = NULL;
		const char *next = json_string_value(
			json_object_get(json_object_get(all, "metadata"), "continue"));
		free(cont);
		cont = NULL;
		if (!next || !*next)
			break;
		CURL *esc = c->h;
		char *e = curl_easy_escape(esc, next, 0);
		cont = xstrdup(e);
		curl_free(e);
	}
	if (!json_is_array(json_object_get(all, "items")))
		json_object_set_new(all, "items", json_array());
	json_object_del(json_object_get(all, "metadata"), "continue");
	*out = all;
	all = NULL;
	rc = 0;
done:
	json_decref(page);
	json_decref(all);
	free(cont);
	return rc;
}

int kube_create(struct kube_client *c, const char *path, const json_t *body,
		const struct kube_req_opts *o, json_t **out, struct kube_err *err)
{
	return kube_request(c, "POST", path, body, NULL, o, out, err);
}

int kube_replace(struct kube_client *c, const char *path, const json_t *body,
		 const struct kube_req_opts *o, json_t **out, struct kube_err *err)
{
	return kube_request(c, "PUT", path, body, NULL, o, out, err);
}

int kube_patch(struct kube_client *c, const char *path, const json_t *body,
	       const char *patch_type, const struct kube_req_opts *o,
	       json_t **out, struct kube_err *err)
{
	const char *ct;
	if (!patch_type || !strcmp(patch_type, "merge"))
		ct = "application/merge-patch+json";
	else if (!strcmp(patch_type, "strategic"))
		ct = "application/strategic-merge-patch+json";
	else if (!strcmp(patch_type, "json"))
		ct = "application/json-patch+json";
	else if (!strcmp(patch_type, "apply"))
		ct = "application/apply-patch+yaml";
	else {
		kube_err_clear(err);
		return kube_fail(err, KUBE_ERR_INVALID, "unknown patch type '%s'", patch_type);
	}
	return kube_request(c, "PATCH", path, body, ct, o, out, err);
}

int kube_proxy(struct kube_client *c, const char *ns, const char *pod, int port,
	       const char *method, const char *path, const char *body,
	       const struct kube_req_opts *o, long *code, char **out_body,
	       struct kube_err *err)
{
	struct reply r = {0};
	char *epod = curl_easy_escape(c->h, pod, 0);
	char *p = xasprintf("/api/v1/namespaces/%s/pods/%s:%d/proxy/%s", ns ? ns : c->cfg.namespace_,
			    epod, port, path[0] == '/' ? path + 1 : path);
	struct raw_req q = {method, p, body, body ? strlen(body) : 0, NULL, "Accept: */*", 0};
	int rc = -1;

	curl_free(epod);
	kube_err_clear(err);
	*code = 0;
	if (out_body)
		*out_body = NULL;
	if (raw_request(c, &q, o, code, &r, err) < 0)
		goto done;
	/* a Status is the API server speaking (pod gone, forbidden, no route);
	 * anything else is the pod's own answer */
	if (*code >= 400 && r.body.s) {
		if (is_status(&r.body)) {
			kube_status_to_err(err, *code, r.body.s, r.body.len);
			kube_http_explain_denied(c, method, p, err);
			goto done;
		}
	}
	if (out_body) {
		if (!r.body.s)
			sb_puts(&r.body, "");
		*out_body = sb_detach(&r.body);
	}
	rc = 0;
done:
	sb_release(&r.body);
	free(p);
	return rc;
}

int kube_client_new(struct kube_client **out, const struct kube_config_opts *o,
		    struct kube_err *err)
{
	static const struct kube_config_opts none;
	static int global_init;
	struct kube_client *c = xcalloc(1, sizeof *c);

	*out = NULL;
	if (!o)
		o = &none;
	if (kube_cfg_load(&c->cfg, o, err) < 0 || kube_cfg_check_files(&c->cfg, err) < 0)
		goto fail;
	if (c->cfg.tls_server_name) {
		kube_fail(err, KUBE_ERR_CONFIG, "cluster for context '%s': tls-server-name is not "
			  "supported by this client", c->cfg.context);
		goto fail;
	}
	if (strncmp(c->cfg.server, "https://", 8) && strncmp(c->cfg.server, "http://", 7)) {
		kube_fail(err, KUBE_ERR_CONFIG, "server '%s' is not an http(s) URL", c->cfg.server);
		goto fail;
	}
	redact_add_secret(c->cfg.token);
	redact_add_secret(c->cfg.password);
	if (c->cfg.key.data)
		redact_add_secret((const char *)c->cfg.key.data);
	if (!global_init) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		global_init = 1;
	}
	c->h = curl_easy_init();
	if (!c->h)
		abort();
	/* a few seconds each: a stalled server fails in two tries, ~10 s,
	 * where curl's defaults waited minutes */
	c->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 5000;
	c->first_byte_ms = o->first_byte_timeout_ms > 0 ? o->first_byte_timeout_ms : 5000;
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	c->notice = o->notice;
	c->notice_ctx = o->notice_ctx;
	c->max_retries = o->max_retries < 0 ? 0 : o->max_retries > 0 ? o->max_retries : 4;
	const char *dbg = getenv("OPSPLAN_DEBUG_HTTP");
	c->debug = dbg && !strcmp(dbg, "1");
	*out = c;
	return 0;
fail:
	kube_client_free(c);
	return -1;
}

void kube_client_free(struct kube_client *c)
{
	if (!c)
		return;
	if (c->h)
		curl_easy_cleanup(c->h);
	kube_cred_release(&c->cred);
	kube_cfg_release(&c->cfg);
	free(c);
}

const char *kube_namespace(const struct kube_client *c)
{
	return c->cfg.namespace_ ? c->cfg.namespace_ : "default";
}

const char *kube_server(const struct kube_client *c)
{
	return c->cfg.server;
}

const char *kube_context(const struct kube_client *c)
{
	return c->cfg.context ? c->cfg.context : "";
}
