/* ir_load.h - the runtime's side of the IR seam (docs/ir.md): IR JSON text ->
 * an executable step tree with every expression and template parsed.
 *
 * The loader checks ir_version and the content hash, so a hand-edited or
 * truncated IR is refused rather than half-run.  It never re-checks what the
 * compiler proved (types, graph, brackets); it only refuses shapes it cannot
 * execute.
 *
 * Ownership: ir_load returns a plan the caller frees with ir_plan_free; every
 * pointer inside (steps, strings, parsed expressions, json_t members) is
 * borrowed from it. */
#ifndef OPSPLAN_IR_LOAD_H
#define OPSPLAN_IR_LOAD_H

#include <stddef.h>
#include <jansson.h>

struct expr;
struct tmpl;
struct arena;
struct action;

struct ir_expr {                 /* an expression and where it sits in the plan */
	const char *text;
	const char *src;         /* "file:line:col" */
	struct expr *e;
};

struct ir_tmpl {
	const char *text;
	const char *src;
	struct tmpl *t;
};

struct ir_cond {
	struct ir_expr that;
	struct ir_tmpl els;      /* els.t NULL when the plan gave no else */
	const char *src;
};

struct ir_with_tmpl {           /* a string of with: that holds ${{ }} */
	const char *pointer;     /* RFC 6901 into with */
	struct ir_tmpl tmpl;
};

struct ir_with_expr {           /* a with: value the catalog marks an expression
				   (k8s.wait's `that`), parsed here, evaluated by the action */
	const char *name;        /* the parameter */
	struct ir_expr x;
};

enum ir_step_kind { IR_STEP_ACTION, IR_STEP_GROUP };
enum ir_onfail { IR_ONFAIL_ABORT, IR_ONFAIL_CONTINUE, IR_ONFAIL_STEPS };

struct ir_step {
	const char *id, *src, *title;   /* title may be NULL */
	const char *context;            /* "main", "on_failure", "finally" */
	enum ir_step_kind kind;
	/* action steps */
	const struct action *action;    /* from the catalog, never NULL for actions */
	const char *action_name, *effect, *opens, *closes;   /* opens/closes may be NULL */
	json_t *with;                   /* borrowed from the document (an object) */
	struct ir_with_tmpl *templates;
	size_t ntemplates;
	struct ir_with_expr *with_exprs;   /* the expression parameters present in with */
	size_t nwith_exprs;
	/* group steps */
	struct ir_step *children;
	size_t nchildren;
	/* both */
	long long timeout_ms;
	int attempts;
	long long delay_ms;
	double backoff;
	struct ir_expr when;            /* when.e NULL: always */
	struct ir_expr for_each;        /* for_each.e NULL: no loop */
	const char *as;
	int serial;
	long long max_items;
	const char *max_items_from;
	struct ir_cond *require, *expect;
	size_t nrequire, nexpect;
	struct ir_expr until;           /* until.e NULL: no polling */
	long long every_ms;
	long long within_ms;            /* 0: no window */
	const char *within_src;
	struct ir_tmpl gate_prompt;     /* gate_prompt.t NULL: no gate */
	struct ir_expr *gate_show;
	size_t ngate_show;
	int idempotent;                 /* the plan says repeating it is safe (exec) */
	const char **inside;            /* brackets open when it starts on the normal path */
	size_t ninside;
	enum ir_onfail on_failure;
	struct ir_step *on_failure_steps;
	size_t non_failure_steps;
	long long worst_ms;
};

struct ir_plan {
	json_t *doc;                    /* the whole IR, owned */
	char *text;                     /* the IR text as loaded, owned */
	size_t len;
	struct arena *arena;            /* parsed expressions, owned */
	char hash[72];                  /* "sha256:..." */
	const char *name, *file;
	json_t *params;                 /* object name -> value, owned */
	struct ir_step *steps, *finally_;
	size_t nsteps, nfinally;
	long long worst_ms, finally_worst_ms;
};

/* Load IR text (len bytes).  Returns 0, or -1 with a lowercase message in
 * err (errn bytes) naming what is wrong and where. */
int ir_load(struct ir_plan **out, const char *text, size_t len, char *err, size_t errn);
int ir_load_file(struct ir_plan **out, const char *path, char *err, size_t errn);
void ir_plan_free(struct ir_plan *p);            /* accepts NULL */

/* Visit every step of the plan (main, on_failure, finally), depth first. */
void ir_foreach_step(const struct ir_plan *p, void (*fn)(const struct ir_step *s, void *ctx), void *ctx);

#endif
