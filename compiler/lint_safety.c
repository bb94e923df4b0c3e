/* lint_safety.c - see lint_safety.h.  The rules read what a reviewer reads:
 * the step's guards and the expressions around it.  A guard "mentions" a
 * subject when its source text names it; crude, but it is what a human
 * checks, and a plan that guards differently silences the rule with a
 * stated reason. */
#include "lint_safety.h"

#include <ctype.h>
#include <string.h>

#include "catalog.h"
#include "graph.h"
#include "plan.h"
#include "yaml_load.h"

static int silenced_in(const struct plan_silence *s, size_t n, enum diag_code c)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].code == c)
			return 1;
	return 0;
}

static int silenced(const struct graph *g, const struct graph_node *n, enum diag_code c)
{
	for (const struct graph_node *x = n; x; x = x->parent)
		if (silenced_in(x->step->silence, x->step->nsilence, c))
			return 1;
	return silenced_in(g->plan->silence, g->plan->nsilence, c);
}

static int text_has(const struct plan_expr *e, const char *word)
{
	if (!e || !e->text)
		return 0;
	size_t w = strlen(word);
	for (size_t i = 0; i + w <= e->len; i++)
		if (strncasecmp(e->text + i, word, w) == 0)
			return 1;
	return 0;
}

static int conds_have(const struct plan_cond *c, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (text_has(&c[i].that, word))
			return 1;
	return 0;
}

/* Does n call an action with this trait (its catalog row says so)? */
static int has_trait(const struct graph_node *n, enum action_trait t)
{
	return n->step->kind == STEP_ACTION && n->step->action && (n->step->action->traits & t);
}

static void unguarded_mutation(const struct graph *g, const struct graph_node *n, struct diag_list *d)
{
	const struct plan_step *s = n->step;
	if (!s->action || s->action->effect != EFFECT_MUTATION || n->ctx != GRAPH_MAIN)
		return;
	if (s->nexpect)
		return;
	for (const struct graph_node *x = n; x; x = x->parent)
		if (x->step->nrequire)
			return;
	if (silenced(g, n, OP100))
		return;
	struct diag *dg = diag_add(d, OP100, &s->action_loc,
				   "step '%s' runs '%s', a mutation, with no require or expect guarding it",
				   s->id, s->action_name);
	diag_hint(dg, "add 'require:' for the state it must find, or silence OP100 with a reason");
}

static int mentions_leader(const struct plan_step *s)
{
	static const char *const words[] = {"role", "leader", "master"};
	for (size_t w = 0; w < 3; w++)
		if (conds_have(s->require, s->nrequire, words[w]) || text_has(s->when, words[w]) ||
		    text_has(s->for_each, words[w]))
			return 1;
	return 0;
}

static void leader_delete(const struct graph *g, const struct graph_node *n, struct diag_list *d)
{
	const struct plan_step *s = n->step;
	if (!has_trait(n, TRAIT_DELETES) || !s->with)
		return;
	const struct ynode *kind = ynode_get(s->with, "kind");
	if (!kind || kind->kind != YNODE_SCALAR || !kind->str || strcasecmp(kind->str, "pod") != 0)
		return;
	for (const struct graph_node *x = n; x; x = x->parent)
		if (mentions_leader(x->step))
			return;
	if (silenced(g, n, OP101))
		return;
	struct diag *dg = diag_add(d, OP101, &s->action_loc,
				   "step '%s' deletes a pod that could be the Patroni leader", s->id);
	diag_hint(dg, "filter the members by role or require that the pod is not the leader");
}

static void switchover(const struct graph *g, const struct graph_node *n, struct diag_list *d)
{
	const struct plan_step *s = n->step;
	if (!has_trait(n, TRAIT_MOVES_LEADER))
		return;
	int lag = conds_have(s->require, s->nrequire, "lag");
	for (size_t i = 0; i < g->nnodes && !lag; i++) {
		const struct graph_node *a = g->nodes[i];
		if (graph_before(g, a, n))
			lag = conds_have(a->step->require, a->step->nrequire, "lag") ||
			      conds_have(a->step->expect, a->step->nexpect, "lag");
	}
	for (const struct graph_node *x = n->parent; x && !lag; x = x->parent)
		lag = conds_have(x->step->require, x->step->nrequire, "lag");
	if (!lag && !silenced(g, n, OP102)) {
		struct diag *dg = diag_add(d, OP102, &s->action_loc,
					   "switchover '%s' has no lag check before it", s->id);
		diag_hint(dg, "check the target's lag (e.g. 'result.members[*].lag') in a require or an earlier expect");
	}
	int gated = 0;
	for (const struct graph_node *x = n; x && !gated; x = x->parent)
		gated = x->step->gate != NULL;
	if (!gated && !silenced(g, n, OP103)) {
		struct diag *dg = diag_add(d, OP103, &s->action_loc,
					   "switchover '%s' runs without a gate", s->id);
		diag_hint(dg, "add 'gate:' so that a person confirms it (skipped with --yes)");
	}
}

size_t lint_safety_check(const struct graph *g, struct diag_list *d)
{
	size_t before = d->warnings;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct graph_node *n = g->nodes[i];
		if (n->in_cycle)
			continue;
		unguarded_mutation(g, n, d);
		leader_delete(g, n, d);
		switchover(g, n, d);
	}
	return d->warnings - before;
}
