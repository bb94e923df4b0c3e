/* sched_resume.c - what an earlier session of the run left: the steps it
 * finished (restored, not run again), the mutation it died in (continued
 * from its journaled state), and the brackets open where it stopped (opened
 * again before anything inside them runs). */
#include "sched_int.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "catalog.h"
#include "expr.h"
#include "ir_load.h"
#include "kube.h"
#include "mem.h"
#include "progress.h"
#include "redact.h"
#include "report.h"
#include "summary.h"

/* ---- resume: what the journal already knows --------------------------- */

const struct journal_record *sched_done_before(struct sched *s, const char *id)
{
	/* finally runs at the end of every session: a resumed run that opened
	 * maintenance must close it even if an earlier session skipped the close */
	if (!s->o->resume || s->in_finally || s->no_resume)
		return NULL;
	if (s->item < 0 && json_object_get(s->rerun, id))
		return NULL;
	const struct journal_record *r = journal_step_end(s->o->resume, id, s->item);
	if (!r)
		return NULL;
	const char *st = json_string_value(json_object_get(r->data, "status"));
	if (st && (!strcmp(st, "ok") || !strcmp(st, "skipped")))
		return r;
	if (st && !strcmp(st, "failed") && json_is_true(json_object_get(r->data, "continued")))
		return r;
	return NULL;
}

/* What an earlier session of this step (and item) sent, or was about to
 * send, when it died: the action continues from it (journal_open_intent). */
const json_t *sched_open_intent(struct sched *s, const char *id, const json_t **outcome)
{
	*outcome = NULL;
	if (!s->o->resume || s->in_finally)
		return NULL;
	const struct journal_record *o = NULL;
	const struct journal_record *in = journal_open_intent(s->o->resume, id, s->item, &o);
	if (o)
		*outcome = o->data;
	return in ? in->data : NULL;
}

void sched_restore(struct sched *s, const struct ir_step *st, const struct journal_record *r)
{
	const json_t *d = r->data;
	const char *status = json_string_value(json_object_get(d, "status"));
	json_t *dur = json_object_get(d, "duration_ms");
	json_t *entry = json_pack("{s:b, s:s, s:O?, s:s, s:f}", "ok", !strcmp(status, "ok"), "status", status,
				  "result", json_object_get(d, "result"), "started",
				  json_string_value(json_object_get(d, "started")) ?
				  json_string_value(json_object_get(d, "started")) : "",
				  "duration", json_is_number(dur) ? json_number_value(dur) / 1000.0 : 0.0);
	json_object_set_new(s->steps, st->id, entry);
	progress_event(s->o->pg, "step-end", json_pack("{s:s, s:s, s:b}", "step", st->id, "status", status, "resumed", 1),
		       "done %s: %s (from the journal)", st->id, status);
}

/* 1 when an earlier session finished st for the current item: its outputs
 * are restored and the caller returns ST_OK without running it again. */
int sched_resumed(struct sched *s, const struct ir_step *st)
{
	const struct journal_record *prev = sched_done_before(s, st->id);
	if (!prev)
		return 0;
	sched_restore(s, st, prev);
	return 1;
}


void sched_resume_env(struct sched *s)
{
	const struct journal_records *r = s->o->resume;
	json_t *o = json_array();
	for (size_t i = 0; i < r->n; i++) {
		const struct journal_record *p = &r->items[i];
		const json_t *d = p->data;
		const char *b = json_string_value(json_object_get(d, "bracket"));
		if (p->kind == JOURNAL_BRACKET_OPEN && b) {
			json_array_append_new(o, json_string(b));
		} else if (p->kind == JOURNAL_BRACKET_CLOSE && b) {
			size_t k;
			json_t *x;
			json_array_foreach(o, k, x) {
				if (!strcmp(json_string_value(x), b)) {
					json_array_remove(o, k);
					break;
				}
			}
		} else if (p->kind == JOURNAL_STEP_END) {
			const char *id = json_string_value(json_object_get(d, "step"));
			const char *status = json_string_value(json_object_get(d, "status"));
			if (!id || !status)
				continue;
			json_t *dur = json_object_get(d, "duration_ms");
			const char *started = json_string_value(json_object_get(d, "started"));
			json_object_set_new(s->steps, id, json_pack("{s:b, s:s, s:O?, s:s, s:f}", "ok", !strcmp(status, "ok"),
								    "status", status, "result", json_object_get(d, "result"),
								    "started", started ? started : "", "duration",
								    json_is_number(dur) ? json_number_value(dur) / 1000.0 : 0.0));
			json_t *rs = json_object_get(d, "run_state");
			if (json_is_object(rs))
				json_object_update(s->run_state, rs);
		}
	}
	sched_opened_sync(s, o);
	json_decref(o);
}

/* ---- resume: re-open what was open where the run stopped ------------- */

/* The first step an earlier session did not finish, descending into plain
 * groups (a loop is resumed as a whole: its finished items restore). */
static const struct ir_step *resume_point(struct sched *s, const struct ir_step *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct ir_step *st = &v[i];
		if (sched_done_before(s, st->id))
			continue;
		if (st->kind == IR_STEP_GROUP && !st->for_each.e) {
			const struct ir_step *c = resume_point(s, st->children, st->nchildren);
			return c ? c : st;
		}
		return st;
	}
	return NULL;
}

static void effects_of(const struct ir_step *g, const char **open, size_t *n)
{
	for (size_t i = 0; i < g->nchildren; i++) {
		const struct ir_step *c = &g->children[i];
		if (c->kind == IR_STEP_GROUP) {
			effects_of(c, open, n);
			continue;
		}
		if (c->opens && *n < 16)
			open[(*n)++] = c->opens;
		for (size_t k = 0; c->closes && k < *n; k++)
			if (!strcmp(open[k], c->closes)) {
				memmove(&open[k], &open[k + 1], (*n - k - 1) * sizeof *open);
				(*n)--;
				break;
			}
	}
}

struct opener_walk {
	const struct ir_step *target;
	const char *bracket;
	const struct ir_step *opener;
	const struct ir_step *checks[64];   /* reads between the opener and the target */
	size_t nchecks;
};

static int walk_to(struct opener_walk *w, const struct ir_step *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct ir_step *st = &v[i];
		if (st == w->target)
			return 1;
		if (st->kind == IR_STEP_GROUP) {
			if (walk_to(w, st->children, st->nchildren))
				return 1;
		} else if (st->opens && !strcmp(st->opens, w->bracket)) {
			w->opener = st;
			w->nchecks = 0;
		} else if (w->opener && sched_is_read(st) && !st->for_each.e && w->nchecks < 64) {
			w->checks[w->nchecks++] = st;
		}
	}
	return 0;
}

/* The step the run goes on with sits inside a bracket (the IR says which):
 * whatever the journal says, a finally may have closed it or a person may
 * have resumed Patroni by hand, so its opener runs again (it is the same
 * when repeated) with the checks between it and that step, before anything
 * inside the bracket is done. */
void sched_plan_reopen(struct sched *s)
{
	const struct ir_plan *p = s->o->plan;
	const struct ir_step *r = resume_point(s, p->steps, p->nsteps);
	if (!r)
		return;
	/* a group whose steps all finished (its own end was not journaled):
	 * what its steps opened and closed decides what is open after it */
	const char *open[16];
	size_t nopen = 0;
	for (size_t i = 0; i < r->ninside && nopen < 16; i++)
		open[nopen++] = r->inside[i];
	if (r->kind == IR_STEP_GROUP)
		effects_of(r, open, &nopen);
	for (size_t i = 0; i < nopen; i++) {
		struct opener_walk w = {r, open[i], NULL, {0}, 0};
		if (r->closes && !strcmp(r->closes, w.bracket))
			continue;   /* the step closes it: nothing to do inside first */
		if (!walk_to(&w, p->steps, p->nsteps) || !w.opener)
			continue;
		json_object_set_new(s->rerun, w.opener->id, json_true());
		struct strbuf b = {0};
		for (size_t k = 0; k < w.nchecks; k++) {
			json_object_set_new(s->rerun, w.checks[k]->id, json_true());
			sb_printf(&b, "%s'%s'", k ? ", " : "", w.checks[k]->id);
		}
		progress_event(s->o->pg, "resume", json_pack("{s:s, s:s, s:s}", "bracket", w.bracket, "at", r->id, "reopen",
							     w.opener->id),
			       "resume: the run stopped inside '%s' (at '%s'): running '%s' again%s%s before going on",
			       w.bracket, r->id, w.opener->id, b.len ? " and the checks " : "", b.len ? b.s : "");
		sb_release(&b);
	}
}

/* How the run leaves the cluster, as far as it knows, when it did not
 * finish: what is open, what it replaced, what Patroni said last. */
