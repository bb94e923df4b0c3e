/* action_table.c - the implementation of each catalog action (run and
 * summarise), result shape checks and the helpers every action family
 * shares. */
#include "action.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "ir_load.h"
#include "kube.h"
#include "type.h"

/* ORDER CATALOG */
static const struct action_impl impls[] = {
	{"k8s.get", action_k8s_get, action_k8s_object_summary},
	{"k8s.list", action_k8s_list, action_k8s_list_summary},
	{"k8s.patch", action_k8s_patch, action_k8s_object_summary},
	{"k8s.delete", action_k8s_delete, action_k8s_delete_summary},
	{"k8s.wait", action_k8s_wait, action_k8s_wait_summary},
	{"k8s.exec", action_k8s_exec, action_k8s_exec_summary},
	{"patroni.cluster", action_patroni_cluster, action_patroni_cluster_summary},
	{"patroni.status", action_patroni_status, action_patroni_status_summary},
	{"patroni.pause", action_patroni_pause, action_patroni_pause_summary},
	{"patroni.resume", action_patroni_resume, action_patroni_pause_summary},
	{"patroni.switchover", action_patroni_switchover, action_patroni_switchover_summary},
	{"patroni.restart", action_patroni_restart, action_patroni_restart_summary},
	{"openshift.build", action_openshift_build, action_openshift_build_summary},
	{"openshift.tag", action_openshift_tag, action_openshift_tag_summary},
	{"confirm", action_confirm, action_confirm_summary},
	{"sleep", action_sleep_run, NULL},
	{"log", action_log, action_log_summary},
	{"http", action_http, action_http_summary},
	{"notify", action_notify, action_notify_summary},
};

const struct action_impl *action_impl_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++)
		if (!strcmp(impls[i].name, name))
			return &impls[i];
	return NULL;
}

const struct action_impl *action_impl_all(size_t *n)
{
	*n = sizeof impls / sizeof impls[0];
	return impls;
}

static int check(const struct type *t, const json_t *v, char *path, size_t plen, size_t pcap,
		 char *err, size_t errn)
{
	if (!t || t->kind == TYPE_ANY)
		return 0;
	if (json_is_null(v) || !v) {
		if (t->optional || t->kind == TYPE_NULL)
			return 0;
		snprintf(err, errn, "'%s' is null but the catalog says %s", plen ? path : "result",
			 type_kind_name(t->kind));
		return -1;
	}
	int ok = 1;
	switch (t->kind) {
	case TYPE_ANY: break;
	case TYPE_NULL: ok = 0; break;
	case TYPE_BOOL: ok = json_is_boolean(v); break;
	case TYPE_NUMBER:
	case TYPE_DURATION: ok = json_is_number(v); break;
	case TYPE_STRING: ok = json_is_string(v); break;
	case TYPE_LIST: ok = json_is_array(v); break;
	case TYPE_OBJECT: ok = json_is_object(v); break;
	}
	if (!ok) {
		snprintf(err, errn, "'%s' is not a %s", plen ? path : "result", type_kind_name(t->kind));
		return -1;
	}
	if (t->kind == TYPE_LIST && t->elem) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			int k = snprintf(path + plen, pcap - plen, "[%zu]", i);
			size_t nl = plen + (k > 0 ? (size_t)k : 0);
			if (nl >= pcap)
				nl = pcap - 1;
			if (check(t->elem, e, path, nl, pcap, err, errn) < 0)
				return -1;
			path[plen] = 0;
		}
	}
	if (t->kind == TYPE_OBJECT) {
		for (size_t i = 0; i < t->nfields; i++) {
			int k = snprintf(path + plen, pcap - plen, "%s%s", plen ? "." : "", t->fields[i].name);
			size_t nl = plen + (k > 0 ? (size_t)k : 0);
			if (nl >= pcap)
				nl = pcap - 1;
			json_t *f = json_object_get(v, t->fields[i].name);
			/* open objects (k8s) may omit listed fields: the API omits empty ones */
			if (!(t->open && !f) && check(t->fields[i].type, f, path, nl, pcap, err, errn) < 0)
				return -1;
			path[plen] = 0;
		}
	}
	return 0;
}

int action_result_check(const struct type *t, const json_t *v, char *err, size_t errn)
{
	char path[512] = "";
	return check(t, v, path, 0, sizeof path, err, errn);
}

long action_remaining_ms(const struct action_ctx *cx, long def)
{
	if (!cx->deadline_ms)
		return def;
	int64_t left = cx->deadline_ms - kube_now_ms();
	return left < 1 ? 1 : (long)left;
}

int action_expired(const struct action_ctx *cx)
{
	return cx->deadline_ms && kube_now_ms() >= cx->deadline_ms;
}

const char *action_str(const json_t *with, const char *key)
{
	return json_string_value(json_object_get(with, key));
}

const char *action_ns(const struct action_ctx *cx, const json_t *with)
{
	const char *ns = action_str(with, "namespace");
	return ns && *ns ? ns : cx->ns;
}

int action_fail(struct action_ctx *cx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cx->err, sizeof cx->err, fmt, ap);
	va_end(ap);
	return ACTION_FAILED;
}

int action_kube_fail(struct action_ctx *cx, const char *what, const struct kube_err *e)
{
	if (e->cls == KUBE_ERR_ABORTED && cx->interrupted && *cx->interrupted) {
		snprintf(cx->err, sizeof cx->err, "%s: interrupted", what);
		return ACTION_INTERRUPTED;
	}
	if (e->cls == KUBE_ERR_TIMEOUT || (e->cls == KUBE_ERR_ABORTED && action_expired(cx))) {
		snprintf(cx->err, sizeof cx->err, "%s: timed out", what);
		return ACTION_TIMEOUT;
	}
	snprintf(cx->err, sizeof cx->err, "%.100s: %.400s", what, e->msg);
	cx->err_cluster = e->cls == KUBE_ERR_NETWORK || e->cls == KUBE_ERR_AUTH || e->cls == KUBE_ERR_CONFIG;
	cx->err_transient = e->cls == KUBE_ERR_NETWORK || e->cls == KUBE_ERR_SERVER || e->cls == KUBE_ERR_THROTTLED ||
			    e->cls == KUBE_ERR_TIMEOUT;
	return ACTION_FAILED;
}

int action_sleep(struct action_ctx *cx, long ms)
{
	int64_t end = kube_now_ms() + ms;
	for (;;) {
		if (cx->interrupted && *cx->interrupted)
			return -1;
		int64_t now = kube_now_ms();
		if (now >= end)
			return 0;
		if (cx->deadline_ms && now >= cx->deadline_ms)
			return -1;
		int64_t step = end - now;
		if (cx->deadline_ms && cx->deadline_ms - now < step)
			step = cx->deadline_ms - now;
		if (step > 50)
			step = 50;   /* wake to notice a signal soon */
		struct timespec ts = {0, (long)step * 1000000L};
		nanosleep(&ts, NULL);
	}
}

int action_choice_ok(const struct action_ctx *cx, const char *param, const char *value, char *list, size_t n)
{
	const struct action_param *p = catalog_param(cx->action, param);
	if (catalog_choice_ok(p, value))
		return 1;
	catalog_choices_text(p, list, n);
	return 0;
}

const struct expr *action_expr(const struct action_ctx *cx, const char *param)
{
	for (size_t i = 0; cx->exprs && i < cx->nexprs; i++)
		if (!strcmp(cx->exprs[i].name, param))
			return cx->exprs[i].x.e;
	return NULL;
}
