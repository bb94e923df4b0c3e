/* plan_scope.h - the names each expression of a plan can see, and the type
 * check of every expression and ${{ }} template against them.
 *
 * Roots (docs/ir.md, "The expression environment"): params, steps (only the
 * steps proven to have finished before this one), result (expect:/until:),
 * the loop variables of enclosing for_each steps, run.  A step's result is
 * optional when the step may be skipped (when:, on_failure: continue, a loop
 * around it) or runs on a failure path. */
#ifndef OPSPLAN_PLAN_SCOPE_H
#define OPSPLAN_PLAN_SCOPE_H

#include "diag.h"
#include "loc.h"

struct ydoc;
struct ynode;
struct graph;
struct type;

/* Parse (into the plan's arena) and check every expression and template of
 * the plan; adds OP05x from the expression checker and OP083 for reads of
 * steps that may not have run.  Returns the number of errors added. */
size_t plan_scope_check(struct graph *g, struct diag_list *d);

/* Where the text of a scalar starts: after its quote, or on the first
 * content line of a block scalar (the base for expression columns). */
struct loc plan_scope_scalar_base(const struct ydoc *doc, const struct ynode *n);

/* The type of run.* (static). */
extern const struct type plan_scope_run_type;

#endif
