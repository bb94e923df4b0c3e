/* sched_evidence.c - fresh evidence: a mutation acts on what the plan read,
 * so those reads are taken again when they are old or from an earlier
 * session. */
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

/* ---- fresh evidence ----------------------------------------------------- */

struct reads {
	const char *ids[64];
	size_t n;
};

static void read_id(const char *id, const struct loc *at, void *ctx)
{
	(void)at;
	struct reads *r = ctx;
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->ids[i], id))
			return;
	if (r->n < sizeof r->ids / sizeof r->ids[0])
		r->ids[r->n++] = id;
}

static void read_expr(const struct expr *e, void *ctx)
{
	expr_step_refs(e, read_id, ctx);
}

static void reads_of(const struct ir_step *st, struct reads *r)
{
	const struct ir_expr *xs[] = {&st->when, &st->for_each, &st->until};
	for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
		if (xs[i]->e)
			read_expr(xs[i]->e, r);
	for (size_t i = 0; i < st->nrequire; i++)
		if (st->require[i].that.e)
			read_expr(st->require[i].that.e, r);
	for (size_t i = 0; i < st->nexpect; i++)
		if (st->expect[i].that.e)
			read_expr(st->expect[i].that.e, r);
	for (size_t i = 0; i < st->ntemplates; i++)
		if (st->templates[i].tmpl.t)
			tmpl_foreach_expr(st->templates[i].tmpl.t, read_expr, r);
	for (size_t i = 0; i < st->ngate_show; i++)
		if (st->gate_show[i].e)
			read_expr(st->gate_show[i].e, r);
}

/* The step with id in v (children included, not handlers), and the list
 * that holds it (*parent NULL: the plan's top level). */
const struct ir_step *sched_find_step(const struct ir_step *v, size_t n, const struct ir_step *in, const char *id,
				       const struct ir_step **parent)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].id, id)) {
			*parent = in;
			return &v[i];
		}
		if (v[i].kind == IR_STEP_GROUP) {
			const struct ir_step *f = sched_find_step(v[i].children, v[i].nchildren, &v[i], id, parent);
			if (f)
				return f;
		}
	}
	return NULL;
}

/* st changes the cluster in a way that outdates what was read before it.
 * An action that acts inside a pod (TRAIT_IN_POD: an exec runs a backup, a
 * df) is not taken to change what the plan reads about the cluster. */
static int changes_cluster(const struct ir_step *st)
{
	if (st->kind == IR_STEP_GROUP) {
		for (size_t i = 0; i < st->nchildren; i++)
			if (changes_cluster(&st->children[i]))
				return 1;
		return 0;
	}
	return st->effect && strcmp(st->effect, "read") != 0 && !(st->action && (st->action->traits & TRAIT_IN_POD));
}

static int contains(const struct ir_step *g, const struct ir_step *st)
{
	if (g == st)
		return 1;
	for (size_t i = 0; g->kind == IR_STEP_GROUP && i < g->nchildren; i++)
		if (contains(&g->children[i], st))
			return 1;
	return 0;
}

/* rs is evidence for st, not history: in the list that holds rs, nothing
 * between rs and st (or the step of that list that holds st) changed the
 * cluster.  "paused" before the replicas were replaced says who the members
 * were at the pause; it is not re-checked before the switchover. */
static int current_evidence(const struct ir_step *list, size_t n, const struct ir_step *rs, const struct ir_step *st)
{
	size_t i = 0;
	while (i < n && &list[i] != rs)
		i++;
	for (i++; i < n; i++) {
		if (contains(&list[i], st))
			return 1;
		if (changes_cluster(&list[i]))
			return 0;
	}
	return 0;
}

int sched_is_read(const struct ir_step *st)
{
	return st->kind == IR_STEP_ACTION && st->effect && !strcmp(st->effect, "read");
}

/* A mutation acts on what the plan read: those reads are taken again when
 * they are older than the bound, or were taken by an earlier session (a
 * resume the next morning must not pause on yesterday's health check).
 * Reads at the top level, or beside st in its own list (the same loop
 * item), can be re-taken; others are left as they are.  -1: a re-taken
 * read failed, err says which. */
int sched_refresh_reads(struct sched *s, const struct ir_step *st, int64_t bound, char *err, size_t n)
{
	if (s->o->dry_run || s->in_finally || st->closes || st->kind != IR_STEP_ACTION || sched_is_read(st))
		return 0;
	/* re-opening a bracket on resume: its entry checks described the
	 * cluster before the bracket (e.g. "not paused yet"); the checks after
	 * the opener run again instead (plan_reopen) */
	if (st->opens && json_object_get(s->rerun, st->id))
		return 0;
	const struct ir_plan *p = s->o->plan;
	const struct ir_step *mine = NULL;
	if (!sched_find_step(p->steps, p->nsteps, NULL, st->id, &mine))
		return 0;   /* a handler step: its reads stay as they are */
	struct reads r = {{0}, 0};
	reads_of(st, &r);
	for (size_t i = 0; i < r.n; i++) {
		const struct ir_step *parent = NULL;
		const struct ir_step *rs = sched_find_step(p->steps, p->nsteps, NULL, r.ids[i], &parent);
		if (!rs || rs == st || !sched_is_read(rs) || rs->for_each.e || (parent && parent != mine))
			continue;
		if (!current_evidence(parent ? parent->children : p->steps, parent ? parent->nchildren : p->nsteps, rs, st))
			continue;
		json_t *t = json_object_get(s->taken, rs->id);
		int64_t age = t ? kube_now_ms() - json_integer_value(t) : -1;
		if (t && age <= bound)
			continue;
		char ago[32];
		if (t)
			report_duration(ago, sizeof ago, age);
		progress_event(s->o->pg, "evidence", json_pack("{s:s, s:s}", "step", st->id, "retake", rs->id),
			       "     %s: taking '%s' again first (%s%s)", st->id, rs->id, t ? "taken " : "from an earlier session",
			       t ? ago : "");
		long long item = s->item;
		const char *label = s->item_label;
		const struct ir_step *cur = s->cur;
		int att = s->attempt;
		if (!parent) {
			s->item = -1;
			s->item_label = NULL;
		}
		s->no_resume++;
		enum st rr = sched_run_step(s, rs);
		s->no_resume--;
		s->item = item;
		s->item_label = label;
		s->cur = cur;
		s->attempt = att;
		if (rr != ST_OK && rr != ST_CONTINUE) {
			snprintf(err, n, "the evidence it depends on was taken again and step '%s' did not hold", rs->id);
			return -1;
		}
	}
	return 0;
}

int64_t sched_evidence_bound(const struct sched *s)
{
	return s->o->evidence_max_ms > 0 ? s->o->evidence_max_ms : 300000;
}

/* The body of a step once for the current item: require, gate, then the
 * attempts (action) or the children (group).  Writes step-end. */
