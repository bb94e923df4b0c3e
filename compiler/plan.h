/* plan.h - a plan after schema checking: the AST the graph, the proofs and
 * the IR are built from.
 *
 * plan_check() walks the YAML tree once, reports every schema problem
 * (unknown keys with "did you mean", wrong types, bad durations and ids,
 * missing required keys) and builds what it could.  Strings and nodes are
 * borrowed from the ydoc or allocated in plan->arena; plan_free releases the
 * arena, not the ydoc. */
#ifndef OPSPLAN_PLAN_H
#define OPSPLAN_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "loc.h"
#include "type.h"

struct ydoc;
struct ynode;
struct action;
struct expr;
struct tmpl;

/* An expression written bare in YAML (that:, when:, for_each:, until:).
 * base is where text[0] sits, so expression columns map into the file. */
struct plan_expr {
	const char *text;
	size_t len;
	struct loc loc;          /* the whole scalar */
	struct loc base;         /* line/col of text[0] */
	struct expr *ast;        /* filled by the checker (expr_parse); NULL until then */
};

struct plan_cond {               /* an item of require: or expect: */
	struct plan_expr that;
	const struct ynode *else_msg;   /* a template string, or NULL */
	struct loc loc;
};

struct plan_retry {
	int attempts;            /* total attempts, >= 1 */
	int64_t delay_ms;        /* before the 2nd attempt */
	double backoff;          /* multiplier per further attempt, >= 1 */
	int set;
};

struct plan_silence {            /* silence: {OP101: "reason"} */
	enum diag_code code;
	const char *reason;
	struct loc loc;
};

enum plan_param_type { PARAM_STRING, PARAM_NUMBER, PARAM_INTEGER, PARAM_BOOLEAN, PARAM_DURATION, PARAM_LIST };

struct plan_param {
	const char *name;
	struct loc loc;
	enum plan_param_type type;
	int required;
	const struct ynode *def; /* default, NULL if none */
	const char *match;       /* PCRE2 the value must match, or NULL */
	struct loc match_loc;
	const struct ynode *choices; /* enum: a sequence, or NULL */
	const char *doc;
	/* Secrets (docs/language.md "Secrets"): the value never reaches any
	 * output nor the IR on disk.  from: {secret: NAME, key: KEY} makes the
	 * param sensitive and read by the executor from a Kubernetes Secret. */
	int sensitive;
	struct loc sensitive_loc;
	const char *secret_name, *secret_key, *secret_ns;   /* from: secret, or NULLs */
};

enum plan_on_failure { ONFAIL_ABORT, ONFAIL_CONTINUE, ONFAIL_STEPS };

enum plan_step_kind { STEP_ACTION, STEP_GROUP };

struct plan_gate {
	const struct ynode *prompt;   /* template string */
	struct plan_expr *show;       /* evidence expressions shown before asking */
	size_t nshow;
	struct loc loc;
};

struct plan_step {
	const char *id;          /* explicit id, or generated: "<parent>.<n>" / "step-<n>" */
	int id_explicit;
	struct loc loc;          /* the step's mapping */
	struct loc id_loc;
	const char *title;
	enum plan_step_kind kind;

	/* STEP_ACTION */
	const char *action_name;
	struct loc action_loc;
	const struct action *action;   /* NULL when unknown (already diagnosed) */
	const struct ynode *with;      /* mapping, or NULL */

	/* STEP_GROUP */
	struct plan_step **steps;
	size_t nsteps;

	struct plan_cond *require;   size_t nrequire;
	struct plan_cond *expect;    size_t nexpect;
	struct plan_expr *when;      /* NULL: always */
	struct plan_expr *for_each;  /* NULL: not a loop */
	const char *as;              /* loop variable, default "item" */
	int serial;                  /* loop parallelism: 1 = one at a time (default); 0 = all */
	const char **needs;          /* step ids */
	struct loc *needs_loc;
	size_t nneeds;
	int64_t timeout_ms;          /* per attempt; 0 = plan default */
	struct plan_retry retry;     /* .set 0 = plan default */
	struct plan_expr *until;     /* poll the action until this holds */
	int64_t every_ms;            /* poll interval, with until */
	int64_t within_ms;           /* window: the step/group must finish inside it; 0 none */
	struct loc within_loc;
	/* `timeout:`/`within:` written as ${{ params.NAME }} (a duration param):
	 * NAME, and timeout_ms/within_ms are filled from the param's value (-p,
	 * else its default) by ir_params_bind; *_from says which: "cli",
	 * "default" or "unset" (no value: the window is not proven). */
	const char *timeout_param, *within_param;
	const char *timeout_from, *within_from;
	struct loc timeout_loc;
	struct plan_gate *gate;      /* NULL: none */
	int idempotent;              /* idempotent: true -- repeating the action is safe */
	enum plan_on_failure on_failure;
	struct plan_step **on_failure_steps;
	size_t non_failure_steps;
	struct plan_silence *silence;
	size_t nsilence;

	struct plan_step *parent;    /* enclosing group or NULL */
};

struct plan {
	struct arena *arena;
	const struct ydoc *doc;      /* borrowed */
	const char *file;
	int version;                 /* opsplan: 1 */
	const char *name;
	const char *summary;
	const char *description;
	struct plan_param *params;   size_t nparams;
	int64_t default_timeout_ms;  /* defaults.timeout, 2m if absent */
	struct plan_retry default_retry;
	struct plan_step **steps;    size_t nsteps;
	struct plan_step **finally;  size_t nfinally;
	struct plan_silence *silence; size_t nsilence;
};

/* Check doc against the plan language; returns the plan (possibly partial)
 * or NULL when the root is unusable.  Diagnostics go to d. */
struct plan *plan_check(const struct ydoc *doc, struct diag_list *d);
void plan_free(struct plan *p);

/* "90s", "5m", "1h30m", "250ms", "2h" -> milliseconds; -1 if malformed. */
int64_t plan_duration_parse(const char *s);
/* Milliseconds -> "1h30m", "2m", "1.5s" into buf. */
void plan_duration_format(int64_t ms, char *buf, size_t n);
int plan_id_valid(const char *id);   /* [a-z][a-z0-9_-]*, at most 63 */

/* Visit every step in document order, depth first (groups, then their steps;
 * on_failure steps and finally included).  Stops early if fn returns non-zero. */
int plan_walk(struct plan *p, int (*fn)(struct plan_step *s, void *ctx), void *ctx);

#endif
