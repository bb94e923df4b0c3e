/* action.h - the runtime implementations of the catalog's actions.
 *
 * ORDER CATALOG: action_table.c lists one implementation per catalog entry,
 * matched by name (test_action checks every entry has one).  Families live
 * in action_k8s.c, action_patroni.c, action_openshift.c, action_misc.c.
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

struct kube_client;
struct kube_err;
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

struct action_impl {
	const char *name;
	action_fn run;
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

#endif
