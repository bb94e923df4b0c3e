/* action_k8s.c - k8s.get, k8s.list, k8s.patch, k8s.delete, k8s.wait, k8s.exec.
 *
 * k8s.wait is a watch (list+watch through kube_watch), so the step reacts
 * within milliseconds of the change rather than a poll interval later.
 * k8s.delete always carries the uid taken before its first attempt as a
 * DELETE precondition, so a retry or a --resume can never delete the pod
 * the StatefulSet recreated in the meantime. */
#include "action.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "kube.h"
#include "mem.h"
#include "summary.h"

static char *obj_path(struct action_ctx *cx, const json_t *with, int named, const char *sub)
{
	const char *kind = action_str(with, "kind");
	const char *name = action_str(with, "name");
	if (!kind) {
		action_fail(cx, "'kind' must be a string");
		return NULL;
	}
	if (named && (!name || !*name)) {
		action_fail(cx, "'name' must be a non-empty string");
		return NULL;
	}
	char *p = kube_kind_path(cx->kc, kind, action_ns(cx, with), named ? name : NULL, sub);
	if (!p)
		action_fail(cx, "unknown kind \"%s\"", kind);
	return p;
}

static void url_add(struct strbuf *b, const char *key, const char *val, int *first)
{
	sb_puts(b, *first ? "?" : "&");
	*first = 0;
	sb_puts(b, key);
	sb_putc(b, '=');
	for (const unsigned char *p = (const unsigned char *)val; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			sb_putc(b, (char)*p);
		else
			sb_printf(b, "%%%02X", *p);
	}
}

static struct kube_req_opts req_opts(struct action_ctx *cx, int mutation)
{
	struct kube_req_opts o = {0};
	o.timeout_ms = action_remaining_ms(cx, 30000);
	if (o.timeout_ms > 30000)
		o.timeout_ms = 30000;
	o.dry_run = mutation && cx->dry_run;
	return o;
}

int action_k8s_get(struct action_ctx *cx, const json_t *with, json_t **result)
{
	char *path = obj_path(cx, with, 1, NULL);
	if (!path)
		return ACTION_FAILED;
	struct kube_req_opts o = req_opts(cx, 0);
	struct kube_err e;
	int rc = kube_request(cx->kc, "GET", path, NULL, NULL, &o, result, &e);
	free(path);
	return rc < 0 ? action_kube_fail(cx, "get", &e) : ACTION_OK;
}

int action_k8s_list(struct action_ctx *cx, const json_t *with, json_t **result)
{
	char *base = obj_path(cx, with, 0, NULL);
	if (!base)
		return ACTION_FAILED;
	struct strbuf b = {0};
	sb_puts(&b, base);
	free(base);
	int first = 1;
	if (action_str(with, "selector"))
		url_add(&b, "labelSelector", action_str(with, "selector"), &first);
	if (action_str(with, "field_selector"))
		url_add(&b, "fieldSelector", action_str(with, "field_selector"), &first);
	json_t *list = NULL;
	struct kube_err e;
	int rc = kube_list(cx->kc, b.s, &list, &e);
	sb_release(&b);
	if (rc < 0)
		return action_kube_fail(cx, "list", &e);
	json_t *items = json_object_get(list, "items");
	if (!json_is_array(items))
		items = json_array();
	else
		json_incref(items);
	json_t *names = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		const char *n = json_string_value(json_object_get(json_object_get(it, "metadata"), "name"));
		json_array_append_new(names, json_string(n ? n : ""));
	}
	*result = json_pack("{s:o, s:I, s:o}", "items", items, "count", (json_int_t)json_array_size(items),
			    "names", names);
	json_decref(list);
	return ACTION_OK;
}

int action_k8s_patch(struct action_ctx *cx, const json_t *with, json_t **result)
{
	json_t *patch = json_object_get(with, "patch");
	const char *type = action_str(with, "type");
	if (!type)
		type = "merge";
	char choices[128];
	if (!action_choice_ok(cx, "type", type, choices, sizeof choices))
		return action_fail(cx, "patch type \"%s\" is not %s", type, choices);
	if (!patch)
		return action_fail(cx, "'patch' is required");
	char *path = obj_path(cx, with, 1, NULL);
	if (!path)
		return ACTION_FAILED;
	json_t *req = json_pack("{s:s, s:s, s:O, s:s, s:b}", "method", "PATCH", "path", path, "body", patch,
				"type", type, "dry_run", cx->dry_run);
	if (cx->h.intent(cx->h.sched, req, json_null(), 1) != 0) {
		free(path);
		return action_fail(cx, "the journal failed: not sending the patch");
	}
	if (cx->dry_run) {
		char *js = json_dumps(patch, JSON_COMPACT);
		char *line = xasprintf("PATCH %s %s sent with dryRun=All", path, js ? js : "");
		cx->h.say(cx->h.sched, "info", line);
		free(line);
		free(js);
	}
	struct kube_req_opts o = req_opts(cx, 1);
	o.retry_unsafe = 1;   /* a patch applies the same change twice harmlessly */
	struct kube_err e;
	int rc = kube_patch(cx->kc, path, patch, type, &o, result, &e);
	free(path);
	if (rc < 0) {
		cx->h.outcome(cx->h.sched, 0, e.http_code, NULL, e.msg);
		return action_kube_fail(cx, "patch", &e);
	}
	cx->h.outcome(cx->h.sched, 1, 200, cx->dry_run ? "patched (dry run)" : "patched", NULL);
	return ACTION_OK;
}

static const char *obj_uid(const json_t *o)
{
	return json_string_value(json_object_get(json_object_get(o, "metadata"), "uid"));
}

static char *obj_key(struct action_ctx *cx, const json_t *with)
{
	return xasprintf("%s/%s/%s", action_str(with, "kind"), action_ns(cx, with), action_str(with, "name"));
}

int action_k8s_delete(struct action_ctx *cx, const json_t *with, json_t **result)
{
	char *path = obj_path(cx, with, 1, NULL);
	if (!path)
		return ACTION_FAILED;
	int rc = ACTION_FAILED;
	char *key = obj_key(cx, with);
	json_t *cur = NULL;
	struct kube_err e;
	/* the uid: given, or taken before the first attempt (kept in memo, or in
	 * the journal's intent when an earlier process died after sending) */
	const char *uid = action_str(with, "uid");
	const json_t *pre = json_object_get(cx->resume, "precondition");
	const char *done_uid = json_string_value(json_object_get(pre, "uid"));
	if (json_is_true(json_object_get(cx->resume_outcome, "ok")) && done_uid && !cx->dry_run) {
		/* the earlier session's delete answered: the object with that uid is
		 * gone, and what stands under the name now is its replacement */
		*result = json_pack("{s:s, s:b}", "uid", done_uid, "deleted", 1);
		json_t *d = json_object_get(cx->run_state, "deleted");
		if (!d) {
			d = json_object();
			json_object_set_new(cx->run_state, "deleted", d);
		}
		json_object_set_new(d, key, json_string(done_uid));
		free(key);
		free(path);
		return ACTION_OK;
	}
	int sent_before = cx->resume != NULL || json_is_true(json_object_get(cx->memo, "sent"));
	if (!uid)
		uid = json_string_value(json_object_get(cx->memo, "uid"));
	if (!uid)
		uid = json_string_value(json_object_get(pre, "uid"));
	if (!uid) {
		struct kube_req_opts o = req_opts(cx, 0);
		if (kube_request(cx->kc, "GET", path, NULL, NULL, &o, &cur, &e) < 0) {
			if (e.cls == KUBE_ERR_NOTFOUND) {
				*result = json_pack("{s:s, s:b}", "uid", "", "deleted", 0);
				rc = ACTION_OK;
			} else {
				rc = action_kube_fail(cx, "get before delete", &e);
			}
			goto done;
		}
		uid = obj_uid(cur);
		if (!uid) {
			rc = action_fail(cx, "the object has no metadata.uid");
			goto done;
		}
	}
	json_object_set_new(cx->memo, "uid", json_string(uid));
	uid = json_string_value(json_object_get(cx->memo, "uid"));
	struct strbuf p = {0};
	sb_puts(&p, path);
	json_t *gp = json_object_get(with, "grace_period");
	if (json_is_number(gp))
		sb_printf(&p, "?gracePeriodSeconds=%lld", (long long)json_number_value(gp));
	json_t *body = json_pack("{s:s, s:s, s:{s:s}}", "kind", "DeleteOptions", "apiVersion", "v1",
				 "preconditions", "uid", uid);
	json_t *req = json_pack("{s:s, s:s, s:O, s:b}", "method", "DELETE", "path", p.s, "body", body,
				"dry_run", cx->dry_run);
	if (cx->h.intent(cx->h.sched, req, json_pack("{s:s}", "uid", uid), 0) != 0) {
		json_decref(body);
		sb_release(&p);
		rc = action_fail(cx, "the journal failed: not deleting");
		goto done;
	}
	if (!cx->dry_run)
		json_object_set_new(cx->memo, "sent", json_true());
	if (cx->dry_run) {
		char *line = xasprintf("DELETE %s (uid %s) sent with dryRun=All", p.s, uid);
		cx->h.say(cx->h.sched, "info", line);
		free(line);
	}
	struct kube_req_opts o = req_opts(cx, 1);
	o.retry_unsafe = 1;   /* safe: the uid precondition makes a repeat a no-op */
	json_t *out = NULL;
	int krc = kube_request(cx->kc, "DELETE", p.s, body, NULL, &o, &out, &e);
	json_decref(out);
	json_decref(body);
	sb_release(&p);
	if (krc == 0) {
		cx->h.outcome(cx->h.sched, 1, 200, cx->dry_run ? "deleted (dry run)" : "deleted", NULL);
		*result = json_pack("{s:s, s:b}", "uid", uid, "deleted", 1);
		rc = ACTION_OK;
	} else if ((e.cls == KUBE_ERR_NOTFOUND || e.cls == KUBE_ERR_CONFLICT) && sent_before) {
		/* an earlier attempt's delete took effect: the uid is gone */
		cx->h.outcome(cx->h.sched, 1, e.http_code, "already deleted by an earlier attempt", NULL);
		*result = json_pack("{s:s, s:b}", "uid", uid, "deleted", 1);
		rc = ACTION_OK;
	} else if (e.cls == KUBE_ERR_NOTFOUND) {
		cx->h.outcome(cx->h.sched, 1, e.http_code, "already gone", NULL);
		*result = json_pack("{s:s, s:b}", "uid", uid, "deleted", 0);
		rc = ACTION_OK;
	} else if (e.cls == KUBE_ERR_CONFLICT) {
		cx->h.outcome(cx->h.sched, 0, e.http_code, NULL, e.msg);
		rc = action_fail(cx, "\"%s\" was replaced before the delete (uid %s is gone): the new one is "
				 "not deleted", action_str(with, "name"), uid);
	} else {
		cx->h.outcome(cx->h.sched, 0, e.http_code, NULL, e.msg);
		rc = action_kube_fail(cx, "delete", &e);
	}
	if (rc == ACTION_OK && !cx->dry_run) {
		json_t *d = json_object_get(cx->run_state, "deleted");
		if (!d) {
			d = json_object();
			json_object_set_new(cx->run_state, "deleted", d);
		}
		json_object_set_new(d, key, json_string(uid));
	}
done:
	json_decref(cur);
	free(key);
	free(path);
	return rc;
}

/* ---- k8s.wait ------------------------------------------------------- */

struct waitc {
	struct action_ctx *cx;
	const char *cond;          /* the `for` */
	char uid_before[128];
	int have_before;
	json_t *cur;               /* current object or NULL */
	int synced;
	json_t *events;
	int64_t t0;
	int met;
	/* for: expression */
	const struct expr *that;
	json_t *env;               /* the step's roots + `object` */
	char expect_gone[128];     /* a deletion of this uid is expected (the run deleted it) */
	int gone;                  /* the object was deleted and that deletion was not expected */
	char eval_err[256];        /* the last evaluation error, for the timeout message */
};

/* `that` over the current object.  An evaluation error (a field of a pod
 * still starting, say) is "not yet", remembered for the timeout message. */
static int that_holds(struct waitc *w)
{
	json_t *v = NULL;
	char *msg = NULL;
	json_object_set(w->env, "object", w->cur);
	if (expr_eval(w->that, w->env, &v, &msg) < 0) {
		snprintf(w->eval_err, sizeof w->eval_err, "%s", msg ? msg : "evaluation failed");
		free(msg);
		return 0;
	}
	w->eval_err[0] = 0;
	int t = expr_truthy(v);
	json_decref(v);
	return t;
}

static int cond_true(const json_t *o, const char *type)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(json_object_get(o, "status"), "conditions"), i, c) {
		const char *t = json_string_value(json_object_get(c, "type"));
		const char *s = json_string_value(json_object_get(c, "status"));
		if (t && s && !strcasecmp(t, type))
			return !strcmp(s, "True");
	}
	return 0;
}

static int wait_met(struct waitc *w)
{
	const char *c = w->cond;
	if (!strcmp(c, "deleted"))
		return w->synced && !w->cur;
	if (!w->cur)
		return 0;
	if (!strcmp(c, "exists"))
		return 1;
	if (!strcmp(c, "replaced")) {
		const char *u = obj_uid(w->cur);
		return w->have_before && u && strcmp(u, w->uid_before) != 0;
	}
	if (!strcmp(c, "ready"))
		return cond_true(w->cur, "Ready");
	if (!strncmp(c, "phase=", 6)) {
		const char *ph = json_string_value(json_object_get(json_object_get(w->cur, "status"), "phase"));
		return ph && !strcmp(ph, c + 6);
	}
	if (!strncmp(c, "condition=", 10))
		return cond_true(w->cur, c + 10);
	if (!strcmp(c, "expression"))
		return that_holds(w);
	return 0;
}

static void note_event(struct waitc *w, const char *type, const json_t *o)
{
	if (json_array_size(w->events) >= 200)
		return;   /* bounded: the report needs the shape, not every event */
	const json_t *st = json_object_get(o, "status");
	const char *phase = json_string_value(json_object_get(st, "phase"));
	const char *uid = obj_uid(o);
	char *sum = xasprintf("phase %s, ready %s, uid %s", phase ? phase : "-", cond_true(o, "Ready") ? "true" : "false",
			      uid ? uid : "-");
	json_array_append_new(w->events, json_pack("{s:s, s:f, s:s}", "type", type, "at",
						   (double)(kube_now_ms() - w->t0) / 1000.0, "summary", sum));
	free(sum);
}

static int wait_cb(void *ctx, enum kube_event_type type, json_t *obj)
{
	struct waitc *w = ctx;
	if (w->cx->interrupted && *w->cx->interrupted)
		return -1;
	switch (type) {
	case KUBE_EV_LISTED:
		json_decref(w->cur);
		w->cur = json_incref(obj);
		return 0;   /* judge at SYNCED: "gone" means "not listed" */
	case KUBE_EV_SYNCED:
		w->synced = 1;
		break;
	case KUBE_EV_ADDED:
	case KUBE_EV_MODIFIED:
		json_decref(w->cur);
		w->cur = json_incref(obj);
		note_event(w, type == KUBE_EV_ADDED ? "ADDED" : "MODIFIED", obj);
		break;
	case KUBE_EV_DELETED:
		if (w->cur && obj_uid(obj) && obj_uid(w->cur) && strcmp(obj_uid(obj), obj_uid(w->cur)) != 0)
			break;   /* an older incarnation's late event */
		note_event(w, "DELETED", obj);
		json_decref(w->cur);
		w->cur = NULL;
		/* an expression that has not held is not going to hold on a deleted
		 * object; only the incarnation this run deleted may go and come back */
		if (w->that && w->synced && (!obj_uid(obj) || strcmp(obj_uid(obj), w->expect_gone) != 0)) {
			w->gone = 1;
			return 1;
		}
		break;
	}
	if (!w->have_before && w->cur && obj_uid(w->cur)) {
		snprintf(w->uid_before, sizeof w->uid_before, "%s", obj_uid(w->cur));
		w->have_before = 1;
	}
	w->met = w->synced && wait_met(w);
	return w->met ? 1 : 0;
}

int action_k8s_wait(struct action_ctx *cx, const json_t *with, json_t **result)
{
	const char *cond = action_str(with, "for");
	const char *name = action_str(with, "name");
	if (!cond)
		return action_fail(cx, "'for' must be a string");
	char choices[256];
	if (!action_choice_ok(cx, "for", cond, choices, sizeof choices))
		return action_fail(cx, "cannot wait for \"%s\": use %s", cond, choices);
	int is_expr = !strcmp(cond, "expression");
	if (!is_expr && action_str(with, "that"))
		return action_fail(cx, "'that' is only read with 'for: expression', not 'for: %s'", cond);
	/* parsed once by the IR loader, evaluated here over the step's roots */
	const struct expr *that = is_expr ? action_expr(cx, "that") : NULL;
	if (is_expr && !that)
		return action_fail(cx, "'for: expression' needs 'that', the expression to wait for");
	char *base = obj_path(cx, with, 0, NULL);
	if (!base)
		return ACTION_FAILED;
	if (!name || !*name) {
		free(base);
		return action_fail(cx, "'name' must be a non-empty string");
	}
	struct waitc w = {cx, cond, "", 0, NULL, 0, json_array(), kube_now_ms(), 0};
	if (that) {
		w.that = that;
		w.env = json_is_object(cx->env) ? json_copy((json_t *)cx->env) : json_object();
	}
	const char *uid = action_str(with, "uid");
	char *key = obj_key(cx, with);
	if (!uid && (!strcmp(cond, "replaced") || is_expr))   /* the uid this run deleted, if it did */
		uid = json_string_value(json_object_get(json_object_get(cx->run_state, "deleted"), key));
	free(key);
	if (uid) {
		snprintf(w.uid_before, sizeof w.uid_before, "%s", uid);
		w.have_before = 1;
		snprintf(w.expect_gone, sizeof w.expect_gone, "%s", uid);
	}
	struct strbuf p = {0};
	int first = 1;
	sb_puts(&p, base);
	free(base);
	char *fs = xasprintf("metadata.name=%s", name);
	url_add(&p, "fieldSelector", fs, &first);
	free(fs);
	char what[256];
	snprintf(what, sizeof what, "%s %s: %s", action_str(with, "kind"), name,
		 is_expr ? action_str(with, "that") : cond);
	cx->h.waiting(cx->h.sched, what);
	int rc = ACTION_OK;
	if (cx->dry_run && (!strcmp(cond, "replaced") || !strcmp(cond, "deleted") || is_expr)) {
		/* nothing was deleted or changed: say what would be waited for, from
		 * the real object (an expression may only hold after the mutations
		 * the dry run did not make, so waiting for it could only time out) */
		char *op = obj_path(cx, with, 1, NULL);
		struct kube_err e;
		struct kube_req_opts o = req_opts(cx, 0);
		if (op && kube_request(cx->kc, "GET", op, NULL, NULL, &o, &w.cur, &e) < 0 && e.cls != KUBE_ERR_NOTFOUND)
			rc = action_kube_fail(cx, "get", &e);
		free(op);
		const char *now = !is_expr ? "" : !w.cur ? " (the object does not exist now)"
					 : that_holds(&w) ? " (it holds now)" : " (it does not hold now)";
		char *line = xasprintf("would wait for %s%s", what, now);
		cx->h.say(cx->h.sched, "info", line);
		free(line);
		w.met = 1;
	} else {
		struct kube_err e;
		long tmo = action_remaining_ms(cx, 300000);
		if (kube_watch(cx->kc, p.s, NULL, tmo, wait_cb, &w, NULL, &e) < 0) {
			rc = action_kube_fail(cx, "wait", &e);
			if (w.eval_err[0] && strlen(cx->err) + 40 < sizeof cx->err)
				snprintf(cx->err + strlen(cx->err), sizeof cx->err - strlen(cx->err),
					 " (last evaluation: %s)", w.eval_err);
		} else if (w.gone) {
			rc = action_fail(cx, "%s %s was deleted while waiting for %s", action_str(with, "kind"), name,
					 action_str(with, "that"));
		}
	}
	sb_release(&p);
	if (rc == ACTION_OK) {
		const char *ua = w.cur ? obj_uid(w.cur) : NULL;
		*result = json_pack("{s:O?, s:f, s:O, s:s?, s:s?}", "object", !strcmp(cond, "deleted") ? NULL : w.cur,
				    "elapsed", (double)(kube_now_ms() - w.t0) / 1000.0, "events", w.events,
				    "uid_before", w.have_before ? w.uid_before : NULL, "uid_after", ua);
	}
	json_decref(w.cur);
	json_decref(w.events);
	json_decref(w.env);
	return rc;
}

/* ---- k8s.exec ------------------------------------------------------- */

int action_k8s_exec(struct action_ctx *cx, const json_t *with, json_t **result)
{
	const char *pod = action_str(with, "pod");
	json_t *cmd = json_object_get(with, "command");
	if (!pod || !json_is_array(cmd) || json_array_size(cmd) == 0 || json_array_size(cmd) > 256)
		return action_fail(cx, "'pod' and a non-empty 'command' list are required");
	/* a finished exec's result is in its outcome: restore it, never run it again */
	const json_t *done = json_object_get(cx->resume_outcome, "result");
	if (json_is_true(json_object_get(cx->resume_outcome, "ok")) && json_is_object(done)) {
		*result = json_deep_copy(done);
		return ACTION_OK;
	}
	int sent = (cx->resume != NULL && !cx->dry_run) || json_is_true(json_object_get(cx->memo, "sent"));
	if (sent)
		json_object_set_new(cx->memo, "sent", json_true());   /* the step's later attempts too */
	if (sent && !cx->idempotent)
		return action_fail(cx, "an earlier attempt of this exec in \"%s\" was sent and may have run; it is not "
				   "repeated (the plan does not declare the step idempotent): check the pod, then "
				   "rerun the step", pod);
	const char **argv = xcalloc(json_array_size(cmd) + 1, sizeof *argv);
	size_t i;
	json_t *a;
	json_array_foreach(cmd, i, a) {
		argv[i] = json_string_value(a);
		if (!argv[i]) {
			free(argv);
			return action_fail(cx, "command[%zu] is not a string", i);
		}
	}
	int rc = ACTION_OK;
	json_t *req = json_pack("{s:s, s:s, s:O, s:s?}", "method", "EXEC", "pod", pod, "command", cmd, "container",
				action_str(with, "container"));
	if (cx->dry_run) {
		char *js = json_dumps(cmd, JSON_COMPACT);
		char *line = xasprintf("would exec %s in pod %s", js, pod);
		cx->h.say(cx->h.sched, "info", line);
		free(line);
		free(js);
		json_decref(req);
		*result = json_pack("{s:s, s:s, s:i}", "stdout", "", "stderr", "", "exit_code", 0);
		goto done;
	}
	if (cx->h.intent(cx->h.sched, req, json_null(), cx->idempotent) != 0) {
		rc = action_fail(cx, "the journal failed: not running the command");
		goto done;
	}
	json_object_set_new(cx->memo, "sent", json_true());
	char *out = NULL, *err = NULL;
	int code = -1;
	struct kube_err e;
	if (kube_exec(cx->kc, action_ns(cx, with), pod, action_str(with, "container"), argv,
		      action_remaining_ms(cx, 60000), &out, &err, &code, &e) < 0) {
		cx->h.outcome(cx->h.sched, 0, e.http_code, NULL, e.msg);
		rc = action_kube_fail(cx, "exec", &e);
		goto done;
	}
	char sum[64];
	snprintf(sum, sizeof sum, "exit code %d", code);
	*result = json_pack("{s:s, s:s, s:i}", "stdout", out ? out : "", "stderr", err ? err : "", "exit_code", code);
	cx->outcome_result = json_deep_copy(*result);
	cx->h.outcome(cx->h.sched, 1, 0, sum, NULL);
	free(out);
	free(err);
done:
	free(argv);
	return rc;
}

/* ---- summaries ------------------------------------------------------ */

#define S(path) (summary_str(r, path) ? summary_str(r, path) : "?")

void action_k8s_object_summary(struct strbuf *b, const json_t *r)
{
	if (json_object_get(r, "metadata"))
		summary_k8s_object(b, r);
}

void action_k8s_list_summary(struct strbuf *b, const json_t *r)
{
	sb_printf(b, "%zu items", json_array_size(json_object_get(r, "items")));
}

void action_k8s_delete_summary(struct strbuf *b, const json_t *r)
{
	sb_printf(b, "%s uid %s", json_is_false(json_object_get(r, "deleted")) ? "already gone," : "deleted,", S("uid"));
}

void action_k8s_wait_summary(struct strbuf *b, const json_t *r)
{
	const json_t *o = json_object_get(r, "object");
	if (json_is_object(o))
		summary_k8s_object(b, o);
	else
		sb_puts(b, "gone");
	const json_t *el = json_object_get(r, "elapsed");
	if (json_is_number(el))
		sb_printf(b, " after %.1fs", json_number_value(el));
}

void action_k8s_exec_summary(struct strbuf *b, const json_t *r)
{
	const char *out = summary_str(r, "stdout");
	size_t n = out ? strcspn(out, "\n") : 0;
	sb_printf(b, "exit %lld: %.*s", (long long)json_integer_value(json_object_get(r, "exit_code")), (int)n,
		  out ? out : "");
}
