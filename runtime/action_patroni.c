/* action_patroni.c - Patroni's REST API (3.0.2) through the API server's pod
 * proxy: cluster, status, pause, resume, switchover, restart.
 *
 * Results are normalised to the catalog's shapes (roles "master"/"primary"
 * read as "leader" in /cluster, lag "unknown" as null, omitted booleans as
 * false).  pause/resume patch /config as patronictl does and then wait until
 * every member reports the new mode (patronictl's --wait): a step that says
 * "paused" must mean every member stopped managing PostgreSQL.  A switchover
 * never assumes success: it checks the HTTP status and body, then waits for
 * the cluster to show the new leader. */
#include "action.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube.h"
#include "mem.h"
#include "redact.h"
#include "summary.h"

static int port_of(const json_t *with)
{
	json_t *p = json_object_get(with, "port");
	return json_is_number(p) ? (int)json_number_value(p) : 8008;
}

/* One call to pod's Patroni.  *code and *out (parsed JSON or NULL) on 0; the
 * raw body in *raw when raw != NULL. */
static int call(struct action_ctx *cx, const json_t *with, const char *pod, const char *method, const char *path,
		const char *body, long *code, json_t **out, char **raw)
{
	struct kube_req_opts o = {0};
	o.timeout_ms = action_remaining_ms(cx, 30000);
	if (o.timeout_ms > 30000)
		o.timeout_ms = 30000;
	o.no_retry = strcmp(method, "GET") != 0;   /* never resend a POST the pod may have acted on */
	char *text = NULL;
	struct kube_err e;
	if (out)
		*out = NULL;
	if (kube_proxy(cx->kc, action_ns(cx, with), pod, port_of(with), method, path, body, &o, code, &text, &e) < 0) {
		char what[160];
		snprintf(what, sizeof what, "%s %s on pod \"%s\"", method, path, pod);
		return action_kube_fail(cx, what, &e);
	}
	if (out && text)
		*out = json_loads(text, 0, NULL);
	if (raw)
		*raw = text;
	else
		free(text);
	return ACTION_OK;
}

/* A mutating call whose intent the journal already holds.  On a transport
 * failure the journal also gets its failed outcome, with cx's error, so the
 * intent never stands alone; *raw is then NULL. */
static int call_journaled(struct action_ctx *cx, const json_t *with, const char *pod, const char *method,
			  const char *path, const char *body, long *code, char **raw)
{
	*raw = NULL;
	int rc = call(cx, with, pod, method, path, body, code, NULL, raw);
	if (rc != ACTION_OK)
		cx->h.outcome(cx->h.sched, 0, 0, NULL, cx->err);
	return rc;
}

static const char *pod_of(struct action_ctx *cx, const json_t *with)
{
	const char *pod = action_str(with, "pod");
	if (!pod || !*pod)
		action_fail(cx, "'pod' must be a non-empty string");
	return pod && *pod ? pod : NULL;
}

static const char *sv(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static const char *svd(const json_t *o, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : def;
}

static json_t *num_or_null(json_t *v)
{
	return json_is_number(v) ? json_copy(v) : json_null();
}

static json_t *member_norm(const json_t *m)
{
	const char *role = json_string_value(json_object_get(m, "role"));
	if (!role)
		role = "replica";
	if (!strcmp(role, "master") || !strcmp(role, "primary"))
		role = "leader";
	json_t *lag = json_object_get(m, "lag");
	json_t *lagv, *lagmb;
	if (!strcmp(role, "leader") && !lag) {
		lagv = json_integer(0);
		lagmb = json_integer(0);
	} else if (json_is_number(lag)) {
		lagv = json_real(json_number_value(lag));
		lagmb = json_integer((json_int_t)llround(json_number_value(lag) / 1048576.0));
	} else {
		lagv = json_null();
		lagmb = json_null();
	}
	json_t *tags = json_object_get(m, "tags");
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:b, s:o}",
			 "name", sv(m, "name"),
			 "role", role,
			 "state", svd(m, "state", "unknown"),
			 "host", sv(m, "host"),
			 "port", json_is_number(json_object_get(m, "port")) ? json_copy(json_object_get(m, "port"))
									    : json_integer(0),
			 "api_url", sv(m, "api_url"),
			 "timeline", num_or_null(json_object_get(m, "timeline")),
			 "lag", lagv, "lag_mb", lagmb,
			 "pending_restart", json_is_true(json_object_get(m, "pending_restart")),
			 "tags", json_is_object(tags) ? json_deep_copy(tags) : json_object());
}

static int by_name(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "name"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "name"));
	return strcmp(x ? x : "", y ? y : "");
}

/* GET /cluster (and /patroni for the scope), normalised. */
static int get_cluster(struct action_ctx *cx, const json_t *with, const char *pod, json_t **result)
{
	long code = 0;
	json_t *c = NULL;
	int rc = call(cx, with, pod, "GET", "/cluster", NULL, &code, &c, NULL);
	if (rc != ACTION_OK)
		return rc;
	if (code != 200 || !json_is_array(json_object_get(c, "members"))) {
		json_decref(c);
		cx->err_transient = code >= 500 || code == 429;   /* the API server or its proxy, mid-outage */
		return action_fail(cx, "GET /cluster on pod \"%s\" answered %ld without members", pod, code);
	}
	json_t *arr = json_object_get(c, "members");
	size_t n = json_array_size(arr);
	json_t **v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = member_norm(json_array_get(arr, i));
	qsort(v, n, sizeof *v, by_name);
	json_t *members = json_array();
	const char *leader = NULL;
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(members, v[i]);
		if (!strcmp(json_string_value(json_object_get(v[i], "role")), "leader"))
			leader = json_string_value(json_object_get(v[i], "name"));
	}
	free(v);
	const char *scope = json_string_value(json_object_get(c, "scope"));
	json_t *st = NULL;
	if (!scope) {
		long c2 = 0;
		if (call(cx, with, pod, "GET", "/patroni", NULL, &c2, &st, NULL) == ACTION_OK)
			scope = json_string_value(json_object_get(json_object_get(st, "patroni"), "scope"));
	}
	*result = json_pack("{s:o, s:s?, s:b, s:s}", "members", members, "leader", leader, "pause",
			    json_is_true(json_object_get(c, "pause")), "scope", scope ? scope : "");
	json_decref(st);
	json_decref(c);
	return ACTION_OK;
}

int action_patroni_cluster(struct action_ctx *cx, const json_t *with, json_t **result)
{
	const char *pod = pod_of(cx, with);
	return pod ? get_cluster(cx, with, pod, result) : ACTION_FAILED;
}

static json_t *status_norm(const json_t *s)
{
	const json_t *x = json_object_get(s, "xlog");
	const json_t *p = json_object_get(s, "patroni");
	json_t *repl = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(s, "replication"), i, r) {
		json_array_append_new(repl, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}",
			"usename", sv(r, "usename"),
			"application_name", sv(r, "application_name"),
			"client_addr", sv(r, "client_addr"),
			"state", sv(r, "state"),
			"sync_state", sv(r, "sync_state"),
			"sync_priority", json_is_number(json_object_get(r, "sync_priority"))
				? json_copy(json_object_get(r, "sync_priority")) : json_integer(0)));
	}
	return json_pack("{s:s, s:s, s:o, s:{s:s, s:s}, s:o, s:{s:o, s:o, s:o, s:s?, s:b}, s:b, s:b, s:s?, s:s?,"
			 " s:b, s:o, s:b, s:o}",
		"state", svd(s, "state", "unknown"),
		"role", svd(s, "role", "unknown"),
		"server_version", num_or_null(json_object_get(s, "server_version")),
		"patroni", "version", sv(p, "version"),
			   "scope", sv(p, "scope"),
		"timeline", num_or_null(json_object_get(s, "timeline")),
		"xlog", "location", num_or_null(json_object_get(x, "location")),
			"received_location", num_or_null(json_object_get(x, "received_location")),
			"replayed_location", num_or_null(json_object_get(x, "replayed_location")),
			"replayed_timestamp", json_string_value(json_object_get(x, "replayed_timestamp")),
			"paused", json_is_true(json_object_get(x, "paused")),
		"pause", json_is_true(json_object_get(s, "pause")),
		"pending_restart", json_is_true(json_object_get(s, "pending_restart")),
		"postmaster_start_time", json_string_value(json_object_get(s, "postmaster_start_time")),
		"database_system_identifier", json_string_value(json_object_get(s, "database_system_identifier")),
		"cluster_unlocked", json_is_true(json_object_get(s, "cluster_unlocked")),
		"replication", repl,
		"sync_standby", json_is_true(json_object_get(s, "sync_standby")),
		"dcs_last_seen", num_or_null(json_object_get(s, "dcs_last_seen")));
}

/* GET /patroni: any code with a status body is an answer (a stopped member
 * says 503 with its state, which is exactly what a paused restart shows). */
static int get_status(struct action_ctx *cx, const json_t *with, const char *pod, json_t **result)
{
	long code = 0;
	json_t *s = NULL;
	int rc = call(cx, with, pod, "GET", "/patroni", NULL, &code, &s, NULL);
	if (rc != ACTION_OK)
		return rc;
	if (!json_is_object(s) || !json_object_get(s, "state")) {
		json_decref(s);
		cx->err_transient = code >= 500 || code == 429;
		return action_fail(cx, "GET /patroni on pod \"%s\" answered %ld without a status", pod, code);
	}
	*result = status_norm(s);
	json_decref(s);
	return ACTION_OK;
}

int action_patroni_status(struct action_ctx *cx, const json_t *with, json_t **result)
{
	const char *pod = pod_of(cx, with);
	return pod ? get_status(cx, with, pod, result) : ACTION_FAILED;
}

/* Wait until every member that answers reports pause == want.
 *
 * The mode lives in the DCS, not in the members: a member whose Patroni does
 * not answer (its pod is down, its new image does not pull) reads the mode
 * when it starts, so waiting for it would only turn a successful resume into
 * a timeout and leave the run believing maintenance is still open.  Such
 * members are named, not waited for; at least one member must confirm. */
static int wait_members_pause(struct action_ctx *cx, const json_t *with, const char *pod, int want)
{
	cx->h.waiting(cx->h.sched, want ? "every member to report maintenance mode" : "every member to leave maintenance mode");
	for (;;) {
		json_t *c = NULL;
		int rc = get_cluster(cx, with, pod, &c);
		if (rc != ACTION_OK)
			return rc;
		int all = 1, answered = 0;
		struct strbuf silent = {0};
		size_t i;
		json_t *m;
		json_array_foreach(json_object_get(c, "members"), i, m) {
			json_t *st = NULL;
			const char *name = json_string_value(json_object_get(m, "name"));
			if (!name)
				continue;
			rc = get_status(cx, with, name, &st);
			if (rc != ACTION_OK) {
				sb_printf(&silent, "%s\"%s\"", silent.len ? ", " : "", name);
				rc = ACTION_OK;
			} else if (json_is_true(json_object_get(st, "pause")) != want) {
				all = 0;
			} else {
				answered++;
			}
			json_decref(st);
			if (!all)
				break;
		}
		json_decref(c);
		if (all && answered > 0) {
			if (silent.len) {
				char *line = xasprintf("maintenance mode %s confirmed by %d member(s); not answering: %s",
						       want ? "on" : "off", answered, silent.s);
				cx->h.say(cx->h.sched, "warning", line);
				free(line);
			}
			sb_release(&silent);
			return ACTION_OK;
		}
		sb_release(&silent);
		if (action_sleep(cx, 200) < 0) {
			if (cx->interrupted && *cx->interrupted) {
				action_fail(cx, "interrupted while waiting for the members");
				return ACTION_INTERRUPTED;
			}
			action_fail(cx, "timed out: not every member reports pause=%s", want ? "true" : "false");
			return ACTION_TIMEOUT;
		}
	}
}

static int set_pause(struct action_ctx *cx, const json_t *with, int want, json_t **result)
{
	const char *pod = pod_of(cx, with);
	if (!pod)
		return ACTION_FAILED;
	json_t *c = NULL;
	int rc = get_cluster(cx, with, pod, &c);
	if (rc != ACTION_OK)
		return rc;
	int was = json_is_true(json_object_get(c, "pause"));
	json_decref(c);
	const char *body = want ? "{\"pause\": true}" : "{\"pause\": false}";
	if (cx->dry_run) {
		char *line = xasprintf("would PATCH /config %s on pod %s (maintenance mode is %s now)", body, pod,
				       was ? "on" : "off");
		cx->h.say(cx->h.sched, "info", line);
		free(line);
		*result = json_pack("{s:b, s:b}", "pause", want, "changed", was != want);
		return ACTION_OK;
	}
	json_t *req = json_pack("{s:s, s:s, s:s, s:s}", "method", "PATCH", "pod", pod, "path", "/config", "body", body);
	if (cx->h.intent(cx->h.sched, req, json_pack("{s:b}", "pause_before", was), 1) != 0)
		return action_fail(cx, "the journal failed: not changing the mode");
	long code = 0;
	char *raw = NULL;
	rc = call_journaled(cx, with, pod, "PATCH", "/config", body, &code, &raw);
	if (rc != ACTION_OK)
		return rc;
	if (code != 200) {
		char *r = redact_text(raw);
		free(raw);
		cx->h.outcome(cx->h.sched, 0, code, NULL, r);
		action_fail(cx, "PATCH /config on pod \"%s\" answered %ld: %.200s", pod, code, r ? r : "");
		free(r);
		return ACTION_FAILED;
	}
	free(raw);
	cx->h.outcome(cx->h.sched, 1, code, want ? "pause requested" : "resume requested", NULL);
	rc = wait_members_pause(cx, with, pod, want);
	if (rc != ACTION_OK)
		return rc;
	*result = json_pack("{s:b, s:b}", "pause", want, "changed", was != want);
	return ACTION_OK;
}

int action_patroni_pause(struct action_ctx *cx, const json_t *with, json_t **result)
{
	return set_pause(cx, with, 1, result);
}

int action_patroni_resume(struct action_ctx *cx, const json_t *with, json_t **result)
{
	return set_pause(cx, with, 0, result);
}

/* Poll /cluster until a leader other than from holds (or settle runs out). */
static int settle(struct action_ctx *cx, const json_t *with, const char *pod, const char *from, const char *to,
		  long settle_ms, char *leader_after, size_t n)
{
	int64_t end = kube_now_ms() + settle_ms;
	leader_after[0] = 0;
	cx->h.waiting(cx->h.sched, "the new leader");
	for (;;) {
		json_t *c = NULL;
		/* ask the candidate: the old leader's API may be restarting */
		if (get_cluster(cx, with, to && *to ? to : pod, &c) == ACTION_OK ||
		    get_cluster(cx, with, pod, &c) == ACTION_OK) {
			const char *l = json_string_value(json_object_get(c, "leader"));
			snprintf(leader_after, n, "%s", l ? l : "");
			json_decref(c);
			if (*leader_after && strcmp(leader_after, from) != 0)
				return ACTION_OK;
		}
		if (kube_now_ms() >= end)
			return ACTION_OK;   /* the expect judges leader_after */
		if (action_sleep(cx, 200) < 0)
			return cx->interrupted && *cx->interrupted ? ACTION_INTERRUPTED : ACTION_OK;
	}
}

int action_patroni_switchover(struct action_ctx *cx, const json_t *with, json_t **result)
{
	const char *pod = pod_of(cx, with);
	const char *leader = action_str(with, "leader");
	const char *cand = action_str(with, "candidate");
	if (!pod)
		return ACTION_FAILED;
	if (!leader || !*leader)
		return action_fail(cx, "'leader' must be a non-empty string");
	json_t *sv = json_object_get(with, "settle");
	long settle_ms = json_is_number(sv) ? (long)(json_number_value(sv) * 1000.0) : 60000;
	json_t *c = NULL;
	int rc = get_cluster(cx, with, pod, &c);
	if (rc != ACTION_OK)
		return rc;
	char cur[256];
	snprintf(cur, sizeof cur, "%s", json_string_value(json_object_get(c, "leader")) ?
		 json_string_value(json_object_get(c, "leader")) : "");
	json_decref(c);
	/* after a crash between intent and outcome: who leads decides, not the journal */
	const json_t *pre = cx->resume ? json_object_get(cx->resume, "precondition") : json_object_get(cx->memo, "pre");
	const char *was = json_string_value(json_object_get(pre, "leader"));
	if (was && *cur && strcmp(cur, was) != 0) {
		cx->h.outcome(cx->h.sched, 1, 200, "switched over before the executor restarted", NULL);
		*result = json_pack("{s:s, s:s, s:i, s:s, s:s}", "from", was, "to", cur, "status", 200, "message",
				    "the leader had already moved: not sent again", "leader_after", cur);
		return ACTION_OK;
	}
	if (was && json_is_true(json_object_get(cx->resume_outcome, "ok")) && !strcmp(cur, was)) {
		/* Patroni said it switched over, and the leader is the old one
		 * again: something moved it back; another switchover is not ours */
		return action_fail(cx, "the switchover answered before the executor died, but \"%s\" leads again: "
				   "not switching over a second time (check the cluster's history)", cur);
	}
	if (was && cx->resume && !strcmp(cur, was)) {
		/* the dead attempt's POST may still be under way (Patroni answers
		 * after about 2 s): give the leader a moment to move before resending */
		char after[256];
		rc = settle(cx, with, pod, was, cand, 15000, after, sizeof after);
		if (rc != ACTION_OK)
			return rc;
		if (*after && strcmp(after, was) != 0) {
			cx->h.outcome(cx->h.sched, 1, 200, "switched over before the executor restarted", NULL);
			*result = json_pack("{s:s, s:s, s:i, s:s, s:s}", "from", was, "to", after, "status", 200, "message",
					    "the leader had already moved: not sent again", "leader_after", after);
			return ACTION_OK;
		}
	}
	if (strcmp(cur, leader) != 0)
		return action_fail(cx, "the leader is \"%s\", not \"%s\": not switching over", *cur ? cur : "(none)",
				   leader);
	json_t *bodyj = json_pack("{s:s, s:s?}", "leader", leader, "candidate", cand);
	char *body = json_dumps(bodyj, JSON_COMPACT);
	json_decref(bodyj);
	if (cx->dry_run) {
		char *line = xasprintf("would POST /switchover %s on pod %s", body, pod);
		cx->h.say(cx->h.sched, "info", line);
		free(line);
		*result = json_pack("{s:s, s:s, s:i, s:s, s:s}", "from", leader, "to", cand ? cand : "", "status", 0,
				    "message", "dry run: not sent", "leader_after", cur);
		free(body);
		return ACTION_OK;
	}
	json_object_set_new(cx->memo, "pre", json_pack("{s:s}", "leader", cur));
	json_t *req = json_pack("{s:s, s:s, s:s, s:s}", "method", "POST", "pod", pod, "path", "/switchover", "body", body);
	if (cx->h.intent(cx->h.sched, req, json_pack("{s:s}", "leader", cur), 0) != 0) {
		free(body);
		return action_fail(cx, "the journal failed: not switching over");
	}
	long code = 0;
	char *raw = NULL;
	rc = call_journaled(cx, with, pod, "POST", "/switchover", body, &code, &raw);
	free(body);
	if (rc != ACTION_OK)
		return rc;
	char msg[512];
	snprintf(msg, sizeof msg, "%s", raw ? raw : "");
	free(raw);
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (code != 200 || !strstr(msg, "witched over")) {
		cx->h.outcome(cx->h.sched, 0, code, NULL, msg);
		return action_fail(cx, "POST /switchover answered %ld: %s", code, msg);
	}
	cx->h.outcome(cx->h.sched, 1, code, msg, NULL);
	char after[256];
	rc = settle(cx, with, pod, leader, cand, settle_ms, after, sizeof after);
	if (rc != ACTION_OK)
		return rc;
	*result = json_pack("{s:s, s:s, s:i, s:s, s:s?}", "from", leader, "to", cand ? cand : after, "status", (int)code,
			    "message", msg, "leader_after", *after ? after : NULL);
	return ACTION_OK;
}

int action_patroni_restart(struct action_ctx *cx, const json_t *with, json_t **result)
{
	const char *member = action_str(with, "member");
	if (!member || !*member)
		return action_fail(cx, "'member' must be a non-empty string");
	int pending = json_is_true(json_object_get(with, "pending_only"));
	json_t *st = NULL;
	int rc = get_status(cx, with, member, &st);
	if (rc != ACTION_OK)
		return rc;
	char start[128];
	const char *s = json_string_value(json_object_get(st, "postmaster_start_time"));
	snprintf(start, sizeof start, "%s", s ? s : "");
	json_decref(st);
	const json_t *pre = cx->resume ? json_object_get(cx->resume, "precondition") : json_object_get(cx->memo, "pre");
	const char *was = json_string_value(json_object_get(pre, "postmaster_start_time"));
	if (was && *start && strcmp(start, was) != 0) {
		cx->h.outcome(cx->h.sched, 1, 200, "restarted before the executor restarted", NULL);
		*result = json_pack("{s:s, s:i, s:s}", "member", member, "status", 200, "message",
				    "PostgreSQL had already restarted: not sent again");
		return ACTION_OK;
	}
	const char *body = pending ? "{\"restart_pending\": true}" : "{}";
	if (cx->dry_run) {
		char *line = xasprintf("would POST /restart %s on member %s", body, member);
		cx->h.say(cx->h.sched, "info", line);
		free(line);
		*result = json_pack("{s:s, s:i, s:s}", "member", member, "status", 0, "message", "dry run: not sent");
		return ACTION_OK;
	}
	json_object_set_new(cx->memo, "pre", json_pack("{s:s}", "postmaster_start_time", start));
	json_t *req = json_pack("{s:s, s:s, s:s, s:s}", "method", "POST", "pod", member, "path", "/restart", "body", body);
	if (cx->h.intent(cx->h.sched, req, json_pack("{s:s}", "postmaster_start_time", start), 0) != 0)
		return action_fail(cx, "the journal failed: not restarting");
	long code = 0;
	char *raw = NULL;
	rc = call_journaled(cx, with, member, "POST", "/restart", body, &code, &raw);
	if (rc != ACTION_OK)
		return rc;
	char msg[512];
	snprintf(msg, sizeof msg, "%s", raw ? raw : "");
	free(raw);
	if (code != 200 && code != 202) {
		cx->h.outcome(cx->h.sched, 0, code, NULL, msg);
		return action_fail(cx, "POST /restart on \"%s\" answered %ld: %s", member, code, msg);
	}
	cx->h.outcome(cx->h.sched, 1, code, msg, NULL);
	*result = json_pack("{s:s, s:i, s:s}", "member", member, "status", (int)code, "message", msg);
	return ACTION_OK;
}

/* ---- summaries ------------------------------------------------------ */

#define S(path) (summary_str(r, path) ? summary_str(r, path) : "?")

/* "3 members, leader a; b streaming lag 0 MB; c running; not paused" */
void action_patroni_cluster_summary(struct strbuf *b, const json_t *r)
{
	const json_t *members = json_object_get(r, "members");
	const char *leader = summary_str(r, "leader");
	sb_printf(b, "%zu members, leader %s", json_array_size(members), leader ? leader : "none");
	size_t i;
	const json_t *m;
	json_array_foreach(members, i, m) {
		const char *name = summary_str(m, "name"), *state = summary_str(m, "state");
		if (name && leader && !strcmp(name, leader))
			continue;
		sb_printf(b, "; %s %s", name ? name : "?", state ? state : "?");
		const json_t *lag = json_object_get(m, "lag_mb");
		if (json_is_number(lag)) {
			sb_puts(b, " lag ");
			summary_num(b, lag);
			sb_puts(b, " MB");
		}
	}
	sb_puts(b, json_is_true(json_object_get(r, "pause")) ? "; paused" : "; not paused");
}

void action_patroni_status_summary(struct strbuf *b, const json_t *r)
{
	sb_printf(b, "%s %s, Patroni %s%s", S("role"), S("state"), S("patroni.version"),
		  json_is_true(json_object_get(r, "pause")) ? ", paused" : "");
}

/* pause and resume */
void action_patroni_pause_summary(struct strbuf *b, const json_t *r)
{
	sb_printf(b, "maintenance mode %s%s", json_is_true(json_object_get(r, "pause")) ? "on" : "off",
		  json_is_false(json_object_get(r, "changed")) ? " (already)" : "");
}

void action_patroni_switchover_summary(struct strbuf *b, const json_t *r)
{
	const char *after = summary_str(r, "leader_after");
	sb_printf(b, "%s -> %s, leader now %s", S("from"), S("to"), after ? after : "none");
}

void action_patroni_restart_summary(struct strbuf *b, const json_t *r)
{
	const char *msg = summary_str(r, "message");
	sb_printf(b, "%s: %s", S("member"), msg ? msg : "");
}
