/* lint_safety.h - safety rules for cluster plans: warnings with ids
 * (OP100-OP103) that a step, an enclosing group or the plan silences with
 * `silence: {OP101: "reason"}`. */
#ifndef OPSPLAN_LINT_SAFETY_H
#define OPSPLAN_LINT_SAFETY_H

#include "diag.h"

struct graph;

/* Adds the warnings the plan has not silenced; returns how many. */
size_t lint_safety_check(const struct graph *g, struct diag_list *d);

#endif
