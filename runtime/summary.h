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

struct strbuf;

/* Summary of result for action (a catalog name, or NULL for an unknown one)
 * by the action's own summariser (action_table.c); never NULL, the caller
 * frees it.  Unknown shapes fall back to compact JSON. */
char *summary_result(const char *action, const json_t *result);

/* ---- for the actions' summarisers ------------------------------------ */

/* o's string at "a.b.c", borrowed; NULL when any part is missing. */
const char *summary_str(const json_t *o, const char *path);
void summary_num(struct strbuf *b, const json_t *v);         /* 3 or 2.5 */
void summary_digest(struct strbuf *b, const char *ref);      /* "sha256:" + 12 hex */
/* "Pod db-0, Running, Ready=True, image sha256:..., updateStrategy ..." */
void summary_k8s_object(struct strbuf *b, const json_t *o);

#endif
