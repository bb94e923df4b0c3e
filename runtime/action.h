/* action.h - the runtime implementations of the catalog's actions.
 *
 * ORDER CATALOG: action_table.c lists one implementation per catalog entry,
 * matched by name (test_action checks every entry has one): how it runs and
 * how its result reads in one line.  Every other fact about an action is its
 * catalog row's (compiler/catalog.h).  Families live in action_k8s.c,
 * action_patroni.c, action_openshift.c, action_misc.c, action_http.c.
 *
 * An action gets its step's `with` (templates already evaluated) and the
 * context of the run; it returns its result, shaped as the catalog declares
 * (the scheduler checks it with action_result_check).  A mutation calls
 * action_intent before it sends anything and action_outcome after, so the
 * journal holds the intent even if the process dies in between. */
#ifndef OPSPLAN_ACTION_H
#define OPSPLAN_ACTION_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct action;
struct expr;
struct ir_with_expr;
struct kube_client;
struct kube_err;
struct strbuf;
struct type;

/* Return codes of an action (and of a step's attempt). */
enum {
	ACTION_OK = 0,
	ACTION_FAILED = -1,       /* cx->err says why; the attempt failed */
	ACTION_STOPPED = -2,      /* the operator said no, or nobody could be asked */
	ACTION_INTERRUPTED = -3,  /* a signal asked the run to stop; nothing left half-done */
	ACTION_TIMEOUT = -4,      /* the attempt's deadline passed */
};

/* What the scheduler provides; the action calls back through hooks. */
struct action_hooks {
	void *sched;
	/* journal the intent of a mutation before sending it; request and
	 * precondition are consumed.  Non-zero: the journal failed, do not send */
	int (*intent)(void *sched, json_t *request, json_t *precondition, int idempotent);
	void (*outcome)(void *sched, int ok, long http_status, const char *summary, const char *error);
	/* what the step waits for now, for the progress line */
	void (*waiting)(void *sched, const char *what);
	/* ask the operator; 1 yes, 0 no, -1 nobody to ask (no TTY, no --yes) */
	int (*ask)(void *sched, const char *prompt, const json_t *show, const char **by);
	/* a line for the operator (dry-run "would ..." lines, log) */
	void (*say)(void *sched, const char *level, const char *text);
};

struct action_ctx {
	const struct action *action;       /* the step's catalog row: choices, parameters */
	const json_t *env;                 /* the step's roots (borrowed), over which its
					      expression parameters are evaluated */
	const struct ir_with_expr *exprs;  /* those parameters, parsed at load (ir_load.h) */
	size_t nexprs;
	struct kube_client *kc;
	const char *ns;                    /* the run's namespace */
	int dry_run;
	int64_t deadline_ms;               /* kube_now_ms() clock; 0: none */
	volatile sig_atomic_t *interrupted;  /* non-zero: stop waiting */
	const json_t *resume;              /* the intent of an earlier session that died in
					      this step (and item) before its step-end, or
					      NULL: never repeat blindly */
	const json_t *resume_outcome;      /* that intent's journaled outcome, or NULL (it
					      died before one): an ok outcome means the
					      mutation happened and is not sent again */
	int idempotent;                    /* the plan declares the step safe to repeat */
	json_t *outcome_result;            /* set by an action before h.outcome: the result
					      to journal with the outcome (consumed), so a
					      resume can restore it instead of acting again */
	json_t *memo;                      /* scratch kept across attempts of one step
					      (preconditions taken before the first) */
	json_t *run_state;                 /* run-wide facts ({"deleted": {"Pod/x": uid}}) */
	struct action_hooks h;
	char err[512];                     /* set when an action fails */
	int err_cluster;                   /* the failure is reaching/authenticating to the cluster */
	int err_transient;                 /* the failure may pass by itself: transport, 5xx, 429
					      (an API outage); a read may simply ask again */
};

typedef int (*action_fn)(struct action_ctx *cx, const json_t *with, json_t **result);
/* One line a person reads for a result object of the action (summary.h);
 * appends nothing when the result has no shape it knows. */
typedef void (*action_summary_fn)(struct strbuf *b, const json_t *result);

struct action_impl {
	const char *name;
	action_fn run;
	action_summary_fn summarise;       /* NULL: the compact JSON */
};

const struct action_impl *action_impl_find(const char *name);
const struct action_impl *action_impl_all(size_t *n);

/* Does v have the shape of t?  0 yes; -1 and a message naming the first
 * field that does not fit. */
int action_result_check(const struct type *t, const json_t *v, char *err, size_t errn);

/* ---- helpers for implementations (action_table.c) ------------------ */

/* Milliseconds left before the deadline (at least 1), or def when none. */
long action_remaining_ms(const struct action_ctx *cx, long def);
int action_expired(const struct action_ctx *cx);
const char *action_str(const json_t *with, const char *key);       /* NULL if absent */
const char *action_ns(const struct action_ctx *cx, const json_t *with);
int action_fail(struct action_ctx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fill cx->err from a kube error; returns ACTION_FAILED (or ACTION_TIMEOUT,
 * ACTION_INTERRUPTED) and flags cluster-level failures. */
int action_kube_fail(struct action_ctx *cx, const char *what, const struct kube_err *e);
/* Sleep ms, waking early on an interrupt or the deadline; 0 slept, -1 cut short. */
int action_sleep(struct action_ctx *cx, long ms);
/* Is value one of the catalog's choices for the parameter of cx->action?  1
 * yes (or no choices); 0 no, and list (n bytes) says which are. */
int action_choice_ok(const struct action_ctx *cx, const char *param, const char *value, char *list, size_t n);
/* The parsed expression of an expression parameter (k8s.wait's `that`), or
 * NULL when the step's with has none.  Borrowed from the loaded plan. */
const struct expr *action_expr(const struct action_ctx *cx, const char *param);

/* Families, for action_table.c. */
int action_k8s_get(struct action_ctx *cx, const json_t *with, json_t **result);
int action_k8s_list(struct action_ctx *cx, const json_t *with, json_t **result);
int action_k8s_patch(struct action_ctx *cx, const json_t *with, json_t **result);
int action_k8s_delete(struct action_ctx *cx, const json_t *with, json_t **result);
int action_k8s_wait(struct action_ctx *cx, const json_t *with, json_t **result);
int action_k8s_exec(struct action_ctx *cx, const json_t *with, json_t **result);
int action_patroni_cluster(struct action_ctx *cx, const json_t *with, json_t **result);
int action_patroni_status(struct action_ctx *cx, const json_t *with, json_t **result);
int action_patroni_pause(struct action_ctx *cx, const json_t *with, json_t **result);
int action_patroni_resume(struct action_ctx *cx, const json_t *with, json_t **result);
int action_patroni_switchover(struct action_ctx *cx, const json_t *with, json_t **result);
int action_patroni_restart(struct action_ctx *cx, const json_t *with, json_t **result);
int action_openshift_build(struct action_ctx *cx, const json_t *with, json_t **result);
int action_openshift_tag(struct action_ctx *cx, const json_t *with, json_t **result);
int action_confirm(struct action_ctx *cx, const json_t *with, json_t **result);
int action_sleep_run(struct action_ctx *cx, const json_t *with, json_t **result);
int action_log(struct action_ctx *cx, const json_t *with, json_t **result);
int action_http(struct action_ctx *cx, const json_t *with, json_t **result);
int action_notify(struct action_ctx *cx, const json_t *with, json_t **result);

/* Their summaries (summary.h has the shared helpers). */
void action_k8s_object_summary(struct strbuf *b, const json_t *r);
void action_k8s_list_summary(struct strbuf *b, const json_t *r);
void action_k8s_delete_summary(struct strbuf *b, const json_t *r);
void action_k8s_wait_summary(struct strbuf *b, const json_t *r);
void action_k8s_exec_summary(struct strbuf *b, const json_t *r);
void action_patroni_cluster_summary(struct strbuf *b, const json_t *r);
void action_patroni_status_summary(struct strbuf *b, const json_t *r);
void action_patroni_pause_summary(struct strbuf *b, const json_t *r);
void action_patroni_switchover_summary(struct strbuf *b, const json_t *r);
void action_patroni_restart_summary(struct strbuf *b, const json_t *r);
void action_openshift_build_summary(struct strbuf *b, const json_t *r);
void action_openshift_tag_summary(struct strbuf *b, const json_t *r);
void action_confirm_summary(struct strbuf *b, const json_t *r);
void action_log_summary(struct strbuf *b, const json_t *r);
void action_http_summary(struct strbuf *b, const json_t *r);
void action_notify_summary(struct strbuf *b, const json_t *r);

#endif
