/* ir.h - the emitting side of the IR (docs/ir.md, schema/ir.schema.json):
 * resolved parameters, the JSON document, its content hash.
 *
 * The runtime's loader (runtime/ir_load.c) reads what ir_emit writes; the
 * two meet only through the schema. */
#ifndef OPSPLAN_IR_H
#define OPSPLAN_IR_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "diag.h"

struct plan;
struct graph;
struct ynode;
struct compile_opts;

#define IR_VERSION 1

/* The params array of the IR: every declared param with its value from -p
 * (converted to its type; match and enum enforced), else its default.
 * Adds OP150-OP154; a missing required param is an error only when
 * o->params_required.  Returns a new reference (never NULL); o may be NULL. */
json_t *ir_params_resolve(const struct plan *p, const struct compile_opts *o, struct diag_list *d);

/* Durations that name a parameter (`within: ${{ params.window }}`, the
 * same for timeout:) get its resolved value from g->params, so the timing
 * proof and the IR use the -p value, else the default.  Adds OP034 for a
 * value of 0.  Call after g->params is set and before graph_timing_compute. */
void ir_params_bind(struct graph *g, struct diag_list *d);

/* A YAML value as JSON (core schema for plain scalars); new reference. */
json_t *ir_json_of_ynode(const struct ynode *n);

/* The IR document of a compiled graph, pretty-printed, ending in a newline,
 * its hash filled in.  Caller frees.  The graph must have passed every
 * stage without errors (the IR of a broken plan means nothing). */
char *ir_emit(const struct graph *g);

/* sha256 (FIPS 180-4) of len bytes. */
void ir_sha256(const void *data, size_t len, uint8_t out[32]);
/* The IR hash as written: sha256 of text without its third line, as
 * "sha256:" + 64 lowercase hex digits + NUL into out (72 bytes).  -1 when
 * text has fewer than three lines. */
int ir_hash(const char *text, size_t len, char out[72]);

#endif
