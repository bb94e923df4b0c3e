/* graph_timing.c - worst-case and typical durations of every step, group,
 * loop and of the plan; `within:` windows that the worst case can exceed.
 *
 * Worst case of an action: attempts x timeout + the retry delays (polling
 * with until/every stays inside each attempt's timeout).  A group is the sum
 * of its children (they run one after another), a loop ceil(items/serial)
 * bodies, the plan the sum of its top-level steps.  Gates count 0: the
 * operator's time is not the plan's to bound.  Typical: one attempt of the
 * action's typical duration (its catalog row). */
#include "graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "expr.h"
#include "mem.h"
#include "plan.h"

/* Typical: the catalog row's (catalog.c); 1 s for an action it does not know. */
int64_t graph_timing_typical_action(const char *action)
{
	const struct action *a = catalog_find(action);
	return a && a->typical_ms > 0 ? a->typical_ms : 1000;
}

static int64_t sat_add(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int64_t sat_mul(int64_t a, int64_t b)
{
	if (a == 0 || b == 0)
		return 0;
	return a > INT64_MAX / b ? INT64_MAX : a * b;
}

static int64_t action_worst(const struct plan *p, const struct plan_step *s)
{
	int64_t timeout = s->timeout_ms ? s->timeout_ms : p->default_timeout_ms;
	const struct plan_retry *r = s->retry.set ? &s->retry : &p->default_retry;
	int attempts = r->set || r->attempts > 0 ? r->attempts : 1;
	if (attempts < 1)
		attempts = 1;
	int64_t total = sat_mul(timeout, attempts);
	double delay = (double)r->delay_ms, backoff = r->backoff >= 1 ? r->backoff : 1;
	for (int i = 1; i < attempts; i++) {
		total = sat_add(total, delay > 9e18 ? INT64_MAX : (int64_t)delay);
		delay *= backoff;
	}
	return total;
}

/* Text without spaces, for comparing expressions as written. */
static size_t squash(const char *t, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < cap; i++)
		if (t[i] != ' ' && t[i] != '\t' && t[i] != '\n')
			out[k++] = t[i];
	out[k] = 0;
	return k;
}

/* The list a for_each walks before filtering: X in `filter(X, ...)`, else
 * the whole expression.  A filter never lengthens its list, so a bound on X
 * bounds the loop. */
static size_t loop_source(const char *f, char *out, size_t cap)
{
	size_t n = strlen(f);
	if (strncmp(f, "filter(", 7) == 0) {
		int depth = 0;
		for (size_t i = 7; i < n; i++) {
			if (f[i] == '(' || f[i] == '[')
				depth++;
			else if (f[i] == ')' || f[i] == ']')
				depth--;
			else if (f[i] == ',' && depth == 0) {
				size_t k = i - 7 < cap - 1 ? i - 7 : cap - 1;
				memcpy(out, f + 7, k);
				out[k] = 0;
				return k;
			}
		}
	}
	size_t k = n < cap - 1 ? n : cap - 1;
	memcpy(out, f, k);
	out[k] = 0;
	return k;
}

/* A precondition of the loop step `len(X) <= N` (or `< N`) bounds it: the
 * loop cannot start on a longer list. */
static int require_bound(const struct plan_step *s, const char *src)
{
	char want[640], cond[1200];
	snprintf(want, sizeof want, "len(%s)<", src);
	size_t wl = strlen(want);
	int best = -1;
	for (size_t i = 0; i < s->nrequire; i++) {
		if (!s->require[i].that.text)
			continue;
		squash(s->require[i].that.text, s->require[i].that.len, cond, sizeof cond);
		if (strncmp(cond, want, wl) != 0)
			continue;
		const char *p = cond + wl;
		int le = *p == '=';
		if (le)
			p++;
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p || *end || v < 0 || v > 1000000)
			continue;
		int b = (int)(le ? v : v - 1);
		if (b >= 0 && (best < 0 || b < best))
			best = b;
	}
	return best;
}

/* How many items a loop can have: a list written in the plan has its
 * length; a `require: len(X) <= N` on the loop step bounds X; anything else
 * gets the documented default. */
static int loop_items(const struct plan_step *s, int *from)
{
	*from = LOOP_DEFAULT;
	char f[600], src[600];
	size_t n = squash(s->for_each->text, s->for_each->len, f, sizeof f);
	if (n >= 2 && f[0] == '[' && f[n - 1] == ']') {
		int items = 0, depth = 0;
		char q = 0;
		for (size_t i = 1; i + 1 < n; i++) {
			char c = f[i];
			if (q) {
				if (c == '\\')
					i++;
				else if (c == q)
					q = 0;
			} else if (c == '"' || c == '\'') {
				q = c;
			} else if (c == '[' || c == '(') {
				depth++;
			} else if (c == ']' || c == ')') {
				depth--;
			} else if (c == ',' && depth == 0) {
				items++;
			}
		}
		*from = LOOP_LITERAL;
		return n > 2 ? items + 1 : 0;
	}
	loop_source(f, src, sizeof src);
	int b = require_bound(s, src);
	if (b >= 0) {
		*from = LOOP_REQUIRE;
		return b;
	}
	return GRAPH_LOOP_DEFAULT_ITEMS;
}

static void node_time(struct graph *g, struct graph_node *n)
{
	struct plan_step *s = n->step;
	int64_t worst = 0, typ = 0;
	if (s->kind == STEP_ACTION) {
		worst = action_worst(g->plan, s);
		typ = graph_timing_typical_action(s->action_name);
	} else {
		for (size_t i = 0; i < n->nchildren; i++) {
			node_time(g, n->children[i]);
			worst = sat_add(worst, n->children[i]->worst_ms);
			typ = sat_add(typ, n->children[i]->typical_ms);
		}
	}
	for (size_t i = 0; i < n->nonfail; i++)
		node_time(g, n->onfail[i]);
	if (s->for_each) {
		int from;
		int items = loop_items(s, &from);
		int lit = from != LOOP_DEFAULT;
		n->max_items = items;
		n->max_items_literal = from;
		int serial = s->serial > 0 ? s->serial : (items ? items : 1);
		int rounds = items ? (items + serial - 1) / serial : 0;
		int trounds = lit ? rounds : (GRAPH_LOOP_TYPICAL_ITEMS + serial - 1) / serial;
		worst = sat_mul(worst, rounds);
		typ = sat_mul(typ, trounds);
	}
	n->worst_ms = worst;
	n->typical_ms = typ;
}

/* The child that weighs most in a window: the one to name. */
static const struct graph_node *heaviest(const struct graph_node *n)
{
	const struct graph_node *h = NULL;
	for (size_t i = 0; i < n->nchildren; i++)
		if (!h || n->children[i]->worst_ms > h->worst_ms)
			h = n->children[i];
	return h;
}

static void check_windows(struct graph *g, struct diag_list *d)
{
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct graph_node *n = g->nodes[i];
		const struct plan_step *s = n->step;
		if (!s->within_ms || n->worst_ms <= s->within_ms)
			continue;
		char w[32], worst[32];
		plan_duration_format(s->within_ms, w, sizeof w);
		plan_duration_format(n->worst_ms, worst, sizeof worst);
		const struct graph_node *h = heaviest(n);
		struct diag *dg;
		if (h) {
			char hw[32];
			plan_duration_format(h->worst_ms, hw, sizeof hw);
			dg = diag_add(d, OP086, &s->within_loc,
				      "window %s of step '%s' can be exceeded: worst case %s, '%s' alone can take %s",
				      w, s->id, worst, h->step->id, hw);
		} else {
			dg = diag_add(d, OP086, &s->within_loc,
				      "window %s of step '%s' can be exceeded: worst case %s", w, s->id, worst);
		}
		if (s->for_each && !n->max_items_literal)
			diag_hint(dg, "the loop is assumed to have at most %d items", n->max_items);
		if (s->within_param && !strcmp(s->within_from ? s->within_from : "", "cli"))
			diag_hint(dg, "the window is params.%s as given with -p %s=%s", s->within_param, s->within_param, w);
		else if (s->within_param)
			diag_hint(dg, "the window is params.%s, its default %s: -p %s=DURATION proves another", s->within_param,
				  w, s->within_param);
		const struct plan_step *hs = h ? h->step : s;
		if (hs->timeout_param) {
			char t[32];
			plan_duration_format(hs->timeout_ms, t, sizeof t);
			diag_hint(dg, "'%s' times out after params.%s, %s %s", hs->id, hs->timeout_param,
				  hs->timeout_from && !strcmp(hs->timeout_from, "cli") ? "given with -p as" : "its default", t);
		}
		diag_hint(dg, "lower a timeout or the retry attempts, or widen the window");
	}
}

void graph_timing_compute(struct graph *g, struct diag_list *d)
{
	g->worst_ms = g->typical_ms = g->finally_worst_ms = 0;
	for (size_t i = 0; i < g->ntop; i++) {
		node_time(g, g->top[i]);
		g->worst_ms = sat_add(g->worst_ms, g->top[i]->worst_ms);
		g->typical_ms = sat_add(g->typical_ms, g->top[i]->typical_ms);
	}
	for (size_t i = 0; i < g->nfin; i++) {
		node_time(g, g->fin[i]);
		g->finally_worst_ms = sat_add(g->finally_worst_ms, g->fin[i]->worst_ms);
	}
	check_windows(g, d);
}
