/* action_http.c - http (one request to any HTTP(S) endpoint) and notify (a
 * webhook message, {"text": ...}: Slack, Teams and Rocket.Chat incoming
 * webhooks all take it).  No cluster: http_client.c, not the kube client.
 *
 * A GET or HEAD is a read: sent under --dry-run, no intent, retried freely.
 * Any other method, and notify, is a mutation: its intent is journaled
 * before it is sent, --dry-run only says what it would send, and a resumed
 * run does not send again a request that may have gone out unless the step
 * says `idempotent: true`.  An answer of 5xx (or none) fails the attempt, so
 * the step's retry: asks again; it is not flagged transient (err_transient
 * means the Kubernetes API is out: exit 3).  Any other status is the
 * result's (http: `expect` decides; notify: anything but 2xx fails). */
#include "action.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_client.h"
#include "mem.h"
#include "redact.h"
#include "summary.h"

static int is_read(const char *method)
{
	return !strcmp(method, "GET") || !strcmp(method, "HEAD");
}

/* Sends the request (journaling it first unless it is a read); fills *reply.
 * ACTION_OK when an answer below 500 came. */
static int send_one(struct action_ctx *cx, const char *what, const char *method, const char *url,
		    const json_t *headers, const char *body, struct http_reply *reply)
{
	int read = is_read(method);
	if (!read) {
		if (cx->resume && !cx->idempotent) {
			const json_t *o = cx->resume_outcome;
			if (o && json_is_true(json_object_get(o, "ok")))
				return 1;   /* sent and answered before the executor restarted */
			return action_fail(cx, "%s: the %s request may have been sent before the executor restarted; "
					   "not sending it again (say 'idempotent: true' to allow it)", what, method);
		}
		json_t *req = json_pack("{s:s, s:s, s:s?}", "method", method, "url", url, "body", body);
		if (cx->h.intent(cx->h.sched, req, NULL, cx->idempotent) != 0)
			return action_fail(cx, "the journal failed: not sending");
	}
	cx->h.waiting(cx->h.sched, "an HTTP answer");
	if (http_client_request(method, url, headers, body, action_remaining_ms(cx, 30000), reply) < 0) {
		if (!read)
			cx->h.outcome(cx->h.sched, 0, 0, NULL, reply->err);
		if (action_expired(cx)) {
			action_fail(cx, "%s: %s: %s", what, method, reply->err);
			return ACTION_TIMEOUT;
		}
		return action_fail(cx, "%s: %s request failed: %s", what, method, reply->err);
	}
	if (reply->status >= 500) {
		char *b = redact_text(reply->body);
		if (!read)
			cx->h.outcome(cx->h.sched, 0, reply->status, NULL, b);
		int rc = action_fail(cx, "%s: %s answered %ld: %.200s", what, method, reply->status, b ? b : "");
		free(b);
		return rc;
	}
	if (!read)
		cx->h.outcome(cx->h.sched, reply->status < 400, reply->status, "answered",
			      reply->status < 400 ? NULL : "an error status");
	return ACTION_OK;
}

int action_http(struct action_ctx *cx, const json_t *with, json_t **result)
{
	const char *url = action_str(with, "url");
	const char *method = action_str(with, "method");
	if (!method)
		method = "GET";
	if (!url)
		return action_fail(cx, "http: 'url' must be a string");
	char choices[128];
	if (!action_choice_ok(cx, "method", method, choices, sizeof choices))
		return action_fail(cx, "http: method \"%s\" is not %s", method, choices);
	const json_t *headers = json_object_get(with, "headers");
	if (headers && !json_is_object(headers))
		return action_fail(cx, "http: 'headers' must be a mapping of strings");
	const json_t *jb = json_object_get(with, "body");
	char *body = jb && !json_is_null(jb) ? json_dumps(jb, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	if (cx->dry_run && !is_read(method)) {
		char *line = xasprintf("would %s %s%s%s", method, url, body ? " " : "", body ? body : "");
		cx->h.say(cx->h.sched, "info", line);
		free(line);
		free(body);
		*result = json_pack("{s:i, s:s, s:n}", "status", 0, "body", "", "json");
		return ACTION_OK;
	}
	struct http_reply reply;
	int rc = send_one(cx, "http", method, url, headers, body, &reply);
	free(body);
	if (rc == 1) {
		*result = json_pack("{s:i, s:s, s:n}", "status", 0, "body", "sent before the executor restarted",
				    "json");
		return ACTION_OK;
	}
	if (rc != ACTION_OK) {
		free(reply.body);
		return rc;
	}
	char *b = redact_text(reply.body);
	json_t *js = b && *b ? json_loads(b, JSON_DECODE_ANY, NULL) : NULL;
	*result = json_pack("{s:i, s:s, s:o}", "status", (int)reply.status, "body", b ? b : "", "json",
			    js ? js : json_null());
	free(b);
	free(reply.body);
	return ACTION_OK;
}

int action_notify(struct action_ctx *cx, const json_t *with, json_t **result)
{
	const char *url = action_str(with, "url");
	const char *text = action_str(with, "text");
	if (!url)
		return action_fail(cx, "notify: 'url' must be a string");
	if (!text)
		return action_fail(cx, "notify: 'text' must be a string");
	json_t *msg = json_pack("{s:s}", "text", text);
	char *body = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (cx->dry_run) {
		char *line = xasprintf("would notify: %s", text);
		cx->h.say(cx->h.sched, "info", line);
		free(line);
		free(body);
		*result = json_pack("{s:i, s:s}", "status", 0, "text", text);
		return ACTION_OK;
	}
	struct http_reply reply;
	int rc = send_one(cx, "notify", "POST", url, NULL, body, &reply);
	free(body);
	if (rc == 1) {
		*result = json_pack("{s:i, s:s}", "status", 0, "text", text);
		return ACTION_OK;
	}
	if (rc != ACTION_OK) {
		free(reply.body);
		return rc;
	}
	long st = reply.status;
	char *b = redact_text(reply.body);
	free(reply.body);
	if (st < 200 || st >= 300) {
		rc = action_fail(cx, "notify: the webhook answered %ld: %.200s", st, b ? b : "");
		free(b);
		return rc;
	}
	free(b);
	*result = json_pack("{s:i, s:s}", "status", (int)st, "text", text);
	return ACTION_OK;
}

/* ---- summaries ------------------------------------------------------ */

void action_http_summary(struct strbuf *b, const json_t *r)
{
	sb_printf(b, "HTTP %d", (int)json_integer_value(json_object_get(r, "status")));
}

void action_notify_summary(struct strbuf *b, const json_t *r)
{
	const char *t = summary_str(r, "text");
	sb_printf(b, "notified (HTTP %d): %s", (int)json_integer_value(json_object_get(r, "status")), t ? t : "");
}
