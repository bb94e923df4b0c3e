/* plan_scope.c - see plan_scope.h.  One pass over the graph in document
 * order (parents before children, so a loop's element type is known before
 * its body is checked).  Each expression gets a `steps` root holding only
 * the steps it reads: the scope of a step can hold thousands of finished
 * steps, and building it whole for every expression made a 5,000-step plan
 * take a minute. */
#include "plan_scope.h"

#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "expr.h"
#include "graph.h"
#include "mem.h"
#include "plan.h"
#include "type.h"
#include "yaml_load.h"

static const struct type_field run_fields[] = {
	{"cluster", &type_string, "the -p cluster value, or \"\""},
	{"dry_run", &type_bool, "1 under --dry-run"},
	{"id", &type_string, "the run id"},
	{"namespace", &type_string, "the namespace the run acts in"},
	{"opened", &type_string_list, "brackets open now, sorted (opened(\"maintenance\") is \"maintenance\" in run.opened)"},
	{"status", &type_string, "running; before finally: failed, stopped or interrupted (running when nothing failed)"},
};
const struct type plan_scope_run_type = {.kind = TYPE_OBJECT, .fields = run_fields,
					 .nfields = sizeof run_fields / sizeof run_fields[0], .name = "run"};

struct scope_ctx {
	struct graph *g;
	struct arena *a;
	struct diag_list *d;
	const struct type *params;
	const struct type **loop_elem;     /* by doc_index: element type of a for_each node */
	struct graph_node *node;           /* the step whose expressions are checked */
	const struct type *steps_t;        /* `steps` for the expression being checked */
	int bad_ref;                       /* set by ref_check */
	/* the steps the expression being checked reads; whole: it needs every
	 * step (an unknown id wants "did you mean", or `steps` is used whole) */
	const char **refs;
	size_t nrefs, refs_cap;
	int whole;
};

/* Which root object an expression is checked against: the loop variable of
 * the node itself (own_loop), `result` (non-NULL). */
struct roots_spec {
	int own_loop;
	const struct type *result;
	const struct type_field *extra;   /* one more root (`object` in k8s.wait's `that`), or NULL */
};

static const struct type *param_type(struct arena *a, const struct plan_param *p)
{
	const struct type *t = &type_any;
	switch (p->type) {
	case PARAM_STRING: t = &type_string; break;
	case PARAM_NUMBER: case PARAM_INTEGER: t = &type_number; break;
	case PARAM_BOOLEAN: t = &type_bool; break;
	case PARAM_DURATION: t = &type_duration; break;
	case PARAM_LIST: t = &type_any_list; break;
	}
	if (!p->required && !p->def && !p->secret_name)   /* a Secret's value is read before the first step */
		t = type_optional(a, t);
	return t;
}

static const struct type *object_of(struct arena *a, struct type_field *f, size_t n, const char *name)
{
	struct type *t = type_new(a, TYPE_OBJECT);
	t->fields = f;
	t->nfields = n;
	t->name = name;
	return t;
}

static const struct type *params_type(struct arena *a, const struct plan *p)
{
	struct type_field *f = arena_alloc(a, (p->nparams + 1) * sizeof *f);
	for (size_t i = 0; i < p->nparams; i++) {
		f[i].name = p->params[i].name;
		f[i].type = param_type(a, &p->params[i]);
		f[i].doc = p->params[i].doc;
	}
	return object_of(a, f, p->nparams, "params");
}

/* Whether a's result can be absent when b reads it: a or a step around it
 * (below what also encloses b) may be skipped, looped or fail and go on. */
static int result_optional(const struct graph_node *a, const struct graph_node *b)
{
	if (a->ctx != GRAPH_MAIN || graph_encloses(a, b))
		return 1;   /* failure paths, and a step read from its own on_failure */
	for (const struct graph_node *x = a; x && !graph_encloses(x, b); x = x->parent) {
		const struct plan_step *s = x->step;
		if (s->when || s->on_failure == ONFAIL_CONTINUE || (x != a && s->for_each))
			return 1;
	}
	return 0;
}

/* A failure path (an on_failure handler, finally) may read any step but
 * itself and the steps around it: one that has not run reads as null. */
static int any_step_readable(const struct scope_ctx *C, const struct graph_node *a)
{
	return C->node->ctx != GRAPH_MAIN && !graph_encloses(a, C->node);
}

static const struct type *step_entry(struct scope_ctx *C, const struct graph_node *a)
{
	const struct plan_step *s = a->step;
	const struct type *r = &type_any;
	if (s->kind == STEP_ACTION && s->action && s->action->result)
		r = s->action->result;
	else if (s->kind == STEP_GROUP)
		r = &type_null;
	if (s->for_each)
		r = type_list_of(C->a, r);
	if (result_optional(a, C->node))
		r = type_optional(C->a, r);
	int maybe_not_run = !graph_before(C->g, a, C->node);   /* only on a failure path */
	struct type_field *f = arena_alloc(C->a, 5 * sizeof *f);
	f[0] = (struct type_field){"duration", &type_duration, "how long it ran"};
	f[1] = (struct type_field){"ok", &type_bool, "it completed and every expect held"};
	f[2] = (struct type_field){"result", r, "the action's result"};
	f[3] = (struct type_field){"started", &type_string, "RFC 3339 UTC"};
	f[4] = (struct type_field){"status", maybe_not_run ? type_optional(C->a, &type_string) : &type_string,
				   "ok, failed or skipped; null when it did not run"};
	const struct type *e = object_of(C->a, f, 5, "step");
	return maybe_not_run ? type_optional(C->a, e) : e;
}

/* Every step finished before the node: only when an expression needs them
 * all, since it is linear in the plan (and so quadratic over it). */
static const struct type *steps_type_whole(struct scope_ctx *C)
{
	size_t n = 0;
	struct type_field *f = arena_alloc(C->a, (C->g->nnodes + 1) * sizeof *f);
	for (size_t i = 0; i < C->g->nnodes; i++) {
		const struct graph_node *a = C->g->nodes[i];
		if (!a->step->id || (!graph_before(C->g, a, C->node) && !any_step_readable(C, a)))
			continue;
		int dup = 0;
		for (size_t k = 0; k < n && !dup && graph_id_shared(a); k++)
			dup = strcmp(f[k].name, a->step->id) == 0;
		if (dup)
			continue;
		f[n].name = a->step->id;
		f[n].type = step_entry(C, a);
		f[n].doc = a->step->title;
		n++;
	}
	return object_of(C->a, f, n, "steps");
}

/* The steps the expression reads, all known and finished before the node
 * (ref_check saw to that): the same fields steps_type_whole would give them,
 * in O(reads). */
static const struct type *steps_type(struct scope_ctx *C)
{
	if (C->whole)
		return steps_type_whole(C);
	size_t n = 0;
	struct type_field *f = arena_alloc(C->a, (C->nrefs + 1) * sizeof *f);
	for (size_t i = 0; i < C->nrefs; i++) {
		const struct graph_node *a = graph_find(C->g, C->refs[i]);
		int dup = 0;
		for (size_t k = 0; k < n && !dup; k++)
			dup = strcmp(f[k].name, a->step->id) == 0;
		if (dup)
			continue;
		f[n].name = a->step->id;
		f[n].type = step_entry(C, a);
		f[n].doc = a->step->title;
		n++;
	}
	return object_of(C->a, f, n, "steps");
}

/* A handler of a loop runs after the loop failed: no current element. */
static int in_handler(const struct graph_node *child, const struct graph_node *x)
{
	for (size_t i = 0; child && i < x->nonfail; i++)
		if (x->onfail[i] == child)
			return 1;
	return 0;
}

/* Roots for the node: own_loop adds the node's own loop variable; result
 * adds `result`. */
static const struct type *roots(struct scope_ctx *C, int own_loop, const struct type *result,
				const struct type_field *extra)
{
	size_t cap = 8, n = 0;
	for (const struct graph_node *x = C->node; x; x = x->parent)
		cap++;
	struct type_field *f = arena_alloc(C->a, cap * sizeof *f);
	f[n++] = (struct type_field){"params", C->params, "the plan's parameters"};
	f[n++] = (struct type_field){"run", &plan_scope_run_type, "this run"};
	f[n++] = (struct type_field){"steps", C->steps_t, "steps finished before this one"};
	if (result)
		f[n++] = (struct type_field){"result", result, "this step's result"};
	if (extra)
		f[n++] = *extra;
	for (const struct graph_node *x = C->node, *from = NULL; x; from = x, x = x->parent) {
		if (!x->step->for_each || (x == C->node && !own_loop) || in_handler(from, x))
			continue;
		const char *as = x->step->as ? x->step->as : "item";
		int shadowed = 0;
		for (size_t k = 0; k < n && !shadowed; k++)
			shadowed = strcmp(f[k].name, as) == 0;
		if (!shadowed)
			f[n++] = (struct type_field){as, C->loop_elem[x->doc_index], "the loop's current element"};
	}
	return object_of(C->a, f, n, "scope");
}

static void ref_check(const char *id, const struct loc *at, void *ctx)
{
	struct scope_ctx *C = ctx;
	struct graph_node *a = graph_find(C->g, id);
	if (!a) {
		C->whole = 1;   /* unknown: the checker says so, with "did you mean" */
		return;
	}
	if (graph_before(C->g, a, C->node) || any_step_readable(C, a)) {
		if (graph_id_shared(a))
			C->whole = 1;   /* which of the steps named so is finished: the whole scope knows */
		XGROW(C->refs, C->refs_cap, C->nrefs + 1);
		C->refs[C->nrefs++] = id;
		return;
	}
	const char *me = C->node->step->id;
	struct diag *dg = diag_add(C->d, OP083, at, "step '%s' reads 'steps.%s', which may not have run before it",
				   me, id);
	if (a == C->node)
		diag_hint(dg, "a step cannot read its own status; its result is 'result' in expect: and until:");
	else if (graph_encloses(a, C->node))
		diag_hint(dg, "'%s' encloses '%s' and has not finished when it runs", id, me);
	else if (C->node->ctx == GRAPH_FINALLY)
		diag_hint(dg, "finally steps also run when the run stops before '%s'", id);
	else if (a->doc_index > C->node->doc_index)
		diag_hint(dg, "'%s' comes after '%s'; add it to 'needs:' or move it earlier", id, me);
	else
		diag_hint(dg, "'%s' is not on every path to '%s'", id, me);
	C->bad_ref = 1;
}

static void refs_reset(struct scope_ctx *C)
{
	C->bad_ref = 0;
	C->nrefs = 0;
	C->whole = 0;
}

static void expr_refs(const struct expr *e, void *ctx)
{
	struct scope_ctx *C = ctx;
	expr_step_refs(e, ref_check, C);
	if (expr_reads_root_whole(e, "steps"))
		C->whole = 1;
}

/* The roots for the expression whose reads were just collected. */
static const struct type *roots_for(struct scope_ctx *C, const struct roots_spec *rs)
{
	C->steps_t = steps_type(C);
	return roots(C, rs->own_loop, rs->result, rs->extra);
}

/* ---- columns inside quoted scalars with escapes ----
 *
 * Expressions are parsed from a scalar's decoded text, so an offset past an
 * escape (\" in a double-quoted scalar, '' in a single-quoted one) lands one
 * or more columns early in the file.  For a quoted scalar on one line, the
 * diagnostics the expression added are moved to the raw column. */

static size_t utf8_len_of(unsigned long cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* Raw bytes and decoded bytes of the escape at t[0] == '\\' (n raw bytes left). */
static void escape_size(const char *t, size_t n, size_t *raw, size_t *dec)
{
	*raw = n >= 2 ? 2 : n;
	*dec = 1;
	if (n < 2)
		return;
	int digits = t[1] == 'x' ? 2 : t[1] == 'u' ? 4 : t[1] == 'U' ? 8 : 0;
	if (digits && n >= (size_t)digits + 2) {
		char hex[9] = {0};
		memcpy(hex, t + 2, (size_t)digits);
		*raw = (size_t)digits + 2;
		*dec = utf8_len_of(strtoul(hex, NULL, 16));
	} else if (t[1] == 'N' || t[1] == '_') {
		*dec = 2;
	} else if (t[1] == 'L' || t[1] == 'P') {
		*dec = 3;
	}
}

/* The file offset of decoded byte k of the scalar whose text starts at raw. */
static uint32_t raw_offset(const char *text, uint32_t raw, uint32_t raw_end, char quote, uint32_t k)
{
	uint32_t r = raw, dec = 0;
	while (dec < k && r < raw_end) {
		size_t rs = 1, ds = 1;
		if (quote == '"' && text[r] == '\\')
			escape_size(text + r, raw_end - r, &rs, &ds);
		else if (quote == '\'' && text[r] == '\'' && r + 1 < raw_end && text[r + 1] == '\'')
			rs = 2;
		if (dec + ds > k)
			break;
		r += (uint32_t)rs;
		dec += (uint32_t)ds;
	}
	return r;
}

static void unescape_locs(struct scope_ctx *C, const struct loc *whole, const struct loc *base, size_t from)
{
	const struct ydoc *doc = C->g->plan->doc;
	if (from >= C->d->n || !doc || !doc->text || whole->off >= doc->len || whole->end_off > doc->len ||
	    whole->line != whole->end_line)
		return;
	char q = doc->text[whole->off];
	if (q != '"' && q != '\'')
		return;
	uint32_t raw_end = whole->end_off ? whole->end_off - 1 : 0;   /* the closing quote */
	for (size_t i = from; i < C->d->n; i++) {
		struct loc *l = &C->d->items[i].loc;
		/* diag_add keeps its own copy of the file name */
		if (!l->file || !base->file || strcmp(l->file, base->file) != 0 || l->line != base->line ||
		    l->off < base->off || l->end_off < l->off)
			continue;
		uint32_t a = raw_offset(doc->text, base->off, raw_end, q, l->off - base->off);
		uint32_t b = raw_offset(doc->text, base->off, raw_end, q, l->end_off - base->off);
		l->col = base->col + (a - base->off);
		l->off = a;
		if (l->end_line == base->line) {
			l->end_col = base->col + (b - base->off);
			l->end_off = b;
		}
	}
}

static const struct type *check_expr_in(struct scope_ctx *C, struct plan_expr *pe, const struct roots_spec *rs,
					const char *what);

static const struct type *check_expr(struct scope_ctx *C, struct plan_expr *pe, const struct roots_spec *rs,
				     const char *what)
{
	size_t from = C->d->n;
	const struct type *t = check_expr_in(C, pe, rs, what);
	if (pe)
		unescape_locs(C, &pe->loc, &pe->base, from);
	return t;
}

static const struct type *check_expr_in(struct scope_ctx *C, struct plan_expr *pe, const struct roots_spec *rs,
					const char *what)
{
	if (!pe || !pe->text)
		return &type_any;
	if (!pe->ast) {
		pe->ast = expr_parse(C->a, pe->text, pe->len, &pe->base, C->d);
		if (!pe->ast)
			return &type_any;
	}
	refs_reset(C);
	expr_refs(pe->ast, C);
	if (C->bad_ref)
		return &type_any;
	struct expr_scope sc = {roots_for(C, rs), what};
	return expr_check(C->a, pe->ast, &sc, C->d);
}

struct loc plan_scope_scalar_base(const struct ydoc *doc, const struct ynode *n)
{
	struct loc b = n->loc;
	if (n->style == YSTYLE_SINGLE || n->style == YSTYLE_DOUBLE) {
		b.col++;
		b.off++;
	} else if ((n->style == YSTYLE_LITERAL || n->style == YSTYLE_FOLDED) && doc && doc->text) {
		/* the text starts on the line after the indicator, at its indent */
		uint32_t off = b.off;
		while (off < doc->len && doc->text[off] != '\n')
			off++;
		if (off < doc->len) {
			off++;
			b.line++;
			b.col = 1;
			while (off < doc->len && doc->text[off] == ' ') {
				off++;
				b.col++;
			}
			b.off = off;
		}
	}
	return b;
}

static const struct type *check_tmpl_in(struct scope_ctx *C, const struct ynode *n, const struct loc *base,
					const struct roots_spec *rs, const char *what);

/* A scalar that holds ${{ }}: its type, or NULL for a plain string. */
static const struct type *check_tmpl(struct scope_ctx *C, const struct ynode *n, const struct roots_spec *rs,
				     const char *what)
{
	if (!n || n->kind != YNODE_SCALAR || !n->str || !strstr(n->str, "${{"))
		return NULL;
	struct loc base = plan_scope_scalar_base(C->g->plan->doc, n);
	size_t from = C->d->n;
	const struct type *t = check_tmpl_in(C, n, &base, rs, what);
	unescape_locs(C, &n->loc, &base, from);
	return t;
}

static const struct type *check_tmpl_in(struct scope_ctx *C, const struct ynode *n, const struct loc *base,
					const struct roots_spec *rs, const char *what)
{
	struct tmpl *t = tmpl_parse(C->a, n->str, n->len, base, C->d);
	if (!t)
		return &type_any;
	refs_reset(C);
	tmpl_foreach_expr(t, expr_refs, C);
	if (C->bad_ref)
		return &type_any;
	struct expr_scope sc = {roots_for(C, rs), what};
	return tmpl_check(C->a, t, &sc, C->d);
}

/* with: every template anywhere in the value; a top-level value that is a
 * template is checked against the action's parameter type. */
static void check_with_value(struct scope_ctx *C, const struct ynode *v, const struct roots_spec *roots_t,
			     const char *what, int depth)
{
	if (!v || depth > 64)
		return;
	if (v->kind == YNODE_SCALAR) {
		check_tmpl(C, v, roots_t, what);
	} else if (v->kind == YNODE_SEQ) {
		for (size_t i = 0; i < v->nitems; i++)
			check_with_value(C, v->items[i], roots_t, what, depth + 1);
	} else {
		for (size_t i = 0; i < v->npairs; i++)
			check_with_value(C, v->pairs[i].value, roots_t, what, depth + 1);
	}
}

/* The value of with.KEY, and its key node, or NULL. */
static const struct ynode *with_get(const struct ynode *w, const char *key, const struct ynode **key_node)
{
	for (size_t i = 0; w && w->kind == YNODE_MAP && i < w->npairs; i++)
		if (!strcmp(w->pairs[i].key->str, key)) {
			if (key_node)
				*key_node = w->pairs[i].key;
			return w->pairs[i].value;
		}
	return NULL;
}

/* Is with.KEY of step s an expression parameter (its catalog row says so)? */
static const struct action_param *expr_param(const struct plan_step *s, const char *key)
{
	const struct action_param *p = s->kind == STEP_ACTION && s->action ? catalog_param(s->action, key) : NULL;
	return p && p->expr ? p : NULL;
}

/* One expression parameter (k8s.wait's `that`): the runtime parses the same
 * text from the IR once and the action evaluates it (on every watch event),
 * so it is parsed and typed here, at its own line:col, with the catalog's
 * extra root (`object`) beside the step's usual roots.  Its only_with
 * ("for=expression") makes it required with that value and refused with any
 * other, where it would be silently ignored. */
static void check_expr_param(struct scope_ctx *C, const struct roots_spec *rs, const struct action_param *p)
{
	const struct plan_step *s = C->node->step;
	const struct ynode *that_key = NULL;
	const struct ynode *that = with_get(s->with, p->name, &that_key);
	if (p->only_with) {
		const char *eq = strchr(p->only_with, '=');
		char sib[64];
		snprintf(sib, sizeof sib, "%.*s", eq ? (int)(eq - p->only_with) : 0, p->only_with);
		const char *want = eq ? eq + 1 : "";
		const struct ynode *forv = with_get(s->with, sib, NULL);
		if (!forv || forv->kind != YNODE_SCALAR || !forv->str || strstr(forv->str, "${{"))
			return;   /* missing or not a literal: plan_check says so, or the runtime decides */
		int wanted = !strcmp(forv->str, want);
		if (wanted && !that) {
			struct diag *dg = diag_add(C->d, OP038, &forv->loc, "step '%s' has '%s: %s' but no 'with.%s'",
						   s->id, sib, want, p->name);
			diag_hint(dg, "add '%s:', an expression over '%s' and the step's roots", p->name, p->expr->name);
			return;
		}
		if (!wanted && that) {
			struct diag *dg = diag_add(C->d, OP038, &that_key->loc,
						   "'with.%s' of step '%s' is only read with '%s: %s', not '%s: %s'",
						   p->name, s->id, sib, want, sib, forv->str);
			diag_hint(dg, "use '%s: %s', or remove '%s'", sib, want, p->name);
			return;
		}
	}
	if (!that || that->kind != YNODE_SCALAR || !that->str)
		return;   /* absent, or a non-string: plan_check's type error */
	if (strstr(that->str, "${{")) {
		struct diag *dg = diag_add(C->d, OP038, &that->loc,
					   "'with.%s' of step '%s' is an expression, not a template", p->name, s->id);
		diag_hint(dg, "write it without ${{ }}: it is evaluated on every watch event, not once");
		return;
	}
	struct plan_expr pe = {that->str, that->len, that->loc, plan_scope_scalar_base(C->g->plan->doc, that), NULL};
	struct roots_spec with_extra = *rs;
	with_extra.extra = p->expr;
	char *what = xasprintf("'with.%s' of step '%s'", p->name, s->id);
	check_expr(C, &pe, &with_extra, what);
	free(what);
}

static void check_expr_params(struct scope_ctx *C, const struct roots_spec *rs)
{
	const struct plan_step *s = C->node->step;
	if (s->kind != STEP_ACTION || !s->action || !s->with || s->with->kind != YNODE_MAP)
		return;
	for (size_t i = 0; i < s->action->nparams; i++)
		if (s->action->params[i].expr)
			check_expr_param(C, rs, &s->action->params[i]);
}

static void check_with(struct scope_ctx *C, const struct roots_spec *roots_t)
{
	const struct plan_step *s = C->node->step;
	const struct ynode *w = s->with;
	if (!w || w->kind != YNODE_MAP)
		return;
	char *what = xasprintf("the with of step '%s'", s->id);
	for (size_t i = 0; i < w->npairs; i++) {
		const struct ynode *v = w->pairs[i].value;
		if (expr_param(s, w->pairs[i].key->str))
			continue;   /* an expression, not a template: check_expr_params */
		if (v && v->kind != YNODE_SCALAR) {
			check_with_value(C, v, roots_t, what, 0);
			continue;
		}
		const struct type *t = check_tmpl(C, v, roots_t, what);
		const struct action_param *ap = s->action ? catalog_param(s->action, w->pairs[i].key->str) : NULL;
		if (!t || !ap || !ap->type || t->kind == TYPE_ANY)
			continue;
		/* null is the runtime's to report (the action refuses it): a with:
		 * value has no way to spell a default, so optional is let through */
		struct type *nn = type_new(C->a, t->kind);
		*nn = *t;
		nn->optional = 0;
		if (type_assignable(ap->type, nn))
			continue;
		struct strbuf want = {0}, got = {0};
		type_format(ap->type, &want);
		type_format(t, &got);
		diag_add(C->d, OP054, &v->loc, "'with.%s' of step '%s' takes %s, the template gives %s",
			 w->pairs[i].key->str, s->id, want.s, got.s);
		sb_release(&want);
		sb_release(&got);
	}
	free(what);
}

static void check_conds(struct scope_ctx *C, struct plan_cond *c, size_t n, const struct roots_spec *roots_t,
			const char *what)
{
	for (size_t i = 0; i < n; i++) {
		const struct type *t = check_expr(C, &c[i].that, roots_t, what);
		(void)t;
		if (c[i].else_msg)
			check_tmpl(C, c[i].else_msg, roots_t, what);
	}
}

static const struct type *action_result(const struct plan_step *s)
{
	if (s->kind != STEP_ACTION)
		return NULL;
	return s->action && s->action->result ? s->action->result : &type_any;
}

static void check_node(struct scope_ctx *C, struct graph_node *n)
{
	struct plan_step *s = n->step;
	C->node = n;
	char *what = NULL;
	const struct roots_spec outer = {0, NULL, NULL};
	if (s->when) {
		what = xasprintf("the when of step '%s'", s->id);
		check_expr(C, s->when, &outer, what);
		free(what);
	}
	if (s->for_each) {
		what = xasprintf("the for_each of step '%s'", s->id);
		const struct type *lt = check_expr(C, s->for_each, &outer, what);
		free(what);
		const struct type *el = &type_any;
		if (lt->kind == TYPE_LIST && lt->elem)
			el = lt->elem;
		else if (lt->kind != TYPE_ANY)
			diag_add(C->d, OP054, &s->for_each->loc, "the for_each of step '%s' must be a list, not %s",
				 s->id, type_kind_name(lt->kind));
		C->loop_elem[n->doc_index] = el;
	}
	const struct roots_spec inner = {s->for_each != NULL, NULL, NULL};
	check_with(C, &inner);
	check_expr_params(C, &inner);
	what = xasprintf("a precondition of step '%s'", s->id);
	check_conds(C, s->require, s->nrequire, &inner, what);
	free(what);
	if (s->gate) {
		what = xasprintf("the gate of step '%s'", s->id);
		check_tmpl(C, s->gate->prompt, &inner, what);
		for (size_t i = 0; i < s->gate->nshow; i++)
			check_expr(C, &s->gate->show[i], &inner, what);
		free(what);
	}
	const struct type *res = action_result(s);
	const struct roots_spec withres = res ? (struct roots_spec){1, res, NULL} : inner;
	if (s->nexpect) {
		what = xasprintf("an expect of step '%s'", s->id);
		check_conds(C, s->expect, s->nexpect, &withres, what);
		free(what);
	}
	if (s->until) {
		what = xasprintf("the until of step '%s'", s->id);
		check_expr(C, s->until, &withres, what);
		free(what);
	}
}

size_t plan_scope_check(struct graph *g, struct diag_list *d)
{
	size_t before = d->errors;
	struct scope_ctx C = {.g = g, .a = g->plan->arena, .d = d};
	C.params = params_type(C.a, g->plan);
	C.loop_elem = arena_alloc(C.a, (g->nnodes + 1) * sizeof *C.loop_elem);
	for (size_t i = 0; i < g->nnodes; i++)
		C.loop_elem[i] = &type_any;
	for (size_t i = 0; i < g->nnodes; i++)
		if (!g->nodes[i]->in_cycle)
			check_node(&C, g->nodes[i]);
	free(C.refs);
	return d->errors - before;
}
