/* summary.h - one line a person reads for an action's result.
 *
 * The report and the progress lines show these instead of raw JSON: "3
 * members, leader patroni-001-1, lag 0 MB, not paused" says more on a terminal
 * than the first 160 bytes of the result.  The full result stays in the
 * journal and the JSON report. */
#ifndef OPSPLAN_SUMMARY_H
#define OPSPLAN_SUMMARY_H

#include <jansson.h>

#define SUMMARY_MAX 200   /* bytes, ellipsis included */

/* Summary of result for action (a catalog name, or NULL for an unknown one);
 * never NULL, the caller frees it.  Unknown shapes fall back to compact JSON. */
char *summary_result(const char *action, const json_t *result);

#endif
