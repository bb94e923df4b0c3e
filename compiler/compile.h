/* compile.h - the compiler's stages in one call: load YAML, check the plan
 * schema, type-check expressions, build and prove the step graph.
 *
 * Every stage runs as far as it can and adds to the same diag_list (jq, SQLite:
 * collect, count, keep going); a later stage is skipped only when an earlier
 * one left nothing to work on. */
#ifndef OPSPLAN_COMPILE_H
#define OPSPLAN_COMPILE_H

#include <stddef.h>
#include "diag.h"

struct ydoc;
struct plan;
struct graph;

struct compile_opts {
	const char *const *params;   /* "name=value" strings from -p, nparams of them */
	size_t nparams;
	int params_required;         /* 1: a required param without a value is an error (compile/run) */
	/* Sensitive values given with -p never enter the IR (it keeps a digest):
	 * when this is a JSON object, ir_params_resolve sets name -> value in
	 * it, for the executor to hold in memory only.  NULL: dropped. */
	struct json_t *sensitive_values;
};

struct compiled {
	struct ydoc *doc;            /* owned */
	struct plan *plan;           /* owned; NULL when the file did not load */
	struct graph *graph;         /* owned; NULL until built */
};

/* Always returns a compiled the caller frees with compile_free. */
struct compiled *compile_file(const char *path, const struct compile_opts *o, struct diag_list *d);
struct compiled *compile_mem(const char *name, const char *bytes, size_t len,
			     const struct compile_opts *o, struct diag_list *d);
void compile_free(struct compiled *c);   /* accepts NULL */

#endif
