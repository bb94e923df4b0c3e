/* graph.h - the step graph of a checked plan, and the proofs over it.
 *
 * graph_build turns the plan's step lists into nodes with sibling
 * dependencies (implicit sequence and `needs:`), orders every list
 * topologically (stable: document order unless a need says otherwise) and
 * reports unknown needs, cycles and unreachable steps (duplicate ids are
 * plan_check's: OP026).  The other stages
 * (scopes, brackets, timing, safety lints, IR) read the graph.
 *
 * Ownership: the graph borrows the plan (which must outlive it) and owns its
 * nodes (an arena); graph_free releases it and accepts NULL. */
#ifndef OPSPLAN_GRAPH_H
#define OPSPLAN_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "diag.h"

struct plan;
struct plan_step;
struct arena;

enum graph_ctx { GRAPH_MAIN, GRAPH_ON_FAILURE, GRAPH_FINALLY };

/* Loops over a list the plan does not spell out are assumed to have at most
 * this many items (documented in docs/ir.md); typical timing assumes
 * GRAPH_LOOP_TYPICAL_ITEMS (a three-member cluster has two replicas). */
#define GRAPH_LOOP_DEFAULT_ITEMS 10
#define GRAPH_LOOP_TYPICAL_ITEMS 2
enum { LOOP_DEFAULT, LOOP_LITERAL, LOOP_REQUIRE };   /* graph_node.max_items_literal */

struct graph_node {
	struct plan_step *step;        /* borrowed */
	enum graph_ctx ctx;
	struct graph_node *parent;     /* enclosing group, or the step an on_failure list belongs to */
	size_t doc_index;              /* position in document order over the whole plan */
	size_t list_pos;               /* position in its list after ordering */

	struct graph_node **children;  /* group body, ordered */
	size_t nchildren;
	struct graph_node **onfail;    /* on_failure steps, ordered */
	size_t nonfail;

	struct graph_node **deps;      /* siblings this node waits for */
	size_t ndeps;
	int in_cycle;                  /* part of (or behind) a needs cycle: never runs */

	/* computed by graph_timing */
	int64_t worst_ms, typical_ms;
	int max_items;                 /* for_each bound used, 0 when not a loop */
	int max_items_literal;         /* where max_items comes from: LOOP_* */
};

struct graph {
	struct plan *plan;             /* borrowed */
	struct arena *arena;           /* owns nodes and arrays */
	struct graph_node **nodes;     /* every node, document order */
	size_t nnodes;
	struct graph_node **top;       /* top-level steps, ordered */
	size_t ntop;
	struct graph_node **fin;       /* finally steps, ordered */
	size_t nfin;
	int64_t worst_ms, typical_ms, finally_worst_ms;
	void *params;                  /* json_t * array of resolved params (ir_params), owned */
	void *index;                   /* private to graph.c: id table, graph_before's scratch */
};

/* Build the graph; adds OP080/OP081/OP082/OP084.  Never NULL. */
struct graph *graph_build(struct plan *p, struct diag_list *d);
void graph_free(struct graph *g);

/* The node of a step id (first one with that id), or NULL.  Borrowed.  O(1). */
struct graph_node *graph_find(const struct graph *g, const char *id);
/* 1 when another node has n's id (OP026, already reported). */
int graph_id_shared(const struct graph_node *n);

/* 1 when a has finished (completed, failed or been skipped) before b starts
 * on every path on which b runs.  O(1) in the implicit sequence; a search
 * bounded by the list otherwise, with no memory per pair. */
int graph_before(const struct graph *g, const struct graph_node *a, const struct graph_node *b);
/* 1 when a is b or encloses it. */
int graph_encloses(const struct graph_node *a, const struct graph_node *b);

/* graph_brackets.c: every bracket opened is closed on every path (OP085). */
void graph_brackets_check(struct graph *g, struct diag_list *d);
/* 1 when node's action closes bracket on every path that reaches it with
 * the bracket open: no when:, or a when: that holds whenever it is open. */
int graph_brackets_closes(const struct graph_node *n, const char *bracket);

/* graph_timing.c: worst and typical bounds of every node and the plan;
 * `within:` windows (OP086). */
void graph_timing_compute(struct graph *g, struct diag_list *d);
int64_t graph_timing_typical_action(const char *action);   /* ms */

/* graph.c: DOT or Mermaid of the graph. */
void graph_write_dot(const struct graph *g, FILE *out);
void graph_write_mermaid(const struct graph *g, FILE *out);

#endif
