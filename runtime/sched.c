/* sched.c - see sched.h: one attempt, one step, the run.
 *
 * One step at a time, in the IR's order: the IR guarantees that array order
 * is a valid order of deps, and one at a time keeps the journal a simple
 * story a person can read after an incident.  Every decision the executor
 * takes is in the journal before it acts on the cluster (intent before a
 * mutation), so --resume can rebuild the expression environment from
 * step-end records and never repeat a mutation blindly. */
#include "sched_int.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "catalog.h"
#include "expr.h"
#include "ir_load.h"
#include "kube.h"
#include "mem.h"
#include "progress.h"
#include "redact.h"
#include "report.h"
#include "summary.h"
#include "iso_time.h"

/* ---- small helpers -------------------------------------------------- */

/* Crash tests (suite 60): OPSPLAN_TEST_KILL=POINT:N makes the executor
 * SIGKILL itself at the Nth POINT -- "intent" (journaled, not sent),
 * "sent" (sent, outcome not journaled), "step-end" (a step boundary) -- so
 * --resume can be tested at every place a real crash could land. */
static void test_kill(const char *point)
{
	static int parsed, want_n, seen;
	static char want[32];
	if (!parsed) {
		parsed = 1;
		const char *e = getenv("OPSPLAN_TEST_KILL");
		const char *colon = e ? strchr(e, ':') : NULL;
		if (colon && (size_t)(colon - e) < sizeof want) {
			memcpy(want, e, (size_t)(colon - e));
			want[colon - e] = 0;
			want_n = atoi(colon + 1);
		}
	}
	if (want_n > 0 && !strcmp(point, want) && ++seen == want_n)
		raise(SIGKILL);
}

int sched_jrec(struct sched *s, enum journal_kind k, json_t *fields)
{
	if (s->journal_dead) {
		json_decref(fields);
		return -1;
	}
	struct journal_err je;
	/* loop items may run in threads (serial > 1): one append at a time */
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&mu);
	int rc = journal_append(s->o->j, k, fields, &je);
	pthread_mutex_unlock(&mu);
	if (rc < 0) {
		s->journal_dead = 1;
		s->stopped = 1;
		progress_event(s->o->pg, "error", NULL, "journal: %s; stopping the run (nothing is sent without a "
				"journal)", je.msg);
		return -1;
	}
	return 0;
}

int sched_interrupted(const struct sched *s)
{
	return s->o->abort_waits && *s->o->abort_waits;
}

void sched_set_error(struct sched *s, const char *fmt, ...)
{
	if (s->first_error[0])
		return;
	s->first_error_cluster = s->cluster_lost;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->first_error, sizeof s->first_error, fmt, ap);
	va_end(ap);
}

void sched_opened_sync(struct sched *s, json_t *opened)
{
	/* sorted, as docs/ir.md promises */
	size_t n = json_array_size(opened);
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0; k--) {
			const char *a = json_string_value(json_array_get(opened, k - 1));
			const char *b = json_string_value(json_array_get(opened, k));
			if (strcmp(a, b) <= 0)
				break;
			json_t *t = json_incref(json_array_get(opened, k - 1));
			json_array_set(opened, k - 1, json_array_get(opened, k));
			json_array_set_new(opened, k, t);
		}
	json_object_set(s->run, "opened", opened);
}

json_t *sched_opened(struct sched *s)
{
	return json_object_get(s->run, "opened");
}

int sched_bracket_is_open(struct sched *s, const char *b)
{
	size_t i;
	json_t *v;
	json_array_foreach(sched_opened(s), i, v)
		if (!strcmp(json_string_value(v), b))
			return 1;
	return 0;
}

static void bracket(struct sched *s, const char *b, int open, const char *step)
{
	json_t *o = json_copy(sched_opened(s));
	if (open && !sched_bracket_is_open(s, b)) {
		json_array_append_new(o, json_string(b));
		sched_jrec(s, JOURNAL_BRACKET_OPEN, json_pack("{s:s, s:s}", "bracket", b, "step", step));
	} else if (!open && sched_bracket_is_open(s, b)) {
		size_t i;
		json_t *v;
		json_array_foreach(o, i, v) {
			if (!strcmp(json_string_value(v), b)) {
				json_array_remove(o, i);
				break;
			}
		}
		sched_jrec(s, JOURNAL_BRACKET_CLOSE, json_pack("{s:s, s:s}", "bracket", b, "step", step));
	}
	sched_opened_sync(s, o);
	json_decref(o);
}

int sched_eval(struct sched *s, const struct ir_expr *x, json_t **out, char *err, size_t n)
{
	char *msg = NULL;
	if (expr_eval(x->e, s->env, out, &msg) < 0) {
		snprintf(err, n, "%s: %s", x->src ? x->src : "?", msg ? msg : "evaluation failed");
		free(msg);
		*out = NULL;
		return -1;
	}
	return 0;
}

static char *tmpl_text(struct sched *s, const struct ir_tmpl *t)
{
	json_t *v = NULL;
	char *msg = NULL;
	if (!t->t)
		return NULL;
	if (tmpl_eval(t->t, s->env, &v, &msg) < 0) {
		char *r = xasprintf("%s (the message itself failed: %s)", t->text, msg ? msg : "?");
		free(msg);
		return r;
	}
	char *r = json_is_string(v) ? xstrdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(v);
	return r ? r : xstrdup("");
}

void sched_bind(struct sched *s, const char *name, json_t *v, json_t **saved)
{
	*saved = json_object_get(s->env, name);
	if (*saved)
		json_incref(*saved);
	json_object_set(s->env, name, v ? v : json_null());
}

void sched_unbind(struct sched *s, const char *name, json_t *saved)
{
	if (saved)
		json_object_set_new(s->env, name, saved);
	else
		json_object_del(s->env, name);
}

/* A short human summary of a result: compact JSON, bounded. */
char *sched_summary_of(const json_t *r)
{
	if (!r || json_is_null(r))
		return xstrdup("-");
	char *j = json_dumps(r, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!j)
		return xstrdup("-");
	if (strlen(j) > 160) {
		j[157] = '.';
		j[158] = '.';
		j[159] = '.';
		j[160] = 0;
	}
	return j;
}

json_t *sched_item_index_json(const struct sched *s)
{
	return s->item >= 0 ? json_integer(s->item) : json_null();
}

/* ---- hooks for actions ---------------------------------------------- */

static int h_intent(void *ctx, json_t *request, json_t *pre, int idempotent)
{
	struct sched *s = ctx;
	int rc = sched_jrec(s, JOURNAL_INTENT, json_pack("{s:s, s:o, s:i, s:s, s:o, s:o, s:b}", "step", s->cur->id,
						   "item_index", sched_item_index_json(s), "attempt", s->attempt, "action",
						   s->cur->action_name, "request", request, "precondition",
						   pre ? pre : json_null(), "idempotent", idempotent));
	test_kill("intent");
	return rc;
}

static void h_outcome(void *ctx, int ok, long http, const char *summary, const char *error)
{
	struct sched *s = ctx;
	test_kill("sent");
	json_t *res = s->cx ? s->cx->outcome_result : NULL;
	if (s->cx)
		s->cx->outcome_result = NULL;
	sched_jrec(s, JOURNAL_OUTCOME, json_pack("{s:s, s:o, s:i, s:b, s:I, s:s?, s:s?, s:o?}", "step", s->cur->id,
					   "item_index", sched_item_index_json(s), "attempt", s->attempt, "ok", ok,
					   "http_status", (json_int_t)http, "summary", summary, "error", error,
					   "result", res));
}

static void h_waiting(void *ctx, const char *what)
{
	struct sched *s = ctx;
	progress_waiting(s->o->pg, what);
}

static int ask(struct sched *s, const char *step, const char *prompt, const json_t *show, const char **by)
{
	char *q = redact_text(prompt);
	sched_jrec(s, JOURNAL_GATE, json_pack("{s:s, s:s, s:s}", "step", step, "question", q, "state", "asked"));
	int answer;
	if (s->o->yes) {
		*by = "--yes";
		answer = 1;
		progress_event(s->o->pg, "gate", json_pack("{s:s, s:s, s:b}", "step", step, "question", q, "answer", 1),
			       "gate %s: %s -> yes (--yes)", step, q);
	} else if (!s->o->prompt) {
		sched_jrec(s, JOURNAL_GATE, json_pack("{s:s, s:s, s:s}", "step", step, "question", q, "state", "stopped"));
		progress_event(s->o->pg, "gate", json_pack("{s:s, s:s, s:s}", "step", step, "question", q, "state",
							   "stopped"),
			       "gate %s: %s -> stopped: no terminal to ask on and no --yes (resume with "
			       "'opsplan run --resume RUN --yes')", step, q);
		free(q);
		return -1;
	} else {
		progress_pause(s->o->pg, 1);
		answer = s->o->prompt(s->o->prompt_ctx, q, show) == 1;
		*by = "user";
		progress_pause(s->o->pg, 0);
	}
	sched_jrec(s, JOURNAL_GATE, json_pack("{s:s, s:s, s:s, s:b, s:s}", "step", step, "question", q, "state", "answered",
					 "answer", answer, "by", *by));
	free(q);
	return answer;
}

static int h_ask(void *ctx, const char *prompt, const json_t *show, const char **by)
{
	struct sched *s = ctx;
	if (s->o->dry_run) {
		*by = "--yes";
		progress_event(s->o->pg, "dry-run", NULL, "would ask: %s", prompt);
		return 1;
	}
	json_t *ev = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(show, i, v)
		json_array_append_new(ev, json_pack("{s:O}", "value", v));
	int r = ask(s, s->cur->id, prompt, ev, by);
	json_decref(ev);
	return r;
}

static void h_say(void *ctx, const char *level, const char *text)
{
	struct sched *s = ctx;
	progress_event(s->o->pg, s->o->dry_run ? "dry-run" : "log",
		       json_pack("{s:s, s:s}", "step", s->cur->id, "level", level), "%s: %s%s%s", s->cur->id,
		       !strcmp(level, "info") ? "" : level, !strcmp(level, "info") ? "" : ": ", text);
}

/* ---- one attempt ---------------------------------------------------- */

/* with, templates evaluated; NULL and err on failure */
static json_t *render_with(struct sched *s, const struct ir_step *st, char *err, size_t n)
{
	json_t *w = st->with ? json_deep_copy(st->with) : json_object();
	for (size_t i = 0; i < st->ntemplates; i++) {
		json_t *v = NULL;
		char *msg = NULL;
		if (tmpl_eval(st->templates[i].tmpl.t, s->env, &v, &msg) < 0) {
			snprintf(err, n, "%s: %s", st->templates[i].tmpl.src ? st->templates[i].tmpl.src : "?",
				 msg ? msg : "template failed");
			free(msg);
			json_decref(w);
			return NULL;
		}
		/* walk the pointer to the parent and replace the member */
		char *ptr = xstrdup(st->templates[i].pointer);
		json_t *at = w;
		char *last = strrchr(ptr, '/');
		*last = 0;
		char *save = NULL;
		if (last > ptr)
			for (char *tok = strtok_r(ptr + 1, "/", &save); tok && at; tok = strtok_r(NULL, "/", &save))
				at = json_is_array(at) ? json_array_get(at, strtoul(tok, NULL, 10)) : json_object_get(at, tok);
		const char *key = last + 1;
		if (json_is_array(at))
			json_array_set_new(at, strtoul(key, NULL, 10), v);
		else if (json_is_object(at))
			json_object_set_new(at, key, v);
		else
			json_decref(v);
		free(ptr);
	}
	return w;
}

struct verdicts {
	json_t *list;                /* assertions for step-end */
	char msg[512];               /* first failing message */
};

static int conds(struct sched *s, const char *kind, const struct ir_cond *c, size_t n, struct verdicts *v,
		 int dry_warn)
{
	int ok = 1;
	for (size_t i = 0; i < n; i++) {
		json_t *val = NULL;
		char err[512];
		const char *verdict;
		char *message = NULL;
		if (sched_eval(s, &c[i].that, &val, err, sizeof err) < 0) {
			verdict = "error";
			message = xstrdup(err);
		} else if (expr_truthy(val)) {
			verdict = "pass";
		} else {
			verdict = "fail";
			message = c[i].els.t ? tmpl_text(s, &c[i].els) : xasprintf("%s is false", c[i].that.text);
		}
		if (strcmp(verdict, "pass") && dry_warn) {
			progress_event(s->o->pg, "dry-run", NULL, "dry run: %s %s would not hold now (%s)", kind,
				       c[i].that.text, message);
		} else if (strcmp(verdict, "pass")) {
			if (ok)
				snprintf(v->msg, sizeof v->msg, "%s", message);
			ok = 0;
		}
		json_array_append_new(v->list, json_pack("{s:s, s:s, s:O?, s:s, s:s?, s:s?}", "kind", kind, "that",
							 c[i].that.text, "value", val, "verdict", verdict, "message",
							 message, "src", c[i].src));
		json_decref(val);
		free(message);
	}
	return ok;
}

static int64_t min_deadline(int64_t a, int64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

/* A step that failed or timed out without seeing an outage itself (a watch
 * that kept reconnecting inside the client): is the API answering now?  A
 * transport error, 5xx or 429 on one quick read says the failure is the
 * outage's, and the run ends exit 3, not as a failed plan. */
static int api_out(struct sched *s)
{
	if (!s->o->kc || s->o->dry_run)
		return 0;
	char *path = kube_kind_path(s->o->kc, "Namespace", NULL, s->o->ns, NULL);
	struct kube_req_opts o = {0};
	o.timeout_ms = 5000;
	o.no_retry = 1;
	json_t *out = NULL;
	struct kube_err e;
	int rc = path ? kube_request(s->o->kc, "GET", path, NULL, NULL, &o, &out, &e) : 0;
	free(path);
	json_decref(out);
	return rc < 0 && (e.cls == KUBE_ERR_NETWORK || e.cls == KUBE_ERR_SERVER || e.cls == KUBE_ERR_THROTTLED ||
			  e.cls == KUBE_ERR_TIMEOUT);
}

/* One attempt of an action step: the action (polled with until), its
 * shape check and its expects.  *result on success. */
static int attempt(struct sched *s, const struct ir_step *st, json_t *memo, const json_t *resume,
		   const json_t *resume_outcome, json_t **result, struct verdicts *v, char *err, size_t errn)
{
	*result = NULL;
	json_t *with = render_with(s, st, err, errn);
	if (!with)
		return ACTION_FAILED;
	const struct action_impl *impl = action_impl_find(st->action_name);
	if (!impl) {
		json_decref(with);
		snprintf(err, errn, "action \"%s\" is unknown to this opsplan (an IR from another version?)",
			 st->action_name);
		return ACTION_FAILED;
	}
	int64_t t0 = kube_now_ms();
	struct action_ctx cx = {0};
	cx.kc = s->o->kc;
	cx.ns = s->o->ns;
	cx.dry_run = s->o->dry_run;
	/* closing a bracket outranks the window it sits in: a late resume is
	 * better than maintenance left on */
	cx.deadline_ms = min_deadline(st->timeout_ms > 0 ? t0 + st->timeout_ms : 0, st->closes ? 0 : s->window_deadline);
	cx.interrupted = s->o->abort_waits;
	cx.resume = resume;
	cx.resume_outcome = resume_outcome;
	cx.idempotent = st->idempotent;
	cx.memo = memo;
	s->cx = &cx;
	cx.action = st->action;
	cx.env = s->env;             /* what its expression parameters see */
	cx.exprs = st->with_exprs;
	cx.nexprs = st->nwith_exprs;
	cx.run_state = s->run_state;
	cx.h = (struct action_hooks){s, h_intent, h_outcome, h_waiting, h_ask, h_say};
	int rc;
	int transient = 0;           /* outage errors seen in this attempt */
	char last_outage[512] = "";
	/* a read, or an action that is the same when repeated, may simply ask
	 * again while the API is out, until the attempt's own deadline */
	int may_repeat = st->effect && (!strcmp(st->effect, "read") || !strcmp(st->effect, "idempotent"));
	s->last_transient = 0;
	for (;;) {
		cx.err[0] = 0;
		cx.err_transient = 0;
		if (!cx.kc && catalog_needs_cluster(st->action)) {
			rc = action_fail(&cx, "no cluster connection");
		} else {
			rc = impl->run(&cx, with, result);
		}
		cx.resume = NULL;   /* only the first call may find an earlier intent */
		cx.resume_outcome = NULL;
		if (rc == ACTION_FAILED && cx.err_transient && may_repeat && !s->o->dry_run && !sched_interrupted(s)) {
			transient++;
			snprintf(last_outage, sizeof last_outage, "%s", cx.err);
			char what[600];
			snprintf(what, sizeof what, "the API to answer again (%.500s)", cx.err);
			progress_waiting(s->o->pg, what);
			long nap = st->every_ms > 0 ? (long)st->every_ms : 1000;
			if (nap > 5000)
				nap = 5000;
			json_decref(*result);
			*result = NULL;
			if (action_sleep(&cx, nap) == 0)
				continue;
			if (sched_interrupted(s)) {
				rc = ACTION_INTERRUPTED;
				snprintf(cx.err, sizeof cx.err, "interrupted while the API was failing: %.400s", last_outage);
			} else {
				rc = ACTION_TIMEOUT;
				snprintf(cx.err, sizeof cx.err, "the API kept failing until the step's deadline (%d tries): %.400s",
					 transient, last_outage);
			}
			break;
		}
		if (rc != ACTION_OK || !st->until.e)
			break;
		json_t *saved, *val = NULL;
		sched_bind(s, "result", *result, &saved);
		char e2[512];
		int er = sched_eval(s, &st->until, &val, e2, sizeof e2);
		sched_unbind(s, "result", saved);
		if (er < 0) {
			snprintf(cx.err, sizeof cx.err, "until: %.480s", e2);
			rc = ACTION_FAILED;
			break;
		}
		int holds = expr_truthy(val);
		json_decref(val);
		if (holds)
			break;
		if (s->o->dry_run) {
			progress_event(s->o->pg, "dry-run", NULL, "would poll %s every %llds until %s", st->id,
				       st->every_ms / 1000, st->until.text);
			break;
		}
		char what[300];
		snprintf(what, sizeof what, "%s", st->until.text);
		progress_waiting(s->o->pg, what);
		if (action_sleep(&cx, (long)st->every_ms) < 0) {
			if (sched_interrupted(s)) {
				rc = ACTION_INTERRUPTED;
				snprintf(cx.err, sizeof cx.err, "interrupted while polling until %s", st->until.text);
			} else {
				rc = ACTION_TIMEOUT;
				snprintf(cx.err, sizeof cx.err, "until %s did not hold in time", st->until.text);
			}
			break;
		}
		json_decref(*result);
		*result = NULL;
	}
	json_decref(with);
	json_decref(cx.outcome_result);
	s->cx = NULL;
	if (rc == ACTION_TIMEOUT && !cx.err[0])
		snprintf(cx.err, sizeof cx.err, "timed out");
	if (rc == ACTION_TIMEOUT && s->window_deadline && kube_now_ms() >= s->window_deadline)
		snprintf(cx.err + strlen(cx.err), sizeof cx.err - strlen(cx.err), " (the window ran out)");
	if (rc != ACTION_OK) {
		snprintf(err, errn, "%s", cx.err[0] ? cx.err : "failed");
		s->last_transient = cx.err_transient || (transient && rc == ACTION_TIMEOUT);
		if (!s->last_transient && (rc == ACTION_TIMEOUT || rc == ACTION_FAILED) && api_out(s)) {
			s->last_transient = 1;
			snprintf(err + strlen(err), errn - strlen(err), " (the API is not answering)");
		}
		s->cluster_lost = cx.err_cluster || s->last_transient;
		json_decref(*result);
		*result = NULL;
		return rc;
	}
	if (!*result)
		*result = json_null();
	char shape[256];
	if (action_result_check(st->action->result, *result, shape, sizeof shape) < 0) {
		snprintf(err, errn, "the result of %s does not have its catalog shape: %s", st->action_name, shape);
		return ACTION_FAILED;
	}
	json_t *saved;
	sched_bind(s, "result", *result, &saved);
	int ok = conds(s, "expect", st->expect, st->nexpect, v, s->o->dry_run);
	sched_unbind(s, "result", saved);
	if (!ok) {
		snprintf(err, errn, "%s", v->msg);
		return ACTION_FAILED;
	}
	return ACTION_OK;
}

/* ---- steps ---------------------------------------------------------- */


void sched_record_end(struct sched *s, const struct ir_step *st, const char *status, int attempts, int64_t t0,
		       const char *started, json_t *result, const char *error, json_t *assertions, int continued)
{
	int64_t dur = kube_now_ms() - t0;
	char *sum = summary_result(st->action_name, result);
	json_t *rs = json_object_size(s->run_state) ? json_deep_copy(s->run_state) : NULL;
	sched_jrec(s, JOURNAL_STEP_END, json_pack("{s:s, s:o, s:s?, s:s, s:i, s:I, s:O?, s:s, s:s?, s:O?, s:s, s:b, s:o?}",
					    "step", st->id, "item_index", sched_item_index_json(s), "item_label",
					    s->item_label, "status", status, "attempts", attempts, "duration_ms",
					    (json_int_t)dur, "result", result, "summary", sum, "error", error,
					    "assertions", assertions, "started", started, "continued", continued,
					    "run_state", rs));
	test_kill("step-end");
	json_t *entry = json_pack("{s:b, s:s, s:O?, s:s, s:f}", "ok", !strcmp(status, "ok"), "status", status,
				  "result", result ? result : json_null(), "started", started, "duration",
				  (double)dur / 1000.0);
	json_object_set_new(s->steps, st->id, entry);
	if (!strcmp(status, "ok"))
		json_object_set_new(s->taken, st->id, json_integer(kube_now_ms()));
	char d[32];
	report_duration(d, sizeof d, dur);
	const char *label = s->item_label;
	progress_event(s->o->pg, "step-end",
		       json_pack("{s:s, s:o, s:s, s:I, s:s?}", "step", st->id, "item_index", sched_item_index_json(s),
				 "status", status, "duration_ms", (json_int_t)dur, "error", error),
		       "%s %s%s%s%s: %s in %s%s%s", !strcmp(status, "ok") ? "ok  " : !strcmp(status, "skipped") ? "skip" : "FAIL",
		       st->id, label ? " [" : "", label ? label : "", label ? "]" : "", status, d,
		       error ? ": " : "", error ? error : "");
	free(sum);
}

static int gate(struct sched *s, const struct ir_step *st)
{
	json_t *show = json_array();
	for (size_t i = 0; i < st->ngate_show; i++) {
		json_t *val = NULL;
		char err[512];
		if (sched_eval(s, &st->gate_show[i], &val, err, sizeof err) < 0)
			val = json_string(err);
		json_array_append_new(show, json_pack("{s:s, s:o}", "that", st->gate_show[i].text, "value", val));
	}
	char *prompt = tmpl_text(s, &st->gate_prompt);
	int r;
	const char *by = NULL;
	if (s->o->dry_run) {
		progress_event(s->o->pg, "dry-run", NULL, "would ask at gate %s: %s", st->id, prompt);
		r = 1;
	} else {
		r = ask(s, st->id, prompt, show, &by);
	}
	free(prompt);
	json_decref(show);
	return r;
}

enum st sched_run_body(struct sched *s, const struct ir_step *st)
{
	int64_t t0 = kube_now_ms();
	char started[40];
	iso_time_now(started, sizeof started);
	if (sched_resumed(s, st))
		return ST_OK;
	int64_t outer = s->window_deadline;
	if (st->within_ms > 0) {
		s->window_deadline = min_deadline(outer, t0 + st->within_ms);
		sched_jrec(s, JOURNAL_WINDOW_OPEN, json_pack("{s:s, s:I}", "window", st->id, "within_ms", (json_int_t)st->within_ms));
	}
	struct verdicts v = {json_array(), ""};
	json_t *result = NULL;
	char err[512] = "";
	int attempts = 0;
	int rc = ACTION_OK;
	/* an earlier session already sent this step's mutation: its evidence
	 * and its gate were for that decision, which is taken; re-reading now
	 * would judge the cluster the mutation changed ("already paused") */
	const json_t *sent_ro = NULL;
	const json_t *sent = st->kind == IR_STEP_ACTION ? sched_open_intent(s, st->id, &sent_ro) : NULL;
	if (!sent && sched_refresh_reads(s, st, sched_evidence_bound(s), err, sizeof err) < 0) {
		rc = ACTION_FAILED;
		s->cur = st;
		goto end;
	}
	s->cur = st;
	s->attempt = 1;
	/* a dry run changed nothing, so later preconditions may not hold: say so, go on */
	if (!conds(s, "require", st->require, st->nrequire, &v, s->o->dry_run)) {
		snprintf(err, sizeof err, "precondition: %.480s", v.msg);
		rc = ACTION_FAILED;
		goto end;
	}
	if (st->gate_prompt.t && sent) {
		progress_event(s->o->pg, "gate", json_pack("{s:s, s:s}", "step", st->id, "state", "answered-before"),
			       "gate %s: answered before an earlier session sent the step's mutation; going on", st->id);
	} else if (st->gate_prompt.t) {
		int g = gate(s, st);
		if (g != 1) {
			snprintf(err, sizeof err, g < 0 ? "stopped at the gate: nobody to ask" : "the operator said no at the gate");
			rc = ACTION_STOPPED;
			goto end;
		}
		/* a long wait at the gate ages what the answer was given on */
		if (sched_refresh_reads(s, st, sched_evidence_bound(s), err, sizeof err) < 0) {
			rc = ACTION_FAILED;
			s->cur = st;
			goto end;
		}
		s->cur = st;
		json_decref(v.list);
		v.list = json_array();
		if (!conds(s, "require", st->require, st->nrequire, &v, s->o->dry_run)) {
			snprintf(err, sizeof err, "precondition (checked again after the gate): %.440s", v.msg);
			rc = ACTION_FAILED;
			goto end;
		}
	}
	if (st->kind == IR_STEP_GROUP) {
		sched_jrec(s, JOURNAL_STEP_START, json_pack("{s:s, s:s?, s:n, s:i, s:o, s:s?}", "step", st->id, "title", st->title,
						      "action", "attempt", 1, "item_index", sched_item_index_json(s),
						      "item_label", s->item_label));
		enum st r = sched_run_list(s, st->children, st->nchildren);
		attempts = 1;
		if (r == ST_STOPPED) {
			rc = ACTION_STOPPED;
			snprintf(err, sizeof err, "stopped");
		} else if (r == ST_FAILED) {
			rc = ACTION_FAILED;
			snprintf(err, sizeof err, "a step of the group failed");
		}
		result = json_null();
		goto end;
	}
	json_t *memo = json_object();
	int64_t close_until = 0;     /* closing an open bracket through an outage: give up then */
	int naps = 0;
	/* the earlier session's mutation found above (one scan of the journal) */
	const json_t *resume_outcome = sent_ro;
	const json_t *resume = sent;
	for (int a = 1; a <= st->attempts; a++) {
		attempts = a;
		s->attempt = a;
		int64_t at0 = kube_now_ms();
		sched_jrec(s, JOURNAL_STEP_START, json_pack("{s:s, s:s?, s:s, s:i, s:o, s:s?}", "step", st->id, "title", st->title,
						      "action", st->action_name, "attempt", a, "item_index",
						      sched_item_index_json(s), "item_label", s->item_label));
		if (s->journal_dead) {
			rc = ACTION_STOPPED;
			snprintf(err, sizeof err, "the journal failed");
			break;
		}
		progress_status(s->o->pg, st->id, a, at0, s->window_deadline);
		if (resume)
			progress_event(s->o->pg, "resume", NULL, resume_outcome ?
				       "%s: an earlier session sent its mutation and journaled the answer; going on from "
				       "there, not sending it again" :
				       "%s: an earlier session died after journaling its intent; checking the cluster "
				       "before acting again", st->id);
		json_decref(v.list);
		v.list = json_array();
		/* keep the require verdicts in the evidence */
		conds(s, "require", st->require, st->nrequire, &v, 0);
		json_decref(result);   /* an earlier attempt's result failed its expects */
		result = NULL;
		s->cluster_lost = 0;
		rc = attempt(s, st, memo, resume, resume_outcome, &result, &v, err, sizeof err);
		resume = NULL;
		resume_outcome = NULL;
		if (rc == ACTION_OK)
			break;
		progress_event(s->o->pg, "attempt-failed",
			       json_pack("{s:s, s:i, s:s}", "step", st->id, "attempt", a, "error", err),
			       "     %s attempt %d/%d failed: %s", st->id, a, st->attempts, err);
		if (rc == ACTION_STOPPED || rc == ACTION_INTERRUPTED || s->stopped || sched_interrupted(s))
			break;
		if (st->closes && sched_bracket_is_open(s, st->closes) && s->last_transient && !s->o->dry_run) {
			int64_t now = kube_now_ms();
			int64_t lim = s->o->close_retry_ms > 0 ? s->o->close_retry_ms : 600000;
			if (!close_until)
				close_until = now + lim;
			if (now < close_until) {
				long nap = 2000L << (naps < 3 ? naps : 3);
				naps++;
				char left[32];
				report_duration(left, sizeof left, close_until - now);
				progress_event(s->o->pg, "closing", json_pack("{s:s, s:s}", "step", st->id, "bracket", st->closes),
					       "     %s: the API is failing; '%s' stays open until this succeeds: trying again "
					       "in %lds (for up to %s more)", st->id, st->closes, nap / 1000, left);
				struct action_ctx cx = {0};
				cx.interrupted = s->o->abort_waits;
				if (action_sleep(&cx, nap) < 0)
					break;
				a--;   /* an outage does not use up the step's attempts */
				continue;
			}
			s->close_failed_transient = 1;
		}
		if (!st->closes && s->window_deadline && kube_now_ms() >= s->window_deadline)
			break;
		if (a < st->attempts) {
			long delay = (long)((double)st->delay_ms * pow(st->backoff > 0 ? st->backoff : 1.0, a - 1));
			struct action_ctx cx = {0};
			cx.interrupted = s->o->abort_waits;
			cx.deadline_ms = s->window_deadline;
			if (action_sleep(&cx, delay) < 0)
				break;
		}
	}
	json_decref(memo);
	progress_status(s->o->pg, NULL, 0, 0, 0);
	if (rc == ACTION_OK) {
		if (st->opens)
			bracket(s, st->opens, 1, st->id);
		if (st->closes)
			bracket(s, st->closes, 0, st->id);
	}
end:;
	int exceeded = st->within_ms > 0 && kube_now_ms() - t0 > st->within_ms;
	if (st->within_ms > 0) {
		sched_jrec(s, JOURNAL_WINDOW_CLOSE, json_pack("{s:s, s:I, s:b}", "window", st->id, "elapsed_ms",
							(json_int_t)(kube_now_ms() - t0), "exceeded", exceeded));
		if (exceeded && rc == ACTION_OK) {
			rc = ACTION_FAILED;
			snprintf(err, sizeof err, "the window of %llds was exceeded", st->within_ms / 1000);
		}
	}
	s->window_deadline = outer;
	const char *status = rc == ACTION_OK ? "ok" : "failed";
	int cont = rc != ACTION_OK && rc != ACTION_STOPPED && rc != ACTION_INTERRUPTED && st->on_failure == IR_ONFAIL_CONTINUE;
	sched_record_end(s, st, status, attempts, t0, started, rc == ACTION_OK ? result : NULL, rc == ACTION_OK ? NULL : err,
		   v.list, cont);
	json_decref(result);
	json_decref(v.list);
	if (rc == ACTION_OK)
		return ST_OK;
	if (rc == ACTION_STOPPED || rc == ACTION_INTERRUPTED || sched_interrupted(s)) {
		s->stopped = 1;
		return ST_STOPPED;
	}
	sched_set_error(s, "step '%s' failed: %s", st->id, err);
	return ST_FAILED;
}

enum st sched_run_step(struct sched *s, const struct ir_step *st)
{
	if (sched_interrupted(s) || s->stopped)
		return ST_STOPPED;
	if (st->when.e) {
		if (sched_resumed(s, st))
			return ST_OK;
		json_t *v = NULL;
		char err[512];
		char started[40];
		iso_time_now(started, sizeof started);
		if (sched_eval(s, &st->when, &v, err, sizeof err) < 0) {
			sched_record_end(s, st, "failed", 0, kube_now_ms(), started, NULL, err, NULL, 0);
			sched_set_error(s, "step '%s' failed: %s", st->id, err);
			return st->on_failure == IR_ONFAIL_CONTINUE ? ST_CONTINUE : ST_FAILED;
		}
		int go = expr_truthy(v);
		json_decref(v);
		if (!go) {
			sched_record_end(s, st, "skipped", 0, kube_now_ms(), started, NULL, NULL, NULL, 0);
			return ST_OK;
		}
	}
	enum st r = st->for_each.e ? sched_run_loop(s, st) : sched_run_body(s, st);
	if (r != ST_FAILED)
		return r;
	if (st->on_failure == IR_ONFAIL_CONTINUE) {
		progress_event(s->o->pg, "continue", NULL, "     %s failed; on_failure: continue", st->id);
		return ST_CONTINUE;
	}
	if (st->on_failure == IR_ONFAIL_STEPS) {
		progress_event(s->o->pg, "on-failure", NULL, "     %s failed; running its on_failure steps", st->id);
		long long item = s->item;
		for (size_t i = 0; i < st->non_failure_steps; i++)
			sched_run_step(s, &st->on_failure_steps[i]);
		s->item = item;
	}
	return ST_FAILED;
}

enum st sched_run_list(struct sched *s, const struct ir_step *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enum st r = sched_run_step(s, &v[i]);
		if (r == ST_FAILED || r == ST_STOPPED)
			return r;
	}
	return ST_OK;
}

/* On resume: every step that ended before goes back into steps.*, and the
 * brackets and run-wide facts are what they were. */
static void left_note(struct sched *s)
{
	char *b = json_dumps(sched_opened(s), JSON_COMPACT);
	progress_event(s->o->pg, "left", json_pack("{s:O}", "opened", sched_opened(s)), "the cluster is left: %s",
		       json_array_size(sched_opened(s)) ? "" : "no bracket open (maintenance mode was ended or never started)");
	size_t i;
	json_t *v;
	json_array_foreach(sched_opened(s), i, v)
		progress_event(s->o->pg, "left", NULL, "  - '%s' is OPEN (for Patroni: maintenance mode, no automatic "
			       "failover) until a run closes it", json_string_value(v));
	const char *k;
	json_object_foreach(json_object_get(s->run_state, "deleted"), k, v)
		progress_event(s->o->pg, "left", NULL, "  - deleted by this run: %s (uid %s)", k, json_string_value(v));
	/* the latest member list a step read */
	const char *best = NULL, *when = NULL;
	json_t *seen = NULL;
	json_object_foreach(s->steps, k, v) {
		json_t *res = json_object_get(v, "result");
		const char *at = json_string_value(json_object_get(v, "started"));
		if (json_is_array(json_object_get(res, "members")) && at && (!when || strcmp(at, when) > 0)) {
			best = k;
			when = at;
			seen = res;
		}
	}
	if (seen) {
		progress_event(s->o->pg, "left", NULL, "  - members as step '%s' saw them at %s (pause: %s):", best, when,
			       json_is_true(json_object_get(seen, "pause")) ? "true" : "false");
		json_array_foreach(json_object_get(seen, "members"), i, v)
			progress_event(s->o->pg, "left", NULL, "      %s %s %s", json_string_value(json_object_get(v, "name")),
				       json_string_value(json_object_get(v, "role")) ?
				       json_string_value(json_object_get(v, "role")) : "?",
				       json_string_value(json_object_get(v, "state")) ?
				       json_string_value(json_object_get(v, "state")) : "?");
	}
	free(b);
}

int sched_exit_code(enum sched_outcome r)
{
	static const int codes[] = {[SCHED_DONE] = 0, [SCHED_FAILED] = 1, [SCHED_CLUSTER] = 3, [SCHED_STOPPED] = 4};
	return codes[r];
}

enum sched_outcome sched_run(const struct sched_opts *o)
{
	struct sched s = {0};
	s.o = o;
	s.item = -1;
	s.run_state = json_object();
	s.env = json_pack("{s:O, s:{}, s:{s:s, s:s, s:b, s:s, s:[], s:s}}", "params", o->plan->params, "steps", "run",
			  "namespace", o->ns ? o->ns : "", "cluster", o->cluster ? o->cluster : "", "dry_run",
			  o->dry_run, "id", o->run_id, "opened", "status", "running");
	s.steps = json_object_get(s.env, "steps");
	s.run = json_object_get(s.env, "run");
	s.taken = json_object();
	s.rerun = json_object();
	if (o->resume) {
		sched_resume_env(&s);
		sched_plan_reopen(&s);
	}
	enum st r = sched_run_list(&s, o->plan->steps, o->plan->nsteps);
	int cluster_lost = r == ST_FAILED && (s.first_error_cluster || s.cluster_lost);
	int stopped_by_signal = sched_interrupted(&s);
	if (stopped_by_signal)
		sched_jrec(&s, JOURNAL_SIGNAL, json_pack("{s:s, s:i}", "signal", "SIGINT/SIGTERM", "count", (int)*o->signals));
	/* finally runs after success, failure, a gate stop and the first signal */
	if (o->plan->nfinally && !s.journal_dead) {
		if (o->abort_waits)
			*o->abort_waits = 0;
		int was_stopped = s.stopped;
		/* what finally's expressions see as run.status */
		const char *so_far = stopped_by_signal ? "interrupted" :
				     r == ST_STOPPED ? "stopped" : r == ST_FAILED ? "failed" : "running";
		json_object_set_new(s.run, "status", json_string(so_far));
		s.stopped = 0;
		progress_event(o->pg, "finally", NULL, "finally:");
		s.in_finally = 1;
		for (size_t i = 0; i < o->plan->nfinally; i++) {
			enum st fr = sched_run_step(&s, &o->plan->finally_[i]);
			if (fr == ST_FAILED && r == ST_OK)
				r = ST_FAILED;
			s.stopped = 0;
			if (o->abort_waits && *o->abort_waits)
				break;
		}
		s.in_finally = 0;
		s.stopped = was_stopped;
	}
	enum sched_outcome code;
	const char *state;
	if (r == ST_STOPPED || stopped_by_signal || s.journal_dead) {
		code = SCHED_STOPPED;
		state = stopped_by_signal ? "interrupted" : "stopped";
	} else if (r == ST_FAILED) {
		/* a run that lost the cluster says so: it is not the plan's fault;
		 * nor is a bracket left open because the API was out */
		code = cluster_lost || (json_array_size(sched_opened(&s)) && s.close_failed_transient) ? SCHED_CLUSTER
											   : SCHED_FAILED;
		state = "failed";
	} else {
		code = SCHED_DONE;
		state = "done";
	}
	if (code == SCHED_STOPPED && !s.first_error[0])
		snprintf(s.first_error, sizeof s.first_error, "%s", stopped_by_signal ? "interrupted by a signal" :
			 s.journal_dead ? "the journal failed" : "stopped at a gate");
	if (json_array_size(sched_opened(&s))) {
		char *b = json_dumps(sched_opened(&s), JSON_COMPACT);
		progress_event(o->pg, "warning", json_pack("{s:O}", "opened", sched_opened(&s)),
			       "warning: the run ends with brackets still open: %s", b ? b : "?");
		free(b);
	}
	if (code != SCHED_DONE && !o->dry_run)
		left_note(&s);
	s.journal_dead = 0;   /* try to close the story even after a failed append */
	sched_jrec(&s, JOURNAL_RUN_END, json_pack("{s:s, s:i, s:s?}", "state", state, "exit_code", sched_exit_code(code),
					    "error", code != SCHED_DONE ? s.first_error : NULL));
	json_decref(s.env);
	json_decref(s.run_state);
	json_decref(s.taken);
	json_decref(s.rerun);
	return code;
}
