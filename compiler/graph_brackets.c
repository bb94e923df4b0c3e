/* graph_brackets.c - a bracket opened (patroni.pause opens "maintenance")
 * is closed on every path: the normal one, the failure of each later step
 * (abort -> its on_failure -> finally) and interruption (finally).
 *
 * A finally step counts when it closes the bracket and has no when:, or a
 * when: that holds whenever the bracket is open: `opened("B")`,
 * `"B" in run.opened`, contains(run.opened, "B"), or a `||` with such a
 * term.  Since interruption
 * can come at any moment after the bracket opens, a plan that opens one must
 * close it in finally; the analysis names the first path that lacks it, in
 * the order a reader thinks of them: normal, failure, interruption. */
#include "graph.h"

#include <string.h>

#include "catalog.h"
#include "expr_internal.h"
#include "mem.h"
#include "plan.h"

static int is_run_opened(const struct expr *e)
{
	return e && e->kind == E_FIELD && e->str && strcmp(e->str, "opened") == 0 && e->l &&
	       e->l->kind == E_ROOT && e->l->str && strcmp(e->l->str, "run") == 0;
}

static int is_str(const struct expr *e, const char *s)
{
	return e && e->kind == E_STR && e->str && strlen(s) == e->slen && memcmp(e->str, s, e->slen) == 0;
}

/* Holds whenever bracket b is open. */
static int guard_ok(const struct expr *e, const char *b)
{
	if (!e)
		return 0;
	if (e->kind == E_BIN && e->op == OP_OR)
		return guard_ok(e->l, b) || guard_ok(e->r, b);
	if (e->kind == E_BIN && e->op == OP_IN)
		return is_str(e->l, b) && is_run_opened(e->r);
	if (e->kind == E_CALL && e->fn == F_CONTAINS && e->nargs == 2)
		return is_run_opened(e->args[0]) && is_str(e->args[1], b);
	if (e->kind == E_CALL && e->fn == F_OPENED && e->nargs == 1)
		return is_str(e->args[0], b);
	return 0;
}

static int when_ok(const struct plan_step *s, const char *b)
{
	return !s->when || guard_ok(s->when->ast, b);
}

int graph_brackets_closes(const struct graph_node *n, const char *bracket)
{
	const struct plan_step *s = n->step;
	return s->kind == STEP_ACTION && s->action && s->action->closes &&
	       strcmp(s->action->closes, bracket) == 0 && when_ok(s, bracket) && !n->in_cycle;
}

/* n runs whenever `from` has run: nothing between them (below what encloses
 * from) may skip or loop it. */
static int unconditional(const struct graph_node *n, const struct graph_node *from, const char *b)
{
	for (const struct graph_node *x = n; x && (!from || !graph_encloses(x, from)); x = x->parent) {
		if (x != n && !when_ok(x->step, b))
			return 0;
		if (x->step->for_each)
			return 0;
	}
	return 1;
}

static const struct graph_node *finally_closer(const struct graph *g, const char *b)
{
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct graph_node *n = g->nodes[i];
		if (n->ctx != GRAPH_FINALLY || !graph_brackets_closes(n, b))
			continue;
		int in_handler = 0;
		for (const struct graph_node *x = n; x->parent; x = x->parent)
			for (size_t k = 0; k < x->parent->nonfail; k++)
				in_handler |= x->parent->onfail[k] == x;
		if (!in_handler && unconditional(n, NULL, b))
			return n;
	}
	return NULL;
}

static const struct graph_node *normal_closer(const struct graph *g, const struct graph_node *p, const char *b)
{
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct graph_node *n = g->nodes[i];
		if (n->ctx == GRAPH_MAIN && graph_brackets_closes(n, b) && graph_before(g, p, n) &&
		    unconditional(n, p, b))
			return n;
	}
	return NULL;
}

/* What happens when s fails: 1 the run goes on, 2 a handler closes b, 0 it
 * aborts with b open (only finally can help).  When the closer itself fails
 * and the run goes on, the bracket stays open: only a handler helps. */
static int failure_handled(const struct graph_node *s, const struct graph_node *closer, const char *b)
{
	for (const struct graph_node *x = s; x; x = x->parent) {
		if (x->step->on_failure == ONFAIL_CONTINUE && s != closer)
			return 1;
		for (size_t i = 0; i < x->nonfail; i++)
			if (graph_brackets_closes(x->onfail[i], b))
				return 2;
		if (x->step->on_failure == ONFAIL_STEPS)
			return 0;
	}
	return 0;
}

static int silenced_in(const struct plan_silence *s, size_t n, enum diag_code c)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].code == c)
			return 1;
	return 0;
}

/* A main-path step after p whose action closes b, whatever its when: (a
 * conditional closer is the plan's choice, not an oversight). */
static int main_closes_after(const struct graph *g, const struct graph_node *p, const char *b)
{
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct graph_node *n = g->nodes[i];
		const struct plan_step *s = n->step;
		if (n->ctx == GRAPH_MAIN && s->kind == STEP_ACTION && s->action && s->action->closes &&
		    !strcmp(s->action->closes, b) && graph_before(g, p, n))
			return 1;
	}
	return 0;
}

/* OP087: finally closes b, but nothing on the normal path does, so a run
 * that goes well still holds b (Patroni paused, replicas down) until the
 * last step has run: deleting the hot fix's 'resume' step did exactly that
 * for 5 minutes.  A plan that means it silences the warning. */
static void check_held(struct graph *g, const struct graph_node *p, struct diag_list *d)
{
	const char *b = p->step->action->opens;
	if (main_closes_after(g, p, b))
		return;
	for (const struct graph_node *x = p; x; x = x->parent)
		if (silenced_in(x->step->silence, x->step->nsilence, OP087))
			return;
	if (silenced_in(g->plan->silence, g->plan->nsilence, OP087))
		return;
	struct diag *dg = diag_add(d, OP087, &p->step->action_loc,
				   "step '%s' opens '%s' and only finally closes it: a run that succeeds holds '%s' until its last step",
				   p->step->id, b, b);
	diag_hint(dg, "close '%s' on the normal path, after the steps that need it", b);
}

static void check_opener(struct graph *g, const struct graph_node *p, struct diag_list *d)
{
	const char *b = p->step->action->opens;
	const char *pid = p->step->id;
	const struct loc *at = &p->step->action_loc;
	if (finally_closer(g, b)) {
		check_held(g, p, d);
		return;
	}
	const struct graph_node *c = normal_closer(g, p, b);
	if (!c) {
		struct diag *dg = diag_add(d, OP085, at,
					   "step '%s' opens '%s' and no path closes it: no later step and no finally step closes it",
					   pid, b);
		diag_hint(dg, "add to finally: a step that closes '%s' with when: opened(\"%s\")", b, b);
		return;
	}
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct graph_node *s = g->nodes[i];
		if (s->ctx != GRAPH_MAIN || s->nchildren || (s != c && !graph_before(g, s, c)) ||
		    !graph_before(g, p, s) || failure_handled(s, c, b))
			continue;
		struct diag *dg = diag_add(d, OP085, at,
					   "if step '%s' fails, '%s' opened by step '%s' stays open: '%s' -> '%s' (fails) -> finally closes nothing",
					   s->step->id, b, pid, pid, s->step->id);
		diag_hint(dg, "add to finally: a step that closes '%s' with when: opened(\"%s\")", b, b);
		return;
	}
	struct diag *dg = diag_add(d, OP085, at,
				   "if the run is interrupted between step '%s' and step '%s', '%s' stays open: finally closes nothing",
				   pid, c->step->id, b);
	diag_hint(dg, "add to finally: a step that closes '%s' with when: opened(\"%s\")", b, b);
}

void graph_brackets_check(struct graph *g, struct diag_list *d)
{
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct graph_node *n = g->nodes[i];
		const struct plan_step *s = n->step;
		if (s->kind == STEP_ACTION && s->action && s->action->opens && !n->in_cycle && n->ctx == GRAPH_MAIN)
			check_opener(g, n, d);
	}
}
