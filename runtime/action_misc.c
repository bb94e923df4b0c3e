/* action_misc.c - the built-in actions that need no cluster: confirm, sleep, log. */
#include "action.h"

#include <string.h>

#include "kube.h"
#include "mem.h"
#include "summary.h"

int action_confirm(struct action_ctx *cx, const json_t *with, json_t **result)
{
	const char *prompt = action_str(with, "prompt");
	const char *by = NULL;
	int yes = cx->h.ask(cx->h.sched, prompt ? prompt : "continue?", json_object_get(with, "show"), &by);
	if (yes < 0) {
		action_fail(cx, "nobody to confirm \"%s\": no terminal and no --yes", prompt ? prompt : "");
		return ACTION_STOPPED;
	}
	if (yes == 0) {
		action_fail(cx, "the operator declined \"%s\"", prompt ? prompt : "");
		return ACTION_STOPPED;
	}
	/* the journal says "user", the catalog's result "operator" */
	*result = json_pack("{s:b, s:s}", "answer", 1, "by", by && !strcmp(by, "--yes") ? "--yes" : "operator");
	return ACTION_OK;
}

int action_sleep_run(struct action_ctx *cx, const json_t *with, json_t **result)
{
	json_t *d = json_object_get(with, "duration");
	if (!json_is_number(d) || json_number_value(d) < 0)
		return action_fail(cx, "sleep: 'duration' must be a duration");
	int64_t t0 = kube_now_ms();
	char what[64];
	snprintf(what, sizeof what, "%gs to pass", json_number_value(d));
	cx->h.waiting(cx->h.sched, what);
	int rc = action_sleep(cx, (long)(json_number_value(d) * 1000.0));
	if (rc < 0) {
		if (cx->interrupted && *cx->interrupted) {
			action_fail(cx, "sleep: interrupted");
			return ACTION_INTERRUPTED;
		}
		action_fail(cx, "sleep: timed out");
		return ACTION_TIMEOUT;
	}
	*result = json_pack("{s:f}", "slept", (double)(kube_now_ms() - t0) / 1000.0);   /* ms resolution */
	return ACTION_OK;
}

int action_log(struct action_ctx *cx, const json_t *with, json_t **result)
{
	const char *msg = action_str(with, "message");
	const char *level = action_str(with, "level");
	if (!msg)
		return action_fail(cx, "log: 'message' must be a string");
	if (!level)
		level = "info";
	char choices[128];
	if (!action_choice_ok(cx, "level", level, choices, sizeof choices))
		return action_fail(cx, "log: level \"%s\" is not %s", level, choices);
	cx->h.say(cx->h.sched, level, msg);
	*result = json_pack("{s:s}", "message", msg);
	return ACTION_OK;
}

/* ---- summaries ------------------------------------------------------ */

void action_confirm_summary(struct strbuf *b, const json_t *r)
{
	const char *by = summary_str(r, "by");
	sb_printf(b, "%s by %s", json_is_true(json_object_get(r, "answer")) ? "confirmed" : "declined", by ? by : "?");
}

void action_log_summary(struct strbuf *b, const json_t *r)
{
	const char *msg = summary_str(r, "message");
	sb_puts(b, msg ? msg : "");
}
