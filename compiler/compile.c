/* compile.c - see compile.h. */
#include "compile.h"

#include <stdlib.h>

#include "graph.h"
#include "ir.h"
#include "lint_params.h"
#include "lint_safety.h"
#include "mem.h"
#include "plan_scope.h"
#include "plan.h"
#include "sensitive.h"
#include "yaml_load.h"

static struct compiled *stages(struct ydoc *doc, const struct compile_opts *o, struct diag_list *d)
{
	struct compiled *c = xcalloc(1, sizeof *c);
	c->doc = doc;
	if (!doc->root)
		return c;
	c->plan = plan_check(doc, d);
	if (!c->plan)
		return c;
	/* graph, scopes, proofs, lints, params: each adds what it finds */
	c->graph = graph_build(c->plan, d);
	plan_scope_check(c->graph, d);
	graph_brackets_check(c->graph, d);
	/* params before timing: a window or timeout can be a param's value */
	c->graph->params = ir_params_resolve(c->plan, o, d);
	ir_params_bind(c->graph, d);
	graph_timing_compute(c->graph, d);
	lint_safety_check(c->graph, d);
	lint_params_check(c->plan, d);
	sensitive_lint(c->graph, d);
	return c;
}

struct compiled *compile_file(const char *path, const struct compile_opts *o, struct diag_list *d)
{
	return stages(yaml_load_file(path, d), o, d);
}

struct compiled *compile_mem(const char *name, const char *bytes, size_t len,
			     const struct compile_opts *o, struct diag_list *d)
{
	return stages(yaml_load_mem(name, bytes, len, d), o, d);
}

void compile_free(struct compiled *c)
{
	if (!c)
		return;
	graph_free(c->graph);
	plan_free(c->plan);
	yaml_load_free(c->doc);
	free(c);
}
