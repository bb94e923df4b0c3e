/* lint_params.h - OP106: a param that nothing in the plan reads.  A plan's
 * silence: {OP106: "reason"} silences it (a param kept for a caller that
 * still passes it with -p). */
#ifndef OPSPLAN_LINT_PARAMS_H
#define OPSPLAN_LINT_PARAMS_H

#include "diag.h"

struct plan;

/* Adds a warning per unread param unless the plan silences OP106; returns
 * how many. */
size_t lint_params_check(const struct plan *p, struct diag_list *d);

#endif
