/* graph.c - see graph.h: build the step graph, order each list, check ids,
 * needs, cycles and reachability; render it as DOT or Mermaid. */
#include "graph.h"

#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "catalog.h"
#include "mem.h"
#include "plan.h"

enum list_kind { LIST_BODY, LIST_ONFAIL, LIST_FINALLY };

/* Per-node data only this file needs; kept beside the public node. */
struct gnode {
	struct graph_node pub;
	enum list_kind lk;
	size_t depth;
	int mark;                      /* DFS colour for cycle search */
	int dup_id;                    /* another node has the same id */
	size_t prefix;                 /* see list_prefixes */
	unsigned stamp;                /* sibling_before's visit mark */
};

static struct gnode *G(const struct graph_node *n) { return (struct gnode *)n; }

struct builder {
	struct graph *g;
	struct diag_list *d;
	size_t cap;
};

static struct graph_node *new_node(struct builder *b, struct plan_step *s, enum graph_ctx ctx,
				   enum list_kind lk, struct graph_node *parent)
{
	struct gnode *n = arena_alloc(b->g->arena, sizeof *n);
	n->pub.step = s;
	n->pub.ctx = ctx;
	n->pub.parent = parent;
	n->pub.doc_index = b->g->nnodes;
	n->lk = lk;
	n->depth = parent ? G(parent)->depth + 1 : 0;
	XGROW(b->g->nodes, b->cap, b->g->nnodes + 1);
	b->g->nodes[b->g->nnodes++] = &n->pub;
	return &n->pub;
}

static struct graph_node **build_list(struct builder *b, struct plan_step **steps, size_t n,
				      enum graph_ctx ctx, enum list_kind lk, struct graph_node *parent);

static void build_children(struct builder *b, struct graph_node *n)
{
	struct plan_step *s = n->step;
	if (s->kind == STEP_GROUP && s->nsteps) {
		n->children = build_list(b, s->steps, s->nsteps, n->ctx, LIST_BODY, n);
		n->nchildren = s->nsteps;
	}
	if (s->on_failure == ONFAIL_STEPS && s->non_failure_steps) {
		enum graph_ctx c = n->ctx == GRAPH_FINALLY ? GRAPH_FINALLY : GRAPH_ON_FAILURE;
		n->onfail = build_list(b, s->on_failure_steps, s->non_failure_steps, c, LIST_ONFAIL, n);
		n->nonfail = s->non_failure_steps;
	}
}

static struct graph_node **build_list(struct builder *b, struct plan_step **steps, size_t n,
				      enum graph_ctx ctx, enum list_kind lk, struct graph_node *parent)
{
	struct graph_node **list = arena_alloc(b->g->arena, (n ? n : 1) * sizeof *list);
	for (size_t i = 0; i < n; i++) {
		list[i] = new_node(b, steps[i], ctx, lk, parent);
		build_children(b, list[i]);
	}
	return list;
}

/* ---- the id index ---- */

/* Open addressing over the first node of each id, sized to a power of two
 * at least twice the node count: lookups in O(1) for plans of any size. */
struct graph_index {
	struct graph_node **slot;
	size_t mask;
	unsigned stamp;                /* graph_before's visit generation */
	struct graph_node **stack;     /* graph_before's DFS stack, nnodes long */
};

static size_t id_hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void index_build(struct graph *g)
{
	struct graph_index *ix = arena_alloc(g->arena, sizeof *ix);
	size_t cap = 16;
	while (cap < 2 * g->nnodes + 2)
		cap *= 2;
	ix->slot = arena_alloc(g->arena, cap * sizeof *ix->slot);
	ix->mask = cap - 1;
	ix->stack = arena_alloc(g->arena, (g->nnodes + 1) * sizeof *ix->stack);
	for (size_t i = 0; i < g->nnodes; i++) {
		const char *id = g->nodes[i]->step->id;
		if (!id)
			continue;
		size_t h = id_hash(id) & ix->mask;
		while (ix->slot[h] && strcmp(ix->slot[h]->step->id, id) != 0)
			h = (h + 1) & ix->mask;
		if (!ix->slot[h])
			ix->slot[h] = g->nodes[i];
		else
			G(ix->slot[h])->dup_id = G(g->nodes[i])->dup_id = 1;
	}
	g->index = ix;
}

struct graph_node *graph_find(const struct graph *g, const char *id)
{
	const struct graph_index *ix = g->index;
	if (!id)
		return NULL;
	for (size_t h = id_hash(id) & ix->mask; ix->slot[h]; h = (h + 1) & ix->mask)
		if (strcmp(ix->slot[h]->step->id, id) == 0)
			return ix->slot[h];
	return NULL;
}

int graph_id_shared(const struct graph_node *n)
{
	return G(n)->dup_id;
}

int graph_encloses(const struct graph_node *a, const struct graph_node *b)
{
	for (; b; b = b->parent)
		if (a == b)
			return 1;
	return 0;
}

static int same_list(const struct graph_node *a, const struct graph_node *b)
{
	return a->parent == b->parent && G(a)->lk == G(b)->lk;
}

/* ---- has-run-before ---- */

/* After ordering, a list's nodes outside cycles come first and in
 * topological order, and their deps are outside cycles too.  prefix(x) is a
 * k such that every sibling at a position below k is a transitive dep of x:
 * in the implicit sequence it is x's own position, so the common question
 * is answered without a search, and the search below stops as soon as it
 * meets a node whose prefix covers the target. */
static void list_prefixes(struct graph_node **list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct graph_node *x = list[i];
		size_t p = 0;
		if (!x->in_cycle)
			for (size_t k = 0; k < x->ndeps; k++) {
				const struct graph_node *d = x->deps[k];
				size_t dp = G(d)->prefix == d->list_pos ? d->list_pos + 1 : G(d)->prefix;
				if (!d->in_cycle && dp > p)
					p = dp;
			}
		G(x)->prefix = p;
	}
}

/* A in the transitive deps of B, siblings; only deps of nodes outside
 * cycles are followed (a node in or behind a cycle never runs). */
static int sibling_before(const struct graph *g, const struct graph_node *A, const struct graph_node *B)
{
	if (B->in_cycle || A->in_cycle || A->list_pos >= B->list_pos)
		return 0;
	if (A->list_pos < G(B)->prefix)
		return 1;
	struct graph_index *ix = g->index;
	unsigned stamp = ++ix->stamp;
	if (stamp == 0) {   /* wrapped: forget every old mark */
		for (size_t i = 0; i < g->nnodes; i++)
			G(g->nodes[i])->stamp = 0;
		stamp = ix->stamp = 1;
	}
	size_t top = 0;
	ix->stack[top++] = (struct graph_node *)B;
	while (top) {
		const struct graph_node *y = ix->stack[--top];
		for (size_t k = 0; k < y->ndeps; k++) {
			struct graph_node *d = y->deps[k];
			if (d == A || A->list_pos < G(d)->prefix)
				return 1;
			if (d->list_pos <= A->list_pos || d->in_cycle || G(d)->stamp == stamp)
				continue;
			G(d)->stamp = stamp;
			ix->stack[top++] = d;   /* each node at most once: fits in nnodes */
		}
	}
	return 0;
}

int graph_before(const struct graph *g, const struct graph_node *a, const struct graph_node *b)
{
	if (a == b || graph_encloses(b, a))
		return 0;
	/* b inside a's on_failure handler: a has run (and failed) by then */
	for (const struct graph_node *x = b; x->parent; x = x->parent)
		if (x->parent == a)
			return G(x)->lk == LIST_ONFAIL;
	/* climb to the ancestors of a and b that share a list */
	const struct graph_node *A = a, *B = b;
	while (G(A)->depth > G(B)->depth)
		A = A->parent;
	while (G(B)->depth > G(A)->depth)
		B = B->parent;
	while (A->parent != B->parent) {
		A = A->parent;
		B = B->parent;
	}
	if (A == B || !same_list(A, B))
		return 0;
	return sibling_before(g, A, B);
}

/* ---- needs ---- */

static const char **all_ids(struct graph *g)
{
	const char **ids = arena_alloc(g->arena, (g->nnodes + 1) * sizeof *ids);
	for (size_t i = 0; i < g->nnodes; i++)
		ids[i] = g->nodes[i]->step->id ? g->nodes[i]->step->id : "";
	return ids;
}

static void add_dep(struct graph *g, struct graph_node *n, struct graph_node *dep)
{
	for (size_t i = 0; i < n->ndeps; i++)
		if (n->deps[i] == dep)
			return;
	struct graph_node **nd = arena_alloc(g->arena, (n->ndeps + 1) * sizeof *nd);
	if (n->ndeps)
		memcpy(nd, n->deps, n->ndeps * sizeof *nd);
	nd[n->ndeps++] = dep;
	n->deps = nd;
}

static int in_list(const struct graph_node *t, struct graph_node **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == t)
			return 1;
	return 0;
}

/* Sibling deps: `needs:` naming siblings (or steps inside them), or else
 * the previous sibling. */
static void list_deps(struct builder *b, struct graph_node **list, size_t n, const char **ids)
{
	for (size_t i = 0; i < n; i++) {
		struct graph_node *x = list[i];
		struct plan_step *s = x->step;
		int sibling_need = 0;
		for (size_t k = 0; k < s->nneeds; k++) {
			/* a need on a step inside a sibling group waits for the group */
			struct graph_node *t = graph_find(b->g, s->needs[k]);
			while (t && !(t->parent == x->parent && in_list(t, list, n)))
				t = t->parent;
			if (t && t != x && graph_encloses(x, graph_find(b->g, s->needs[k])))
				t = NULL;
			if (t) {
				add_dep(b->g, x, t);
				sibling_need = 1;
			} else if (!graph_find(b->g, s->needs[k])) {
				struct diag *dg = diag_add(b->d, OP080, &s->needs_loc[k],
							   "step '%s' needs '%s', which does not exist",
							   s->id, s->needs[k]);
				const char *m = diag_suggest(s->needs[k], ids, b->g->nnodes);
				if (m)
					diag_hint(dg, "did you mean '%s'", m);
			}
		}
		if (!sibling_need && i > 0)
			add_dep(b->g, x, list[i - 1]);
	}
}

/* Needs that name a step outside the list must name one that has already
 * run; checked once every list has its sibling deps. */
static void check_outer_needs(struct builder *b)
{
	struct graph *g = b->g;
	for (size_t i = 0; i < g->nnodes; i++) {
		struct graph_node *x = g->nodes[i];
		struct plan_step *s = x->step;
		for (size_t k = 0; k < s->nneeds; k++) {
			struct graph_node *t = graph_find(g, s->needs[k]);
			struct graph_node *up = t;
			while (up && !same_list(up, x))
				up = up->parent;
			if (!t || t == x || (up && up != x))
				continue;
			if (!graph_before(g, t, x))
				diag_add(b->d, OP084, &s->needs_loc[k],
					 "step '%s' needs '%s', which is not in its list and has not run before it",
					 s->id, s->needs[k]);
		}
	}
}

/* ---- cycles and order ---- */

static void report_cycle(struct builder *b, struct graph_node **stack, size_t n)
{
	/* stack[0] needs stack[1] ... needs stack[n-1] needs stack[0]: start the
	 * message at the earliest step with an explicit need on its successor */
	size_t start = 0, best = (size_t)-1;
	const struct loc *at = &stack[0]->step->loc;
	for (size_t i = 0; i < n; i++) {
		struct plan_step *s = stack[i]->step;
		struct graph_node *next = stack[(i + 1) % n];
		for (size_t k = 0; k < s->nneeds; k++)
			if (next->step->id && strcmp(s->needs[k], next->step->id) == 0 &&
			    stack[i]->doc_index < best) {
				best = stack[i]->doc_index;
				start = i;
				at = &s->needs_loc[k];
			}
	}
	struct strbuf sb = {0};
	for (size_t i = 0; i <= n; i++)
		sb_printf(&sb, "%s'%s'", i ? " -> " : "", stack[(start + i) % n]->step->id);
	struct diag *dg = diag_add(b->d, OP081, at, "needs cycle: %s", sb.s);
	for (size_t i = 0; i < n; i++) {
		struct plan_step *s = stack[i]->step;
		if (!s->nneeds)
			diag_hint(dg, "'%s' follows '%s' in sequence", s->id, stack[(i + 1) % n]->step->id);
	}
	sb_release(&sb);
	for (size_t i = 0; i < n; i++)
		stack[i]->in_cycle = 1;
}

static void dfs(struct builder *b, struct graph_node *x, struct graph_node **stack, size_t depth)
{
	G(x)->mark = 1;
	stack[depth] = x;
	for (size_t i = 0; i < x->ndeps; i++) {
		struct graph_node *y = x->deps[i];
		if (G(y)->mark == 1) {
			size_t from = depth;
			while (stack[from] != y)
				from--;
			report_cycle(b, stack + from, depth - from + 1);
		} else if (G(y)->mark == 0) {
			dfs(b, y, stack, depth + 1);
		}
	}
	G(x)->mark = 2;
}

/* In or behind a cycle: memoised by list position (state 0 unknown, 1 being
 * looked at, 2 no, 3 yes); meeting a node being looked at means a cycle. */
static int blocked(const struct graph_node *x, unsigned char *state)
{
	unsigned char *st = &state[x->list_pos];
	if (*st >= 2)
		return *st == 3;
	if (*st == 1 || x->in_cycle)
		return 1;
	*st = 1;
	int r = 0;
	for (size_t i = 0; i < x->ndeps && !r; i++)
		r = blocked(x->deps[i], state);
	*st = r ? 3 : 2;
	return r;
}

static void heap_push(size_t *h, size_t *n, size_t v)
{
	size_t i = (*n)++;
	for (; i && h[(i - 1) / 2] > v; i = (i - 1) / 2)
		h[i] = h[(i - 1) / 2];
	h[i] = v;
}

static size_t heap_pop(size_t *h, size_t *n)
{
	size_t top = h[0], v = h[--*n], i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (v <= h[c])
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = v;
	return top;
}

/* Stable topological order (Kahn, smallest document index first); nodes in
 * or behind a cycle go last in document order so that nothing is lost.
 * Deps are siblings, so list positions index them during the sort. */
static void order_list(struct builder *b, struct graph_node **list, size_t n)
{
	struct arena *A = b->g->arena;
	struct graph_node **stack = arena_alloc(A, (n + 1) * sizeof *stack);
	for (size_t i = 0; i < n; i++) {
		list[i]->list_pos = i;
		if (G(list[i])->mark == 0)
			dfs(b, list[i], stack, 0);
	}
	struct graph_node **out = arena_alloc(A, (n + 1) * sizeof *out);
	unsigned char *state = arena_alloc(A, n + 1);
	size_t *indeg = arena_alloc(A, (n + 1) * sizeof *indeg);
	size_t *first = arena_alloc(A, (n + 2) * sizeof *first);   /* dependents, CSR */
	size_t *heap = arena_alloc(A, (n + 1) * sizeof *heap), nheap = 0, k = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < list[i]->ndeps; j++)
			first[list[i]->deps[j]->list_pos + 1]++;
	for (size_t i = 0; i < n; i++)
		first[i + 1] += first[i];
	size_t *fill = arena_alloc(A, (n + 1) * sizeof *fill);
	size_t *dependents = arena_alloc(A, (first[n] + 1) * sizeof *dependents);
	memcpy(fill, first, n * sizeof *fill);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < list[i]->ndeps; j++)
			dependents[fill[list[i]->deps[j]->list_pos]++] = i;
	for (size_t i = 0; i < n; i++) {
		indeg[i] = list[i]->ndeps;
		if (blocked(list[i], state))
			list[i]->in_cycle = 1;
		else if (!indeg[i])
			heap_push(heap, &nheap, i);
	}
	while (nheap) {
		size_t i = heap_pop(heap, &nheap);
		out[k++] = list[i];
		state[i] = 4;   /* placed */
		for (size_t e = first[i]; e < first[i + 1]; e++)
			if (--indeg[dependents[e]] == 0 && !list[dependents[e]]->in_cycle)
				heap_push(heap, &nheap, dependents[e]);
	}
	for (size_t i = 0; i < n; i++)
		if (state[i] != 4)
			out[k++] = list[i];
	for (size_t i = 0; i < n; i++) {
		list[i] = out[i];
		list[i]->list_pos = i;
	}
	list_prefixes(list, n);
}

static int when_is_false(const struct plan_step *s)
{
	if (!s->when || !s->when->text)
		return 0;
	const char *t = s->when->text;
	size_t n = s->when->len;
	while (n && (*t == ' ' || *t == '\t')) {
		t++;
		n--;
	}
	while (n && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\n'))
		n--;
	return n == 5 && memcmp(t, "false", 5) == 0;
}

static void walk_lists(struct builder *b, struct graph_node **list, size_t n, const char **ids, int pass)
{
	if (pass == 0)
		list_deps(b, list, n, ids);
	else
		order_list(b, list, n);
	for (size_t i = 0; i < n; i++) {
		walk_lists(b, list[i]->children, list[i]->nchildren, ids, pass);
		walk_lists(b, list[i]->onfail, list[i]->nonfail, ids, pass);
	}
}

struct graph *graph_build(struct plan *p, struct diag_list *d)
{
	struct graph *g = xcalloc(1, sizeof *g);
	g->plan = p;
	g->arena = arena_new();
	struct builder b = {g, d, 0};
	g->top = build_list(&b, p->steps, p->nsteps, GRAPH_MAIN, LIST_BODY, NULL);
	g->ntop = p->nsteps;
	g->fin = build_list(&b, p->finally, p->nfinally, GRAPH_FINALLY, LIST_FINALLY, NULL);
	g->nfin = p->nfinally;
	index_build(g);
	const char **ids = all_ids(g);
	walk_lists(&b, g->top, g->ntop, ids, 0);
	walk_lists(&b, g->fin, g->nfin, ids, 0);
	walk_lists(&b, g->top, g->ntop, ids, 1);
	walk_lists(&b, g->fin, g->nfin, ids, 1);
	check_outer_needs(&b);
	for (size_t i = 0; i < g->nnodes; i++)
		if (when_is_false(g->nodes[i]->step))
			diag_add(d, OP082, &g->nodes[i]->step->when->loc,
				 "step '%s' can never run: its 'when:' is always false", g->nodes[i]->step->id);
	return g;
}

void graph_free(struct graph *g)
{
	if (!g)
		return;
	json_decref((json_t *)g->params);
	arena_free(g->arena);
	free(g->nodes);
	free(g);
}

/* ---- rendering ---- */

static const char *node_label_action(const struct graph_node *n)
{
	return n->step->kind == STEP_ACTION && n->step->action_name ? n->step->action_name : "group";
}

static void dot_id(FILE *out, const struct graph_node *n)
{
	fprintf(out, "\"n%zu\"", n->doc_index);
}

static void dot_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s == '\n' ? ' ' : *s, out);
	}
}

/* The node an edge out of n leaves from: a group's last child. */
static const struct graph_node *tail_of(const struct graph_node *n)
{
	while (n->nchildren && !n->in_cycle)
		n = n->children[n->nchildren - 1];
	return n;
}

static void dot_list(FILE *out, struct graph_node **list, size_t n, int ind);

static void dot_node(FILE *out, const struct graph_node *x, int ind)
{
	const struct plan_step *s = x->step;
	const char *shape = s->gate ? "octagon" : s->kind == STEP_GROUP ? "folder" : "box";
	const char *color = "black";
	if (s->action && s->action->opens)
		color = "darkorange";
	else if (s->action && s->action->closes)
		color = "darkgreen";
	int ni = ind;
	if (x->nchildren) {
		/* the group's own node heads its cluster */
		fprintf(out, "%*ssubgraph \"cluster_n%zu\" {\n%*sstyle=dashed; label=\"\";\n", ind, "",
			x->doc_index, ind + 2, "");
		ni = ind + 2;
	}
	fprintf(out, "%*s", ni, "");
	dot_id(out, x);
	fprintf(out, " [shape=%s, color=%s, label=\"", shape, color);
	dot_escape(out, s->id);
	fprintf(out, "\\n");
	dot_escape(out, node_label_action(x));
	if (s->for_each) {
		fprintf(out, "\\nfor_each ");
		dot_escape(out, s->as ? s->as : "item");
	}
	if (s->when)
		fprintf(out, "\\n(when)");
	fprintf(out, "\"];\n");
	if (x->nchildren) {
		dot_list(out, x->children, x->nchildren, ind + 2);
		fprintf(out, "%*s", ind + 2, "");
		dot_id(out, x);
		fprintf(out, " -> ");
		dot_id(out, x->children[0]);
		fprintf(out, " [style=dotted];\n%*s}\n", ind, "");
	}
	for (size_t i = 0; i < x->nonfail; i++) {
		dot_node(out, x->onfail[i], ind);
		if (i == 0) {
			fprintf(out, "%*s", ind, "");
			dot_id(out, x);
			fprintf(out, " -> ");
			dot_id(out, x->onfail[0]);
			fprintf(out, " [color=red, style=dashed, label=\"on failure\"];\n");
		}
	}
}

static void dot_list(FILE *out, struct graph_node **list, size_t n, int ind)
{
	for (size_t i = 0; i < n; i++)
		dot_node(out, list[i], ind);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < list[i]->ndeps; j++) {
			fprintf(out, "%*s", ind, "");
			dot_id(out, tail_of(list[i]->deps[j]));
			fprintf(out, " -> ");
			dot_id(out, list[i]);
			fprintf(out, ";\n");
		}
}

/* What the shapes, colours and edges mean, in a corner of the drawing: a
 * reader of an SVG in a change ticket has no --help to ask. */
static void dot_legend(FILE *out)
{
	fprintf(out, "  subgraph \"cluster_legend\" {\n"
		     "    label=\"legend\"; style=dotted; fontsize=9;\n"
		     "    node [fontsize=9];\n"
		     "    \"legend_step\" [shape=box, label=\"step: id\\naction\"];\n"
		     "    \"legend_gate\" [shape=octagon, label=\"gate: asks a person\"];\n"
		     "    \"legend_group\" [shape=folder, label=\"group (dashed box: its steps)\"];\n"
		     "    \"legend_open\" [shape=box, color=darkorange, label=\"opens a bracket\"];\n"
		     "    \"legend_close\" [shape=box, color=darkgreen, label=\"closes a bracket\"];\n"
		     "    \"legend_step\" -> \"legend_gate\" [label=\"runs after\"];\n"
		     "    \"legend_gate\" -> \"legend_group\" [color=red, style=dashed, label=\"on failure\"];\n"
		     "    \"legend_open\" -> \"legend_close\" [style=bold, label=\"to finally\"];\n"
		     "  }\n");
}

void graph_write_dot(const struct graph *g, FILE *out)
{
	fprintf(out, "digraph \"");
	dot_escape(out, g->plan->name ? g->plan->name : "plan");
	fprintf(out, "\" {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
		     "  edge [fontname=\"Helvetica\", fontsize=9];\n");
	dot_list(out, g->top, g->ntop, 2);
	if (g->nfin) {
		fprintf(out, "  subgraph \"cluster_finally\" {\n    label=\"finally (always runs)\"; style=bold;\n");
		dot_list(out, g->fin, g->nfin, 4);
		fprintf(out, "  }\n");
		if (g->ntop) {
			fprintf(out, "  ");
			dot_id(out, tail_of(g->top[g->ntop - 1]));
			fprintf(out, " -> ");
			dot_id(out, g->fin[0]);
			fprintf(out, " [style=bold, label=\"end, failure or Ctrl-C\"];\n");
		}
	}
	dot_legend(out);
	fprintf(out, "}\n");
}

static void mm_text(FILE *out, const char *s)
{
	for (; s && *s; s++)
		fputc(*s == '"' ? '\'' : *s == '\n' ? ' ' : *s, out);
}

static void mm_list(FILE *out, struct graph_node **list, size_t n, int ind)
{
	for (size_t i = 0; i < n; i++) {
		const struct graph_node *x = list[i];
		const struct plan_step *s = x->step;
		if (x->nchildren) {
			fprintf(out, "%*ssubgraph n%zu [\"", ind, "", x->doc_index);
			mm_text(out, s->id);
			fprintf(out, "%s\"]\n", s->for_each ? " (for_each)" : "");
			mm_list(out, x->children, x->nchildren, ind + 2);
			fprintf(out, "%*send\n", ind, "");
		} else {
			fprintf(out, "%*sn%zu%s\"", ind, "", x->doc_index, s->gate ? "{{" : "[");
			mm_text(out, s->id);
			fprintf(out, "<br/>");
			mm_text(out, node_label_action(x));
			fprintf(out, "\"%s\n", s->gate ? "}}" : "]");
		}
		for (size_t k = 0; k < x->nonfail; k++) {
			mm_list(out, x->onfail + k, 1, ind);
			if (k == 0)
				fprintf(out, "%*sn%zu -. on failure .-> n%zu\n", ind, "", x->doc_index,
					x->onfail[0]->doc_index);
		}
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < list[i]->ndeps; j++)
			fprintf(out, "%*sn%zu --> n%zu\n", ind, "", list[i]->deps[j]->doc_index, list[i]->doc_index);
}

void graph_write_mermaid(const struct graph *g, FILE *out)
{
	fprintf(out, "flowchart TD\n");
	mm_list(out, g->top, g->ntop, 2);
	if (g->nfin) {
		fprintf(out, "  subgraph finally [\"finally (always runs)\"]\n");
		mm_list(out, g->fin, g->nfin, 4);
		fprintf(out, "  end\n");
		if (g->ntop)
			fprintf(out, "  n%zu ==> finally\n", g->top[g->ntop - 1]->doc_index);
	}
	/* the legend: see dot_legend */
	fprintf(out, "  subgraph legend [\"legend\"]\n"
		     "    legend_step[\"step: id<br/>action\"] -- runs after --> legend_gate{{\"gate: asks a person\"}}\n"
		     "    legend_gate -. on failure .-> legend_fail[\"its on_failure steps\"]\n"
		     "    legend_end[\"last step\"] == end, failure or Ctrl-C ==> legend_fin[\"finally\"]\n"
		     "  end\n");
}
