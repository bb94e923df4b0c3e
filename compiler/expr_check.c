/* expr_check.c - static types of expressions.
 *
 * Every node gets a type; an error reports once and yields type_any so that
 * one mistake does not cascade.  `any` (open k8s objects, untyped params)
 * switches checks off for that operand: the evaluator checks it at run time.
 *
 * Null-safety: reading through a value whose type is optional (a step that
 * may not have run) is an error unless a guard dominates it.  Guards are the
 * facts that make the right side of && (or of || when negated) run:
 * has(P), P.ok, P != null, a bare truthy P.  They are kept as path strings
 * ("steps.x.result") in a stack that lives as long as the guarded operand. */
#include "expr_internal.h"

#include <stdarg.h>
#include <string.h>

#include "catalog.h"
#include "mem.h"
#include "regexp.h"

const struct type expr_type_version = {.kind = TYPE_OBJECT, .name = "version"};

struct local {
	const char *name;
	const struct type *type;
	struct local *next;
};

struct guard {
	const char *path;
	struct guard *next;
};

struct ck {
	struct arena *a;
	const struct expr_scope *s;
	struct diag_list *d;
	struct local *locals;
	struct guard *guards;
	const struct type *elem[EXPR_MAX_DEPTH];   /* [*] element types, innermost last */
	int nelem;
	int in_has;              /* inside has(): reading through null is the point */
};

static const struct type *check(struct ck *c, struct expr *e);

static struct diag *cerr_at(struct ck *c, enum diag_code code, const struct loc *L,
			    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct diag *cerr_at(struct ck *c, enum diag_code code, const struct loc *L,
			    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *g = diag_addv(c->d, code, L, fmt, ap);
	va_end(ap);
	return g;
}

static struct diag *cerr(struct ck *c, enum diag_code code, const struct expr *e,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct diag *cerr(struct ck *c, enum diag_code code, const struct expr *e,
			 const char *fmt, ...)
{
	struct loc L = expr_loc(e);
	va_list ap;
	va_start(ap, fmt);
	struct diag *g = diag_addv(c->d, code, &L, fmt, ap);
	va_end(ap);
	return g;
}

static int is_any(const struct type *t)
{
	return !t || t->kind == TYPE_ANY;
}

static int is_version(const struct type *t)
{
	return t && t->kind == TYPE_OBJECT && t->name && !strcmp(t->name, "version") && !t->nfields;
}

static int numeric(const struct type *t)
{
	return t->kind == TYPE_NUMBER || t->kind == TYPE_DURATION;
}

static const char *tname(struct ck *c, const struct type *t)
{
	struct strbuf b = {0};
	type_format(t, &b);
	char *s = arena_strdup(c->a, b.s ? b.s : "any");
	sb_release(&b);
	return s;
}

static const struct type *non_optional(struct ck *c, const struct type *t)
{
	if (!t || !t->optional || t->kind == TYPE_NULL)
		return t;
	struct type *o = arena_alloc(c->a, sizeof *o);
	*o = *t;
	o->optional = 0;
	return o;
}

/* --- guards --- */

static int guarded(const struct ck *c, const char *path)
{
	size_t n = strlen(path);
	for (const struct guard *g = c->guards; g; g = g->next)
		if (!strncmp(g->path, path, n) &&
		    (g->path[n] == '\0' || g->path[n] == '.' || g->path[n] == '['))
			return 1;
	return 0;
}

static void push_guard(struct ck *c, const char *path)
{
	if (!path)
		return;
	struct guard *g = arena_alloc(c->a, sizeof *g);
	g->path = path;
	g->next = c->guards;
	c->guards = g;
}

/* Facts known when e evaluated to `truth`. */
static void collect_guards(struct ck *c, const struct expr *e, int truth)
{
	switch (e->kind) {
	case E_NOT:
		collect_guards(c, e->l, !truth);
		return;
	case E_BIN:
		if ((e->op == OP_AND && truth) || (e->op == OP_OR && !truth)) {
			collect_guards(c, e->l, truth);
			collect_guards(c, e->r, truth);
		} else if ((e->op == OP_NE && truth) || (e->op == OP_EQ && !truth)) {
			if (e->r->kind == E_NULL)
				push_guard(c, expr_path_string(c->a, e->l));
			else if (e->l->kind == E_NULL)
				push_guard(c, expr_path_string(c->a, e->r));
		}
		return;
	case E_CALL:
		if (truth && e->fn == F_HAS && e->nargs == 1)
			push_guard(c, expr_path_string(c->a, e->args[0]));
		return;
	case E_FIELD:
		if (truth && !strcmp(e->str, "ok")) {
			char *p = expr_path_string(c->a, e->l);
			if (p) {
				size_t n = strlen(p);
				char *r = arena_alloc(c->a, n + 8);
				memcpy(r, p, n);
				memcpy(r + n, ".result", 8);
				push_guard(c, p);
				push_guard(c, r);
			}
			return;
		}
		if (truth)   /* a truthy path is not null */
			push_guard(c, expr_path_string(c->a, e));
		return;
	case E_ROOT:
	case E_INDEX:
		if (truth)
			push_guard(c, expr_path_string(c->a, e));
		return;
	default:
		return;
	}
}

/* Reading a field, an element or a projection of base (typed t). */
static const struct type *deref(struct ck *c, const struct expr *base, const struct type *t,
				const char *field)
{
	if (!t->optional || t->kind == TYPE_NULL || c->in_has || (field && !strcmp(field, "ok")))
		return t;
	char *path = expr_path_string(c->a, base);
	/* steps.ID.status of a step that may not have run is null, not an error */
	if (field && !strcmp(field, "status") && path && !strncmp(path, "steps.", 6) && !strchr(path + 6, '.'))
		return t;
	struct diag *g;
	if (path) {
		g = cerr(c, OP057, base, "'%s' may be null here", path);
		if (!strncmp(path, "steps.", 6)) {
			char id[128];
			const char *dot = strchr(path + 6, '.');
			size_t n = dot ? (size_t)(dot - (path + 6)) : strlen(path + 6);
			if (n >= sizeof id)
				n = sizeof id - 1;
			memcpy(id, path + 6, n);
			id[n] = '\0';
			diag_hint(g, "step '%s' may not have run: guard with 'steps.%s.ok && ...' or 'has(%s) && ...'",
				  id, id, path);
		} else {
			diag_hint(g, "guard with 'has(%s) && ...'", path);
		}
	} else {
		g = cerr(c, OP057, base, "this value may be null here");
		diag_hint(g, "check it first: 'x != null && ...'");
	}
	return non_optional(c, t);
}

/* An operand that fails at run time on null (ordering, arithmetic, =~,
 * most function arguments): a value that may be null must be guarded. */
static void need_value(struct ck *c, const struct expr *e, const struct type *t)
{
	if (t && t->optional && t->kind != TYPE_NULL && t->kind != TYPE_ANY)
		deref(c, e, t, NULL);
}

/* --- names and fields --- */

static const char **field_names(struct ck *c, const struct type *t, size_t extra, size_t *n)
{
	size_t nf = t && t->kind == TYPE_OBJECT ? t->nfields : 0;
	const char **v = arena_alloc(c->a, (nf + extra + 1) * sizeof *v);
	for (size_t i = 0; i < nf; i++)
		v[i] = t->fields[i].name;
	*n = nf;
	return v;
}

static const struct type *check_root(struct ck *c, struct expr *e)
{
	for (struct local *l = c->locals; l; l = l->next)
		if (!strcmp(l->name, e->str))
			return l->type;
	const struct type *roots = c->s ? c->s->roots : NULL;
	if (!roots)
		return &type_any;
	const struct type *t = type_member(roots, e->str);
	if (t)
		return t->optional && guarded(c, e->str) ? non_optional(c, t) : t;
	size_t n, nl = 0;
	for (struct local *l = c->locals; l; l = l->next)
		nl++;
	const char **cands = field_names(c, roots, nl, &n);
	for (struct local *l = c->locals; l; l = l->next)
		cands[n++] = l->name;
	struct diag *g = c->s->what ? cerr(c, OP051, e, "unknown name '%s' in %s", e->str, c->s->what)
				    : cerr(c, OP051, e, "unknown name '%s'", e->str);
	const char *sug = diag_suggest(e->str, cands, n);
	if (sug) {
		diag_hint(g, "did you mean '%s'", sug);
	} else if (expr_func_lookup(e->str) >= 0) {
		diag_hint(g, "'%s' is a function: %s(...)", e->str, e->str);
	} else if (n) {
		struct strbuf b = {0};
		for (size_t i = 0; i < n && i < 12; i++)
			sb_printf(&b, "%s%s", i ? ", " : "", cands[i]);
		diag_hint(g, "names here: %s%s", b.s, n > 12 ? ", ..." : "");
		sb_release(&b);
	}
	return &type_any;
}

/* The one catalog action whose result has t's shape, or NULL when none or
 * several do (then the message names the step instead).  Compared by fields
 * because the scope may hand us an optional copy of the catalog's type. */
static const char *action_of_result(const struct type *t)
{
	size_t n;
	const struct action *all = catalog_all(&n);
	const char *found = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct type *r = all[i].result;
		if (r && r->kind == TYPE_OBJECT && r->fields == t->fields && r->nfields == t->nfields) {
			if (found)
				return NULL;
			found = all[i].name;
		}
	}
	return found;
}

/* How a message names the object a field is missing from. */
static void describe(struct ck *c, const struct expr *base, const struct type *t, struct strbuf *b)
{
	char *path = expr_path_string(c->a, base);
	size_t n = path ? strlen(path) : 0;
	const char *action = t->nfields ? action_of_result(t) : NULL;
	if (!action && t->name && strchr(t->name, '.') && !strchr(t->name, ' '))
		action = t->name;
	int is_result = path && !strcmp(path, "result");
	int is_step_result = path && n > 13 && !strncmp(path, "steps.", 6) &&
			     strchr(path + 6, '.') == path + n - 7 && !strcmp(path + n - 7, ".result");
	if ((is_result || is_step_result) && action)
		sb_printf(b, "the result of '%s'", action);
	else if (is_result)
		sb_puts(b, "the result of this step");
	else if (is_step_result)
		sb_printf(b, "the result of step '%.*s'", (int)(n - 13), path + 6);
	else if (t->name)
		sb_printf(b, "'%s'", t->name);
	else if (path)
		sb_printf(b, "'%s'", path);
	else
		sb_puts(b, "this object");
}

static const struct type *field_of(struct ck *c, struct expr *e, const struct expr *base,
				   const struct type *t, const char *name)
{
	if (is_any(t))
		return &type_any;
	if (t->kind == TYPE_LIST) {
		char *path = expr_path_string(c->a, base);
		struct diag *g = cerr(c, OP054, e, "'%s' is a list: it has no field '%s'",
				      path ? path : "this", name);
		diag_hint(g, "take '%s' of each element with [*]: %s[*].%s", name, path ? path : "list", name);
		return &type_any;
	}
	if (t->kind != TYPE_OBJECT) {
		cerr(c, OP054, e, "a %s has no field '%s'", tname(c, t), name);
		return &type_any;
	}
	const struct type *ft = type_member(t, name);
	if (ft)
		return ft;
	struct strbuf b = {0};
	describe(c, base, t, &b);
	struct loc L = expr_src_loc(e->src, e->raw_off ? e->raw_off : e->off, e->end);
	struct diag *g = cerr_at(c, OP052, &L, "unknown field '%s' in %s", name, b.s);
	sb_release(&b);
	size_t n;
	const char **cands = field_names(c, t, 0, &n);
	const char *sug = diag_suggest(name, cands, n);
	if (sug)
		diag_hint(g, "did you mean '%s'", sug);
	return &type_any;
}

static const struct type *narrow(struct ck *c, const struct expr *e, const struct type *t)
{
	if (!t->optional || t->kind == TYPE_NULL)
		return t;
	char *path = expr_path_string(c->a, e);
	return path && guarded(c, path) ? non_optional(c, t) : t;
}

static const struct type *check_field(struct ck *c, struct expr *e)
{
	const struct type *t = check(c, e->l);
	t = deref(c, e->l, t, e->str);
	return narrow(c, e, field_of(c, e, e->l, t, e->str));
}

static const struct type *check_index(struct ck *c, struct expr *e)
{
	const struct type *t = check(c, e->l), *ti = check(c, e->r);
	t = deref(c, e->l, t, NULL);
	if (is_any(t))
		return &type_any;
	if (t->kind == TYPE_LIST) {
		if (!is_any(ti) && !numeric(ti))
			cerr(c, OP054, e->r, "a list index must be a number, not a %s", tname(c, ti));
		return narrow(c, e, t->elem ? t->elem : &type_any);
	}
	if (t->kind == TYPE_OBJECT) {
		if (!is_any(ti) && ti->kind != TYPE_STRING) {
			cerr(c, OP054, e->r, "an object key must be a string, not a %s", tname(c, ti));
			return &type_any;
		}
		if (e->r->kind == E_STR)
			return field_of(c, e, e->l, t, e->r->str);
		return &type_any;   /* a computed key: known at run time only */
	}
	cerr(c, OP054, e->l, "a %s cannot be indexed", tname(c, t));
	return &type_any;
}

static const struct type *check_project(struct ck *c, struct expr *e)
{
	const struct type *t = check(c, e->l);
	t = deref(c, e->l, t, NULL);
	const struct type *el = &type_any;
	if (!is_any(t)) {
		if (t->kind != TYPE_LIST)
			cerr(c, OP054, e->l, "[*] needs a list, not a %s", tname(c, t));
		else if (t->elem)
			el = t->elem;
	}
	c->elem[c->nelem++] = el;
	const struct type *body = check(c, e->r);
	c->nelem--;
	return type_list_of(c->a, body);
}

/* --- operators --- */

static int orderable(const struct type *a, const struct type *b)
{
	if (is_any(a) || is_any(b))
		return 1;
	if (numeric(a) && numeric(b))
		return 1;
	if (a->kind == TYPE_STRING && b->kind == TYPE_STRING)
		return 1;
	return (is_version(a) && (is_version(b) || b->kind == TYPE_STRING)) ||
	       (is_version(b) && a->kind == TYPE_STRING);
}

static int comparable(const struct type *a, const struct type *b)
{
	if (is_any(a) || is_any(b) || a->kind == TYPE_NULL || b->kind == TYPE_NULL)
		return 1;
	if (orderable(a, b))
		return 1;
	if (is_version(a) || is_version(b))
		return 0;
	return a->kind == b->kind;
}

static void check_regex(struct ck *c, const struct expr *re)
{
	char msg[256];
	size_t off = 0;
	struct regexp *p = NULL;
	int rc = regexp_compile(&p, re->str, re->slen, msg, sizeof msg, &off);
	regexp_free(p);
	if (rc == 0)
		return;
	const char *raw = re->src->text + re->raw_off;
	size_t at = re->raw_off + expr_lex_raw_offset(raw, re->end - re->raw_off, off);
	if (at >= re->end)
		at = re->end - 1;   /* the closing quote: "missing )" and friends */
	struct loc L = expr_src_loc(re->src, at, at + 1);
	struct diag *g = cerr_at(c, OP056, &L, "invalid regular expression: %s", msg);
	diag_hint(g, "PCRE2 syntax; the error is at byte %zu of the pattern", off);
}

static const struct type *arith(struct ck *c, struct expr *e, const struct type *l,
				const struct type *r)
{
	static const char *const names[] = {[OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*",
					    [OP_DIV] = "/", [OP_MOD] = "%"};
	need_value(c, e->l, l);
	need_value(c, e->r, r);
	if (e->op == OP_ADD && !is_any(l) && !is_any(r)) {
		if (l->kind == TYPE_STRING && r->kind == TYPE_STRING)
			return &type_string;
		if (l->kind == TYPE_LIST && r->kind == TYPE_LIST)
			return l->elem == r->elem ? l : &type_any_list;
	}
	if (e->op == OP_ADD && (is_any(l) || is_any(r)) &&
	    (!is_any(l) ? l : r)->kind != TYPE_NUMBER && (!is_any(l) ? l : r)->kind != TYPE_DURATION)
		return &type_any;
	if ((!is_any(l) && !numeric(l)) || (!is_any(r) && !numeric(r))) {
		struct diag *g = cerr(c, OP054, e, "'%s' cannot combine a %s and a %s", names[e->op],
				      tname(c, l), tname(c, r));
		if (e->op == OP_ADD)
			diag_hint(g, "'+' adds numbers and joins two strings or two lists; convert with string(x) or number(x)");
		return &type_any;
	}
	int ld = !is_any(l) && l->kind == TYPE_DURATION, rd = !is_any(r) && r->kind == TYPE_DURATION;
	switch (e->op) {
	case OP_ADD:
	case OP_SUB:
		return ld || rd ? &type_duration : &type_number;
	case OP_MUL:
		return ld != rd ? &type_duration : &type_number;
	case OP_DIV:
		return ld && !rd ? &type_duration : &type_number;
	default:
		return ld ? &type_duration : &type_number;
	}
}

static const struct type *check_bin(struct ck *c, struct expr *e)
{
	/* P == null reads P only to test it, like has(P) */
	int null_test = (e->op == OP_EQ || e->op == OP_NE) && (e->l->kind == E_NULL || e->r->kind == E_NULL);
	c->in_has += null_test;
	const struct type *l = check(c, e->l);
	if (e->op == OP_AND || e->op == OP_OR) {
		struct guard *saved = c->guards;
		collect_guards(c, e->l, e->op == OP_AND);
		check(c, e->r);
		c->guards = saved;
		return &type_bool;
	}
	const struct type *r = check(c, e->r);
	c->in_has -= null_test;
	switch (e->op) {
	case OP_EQ:
	case OP_NE:
		if (!comparable(l, r)) {
			struct diag *g = cerr(c, OP055, e, "'%s' compares a %s with a %s",
					      e->op == OP_EQ ? "==" : "!=", tname(c, l), tname(c, r));
			diag_hint(g, "values of different types are never equal; convert with string(x) or number(x)");
		}
		return &type_bool;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE:
		need_value(c, e->l, l);
		need_value(c, e->r, r);
		if (!is_any(l) && !is_any(r) && (l->kind == TYPE_NULL || r->kind == TYPE_NULL)) {
			cerr(c, OP054, e, "null cannot be ordered");
		} else if (!orderable(l, r)) {
			struct diag *g = cerr(c, OP055, e, "cannot order a %s and a %s", tname(c, l), tname(c, r));
			if (is_version(l) || is_version(r))
				diag_hint(g, "compare a version with another version or a string: version(a) >= \"2.0.1\"");
			else if ((l->kind == TYPE_STRING && numeric(r)) || (r->kind == TYPE_STRING && numeric(l)))
				diag_hint(g, "convert one side: number(x) or string(x)");
			else
				diag_hint(g, "order compares two numbers, two strings or two versions");
		}
		return &type_bool;
	case OP_IN:
		if (is_any(r))
			return &type_bool;
		if (r->kind == TYPE_LIST) {
			if (r->elem && !comparable(l, r->elem))
				cerr(c, OP055, e, "'in' looks for a %s in a list of %s", tname(c, l),
				     tname(c, r->elem));
		} else if (r->kind == TYPE_STRING || (r->kind == TYPE_OBJECT && !is_version(r))) {
			if (!is_any(l) && l->kind != TYPE_STRING)
				cerr(c, OP054, e->l, "'in' a %s needs a string on the left, not a %s",
				     tname(c, r), tname(c, l));
		} else {
			cerr(c, OP054, e->r, "'in' needs a list, string or object on the right, not a %s",
			     tname(c, r));
		}
		return &type_bool;
	case OP_MATCH:
		need_value(c, e->l, l);
		need_value(c, e->r, r);
		if (!is_any(l) && l->kind != TYPE_STRING)
			cerr(c, OP054, e->l, "'=~' matches a string, not a %s", tname(c, l));
		if (!is_any(r) && r->kind != TYPE_STRING)
			cerr(c, OP054, e->r, "the right side of '=~' must be a string (a regex), not a %s",
			     tname(c, r));
		else if (e->r->kind == E_STR)
			check_regex(c, e->r);
		return &type_bool;
	default:
		return arith(c, e, l, r);
	}
}

/* --- calls --- */

static const struct type *check_lambda(struct ck *c, struct expr *lam, const struct type *param)
{
	struct local l = {lam->str, param, c->locals};
	c->locals = &l;
	const struct type *t = check(c, lam->r);
	c->locals = l.next;
	lam->type = t;
	return t;
}

static const char *ordinal(size_t i)
{
	static const char *const o[] = {"first", "second", "third", "fourth"};
	return i < 4 ? o[i] : "next";
}

static int want(struct ck *c, struct expr *call, size_t i, const struct type *t, int kinds_mask,
		const char *what)
{
	if (is_any(t) || (!is_version(t) && (kinds_mask & (1 << t->kind)))) {
		need_value(c, call->args[i], t);
		return 1;
	}
	cerr(c, OP054, call->args[i], "the %s argument of '%s' must be %s, not a %s", ordinal(i),
	     expr_funcs[call->fn].name, what, tname(c, t));
	return 0;
}

#define K(k) (1 << (k))

static const struct type *list_elem(const struct type *t)
{
	return !is_any(t) && t->kind == TYPE_LIST && t->elem ? t->elem : &type_any;
}

static const struct type *check_numbers(struct ck *c, struct expr *e, const struct type **at)
{
	if (e->nargs == 1) {
		if (want(c, e, 0, at[0], K(TYPE_LIST), "a list of numbers")) {
			const struct type *el = list_elem(at[0]);
			if (!is_any(el) && !numeric(el) && el->kind != TYPE_NULL)
				cerr(c, OP054, e->args[0], "'%s' needs a list of numbers, not a %s",
				     expr_funcs[e->fn].name, tname(c, at[0]));
		}
		return &type_number;
	}
	for (size_t i = 0; i < e->nargs; i++)
		want(c, e, i, at[i], K(TYPE_NUMBER) | K(TYPE_DURATION), "a number");
	return &type_number;
}

static int check_call_shape(struct ck *c, struct expr *e)
{
	if (e->fn < 0) {
		const char *names[F_COUNT_];
		for (int i = 0; i < F_COUNT_; i++)
			names[i] = expr_funcs[i].name;
		struct loc L = expr_src_loc(e->src, e->off, e->off + strlen(e->str));
		struct diag *g = cerr_at(c, OP053, &L, "unknown function '%s'", e->str);
		const char *sug = diag_suggest(e->str, names, F_COUNT_);
		if (sug)
			diag_hint(g, "did you mean '%s'", sug);
		return 0;
	}
	const struct expr_func_info *f = &expr_funcs[e->fn];
	if ((int)e->nargs < f->min_args || (f->max_args >= 0 && (int)e->nargs > f->max_args)) {
		if (f->min_args == f->max_args)
			cerr(c, OP058, e, "'%s' takes %d argument%s, not %zu", f->name, f->min_args,
			     f->min_args == 1 ? "" : "s", e->nargs);
		else if (f->max_args < 0)
			cerr(c, OP058, e, "'%s' takes at least %d argument%s, not %zu", f->name,
			     f->min_args, f->min_args == 1 ? "" : "s", e->nargs);
		else
			cerr(c, OP058, e, "'%s' takes %d to %d arguments, not %zu", f->name, f->min_args,
			     f->max_args, e->nargs);
		return 0;
	}
	for (size_t i = 0; i < e->nargs; i++) {
		int is_lam = e->args[i]->kind == E_LAMBDA;
		if (is_lam && (int)i != f->lambda_arg) {
			struct diag *g = cerr(c, OP059, e->args[i], "the %s argument of '%s' cannot be a lambda",
					      ordinal(i), f->name);
			diag_hint(g, "lambdas are arguments of all, any, filter, map and count");
			return 0;
		}
		if (!is_lam && (int)i == f->lambda_arg) {
			struct diag *g = cerr(c, OP059, e->args[i], "the %s argument of '%s' must be a lambda",
					      ordinal(i), f->name);
			diag_hint(g, "for example %s(xs, x => x.ok)", f->name);
			return 0;
		}
	}
	return 1;
}

static const struct type *check_call(struct ck *c, struct expr *e)
{
	if (!check_call_shape(c, e)) {
		for (size_t i = 0; i < e->nargs; i++)
			if (e->args[i]->kind != E_LAMBDA)
				check(c, e->args[i]);
		return &type_any;
	}
	const struct type *at[EXPR_MAX_ARGS];
	if (e->fn == F_HAS)
		c->in_has++;
	for (size_t i = 0; i < e->nargs; i++)
		at[i] = e->args[i]->kind == E_LAMBDA ? NULL : check(c, e->args[i]);
	if (e->fn == F_HAS)
		c->in_has--;
	const int S = K(TYPE_STRING), L = K(TYPE_LIST), O = K(TYPE_OBJECT);
	switch ((enum expr_func)e->fn) {
	case F_LEN:
		want(c, e, 0, at[0], S | L | O, "a string, list or object");
		return &type_number;
	case F_MAX:
	case F_MIN:
		return check_numbers(c, e, at);
	case F_SUM:
		return check_numbers(c, e, at);
	case F_HAS:
		return &type_bool;
	case F_LOWER:
	case F_UPPER:
		want(c, e, 0, at[0], S, "a string");
		return &type_string;
	case F_CONTAINS:
		if (want(c, e, 0, at[0], S | L, "a string or a list") && !is_any(at[0])) {
			if (at[0]->kind == TYPE_STRING)
				want(c, e, 1, at[1], S, "a string");
			else if (!comparable(list_elem(at[0]), at[1]))
				cerr(c, OP055, e->args[1], "'contains' looks for a %s in a %s",
				     tname(c, at[1]), tname(c, at[0]));
		}
		return &type_bool;
	case F_STARTSWITH:
	case F_ENDSWITH:
		want(c, e, 0, at[0], S, "a string");
		want(c, e, 1, at[1], S, "a string");
		return &type_bool;
	case F_VERSION:
		want(c, e, 0, at[0], S, "a string");
		return &expr_type_version;
	case F_ALL:
	case F_ANY:
	case F_FILTER:
	case F_MAP:
	case F_COUNT: {
		want(c, e, 0, at[0], L, "a list");
		const struct type *body = e->nargs > 1 ? check_lambda(c, e->args[1], list_elem(at[0])) : NULL;
		if (e->fn == F_FILTER)
			return is_any(at[0]) || at[0]->kind != TYPE_LIST ? &type_any_list : at[0];
		if (e->fn == F_MAP)
			return type_list_of(c->a, body);
		return e->fn == F_COUNT ? &type_number : &type_bool;
	}
	case F_FIRST:
	case F_LAST:
		want(c, e, 0, at[0], L, "a list");
		return list_elem(at[0]);
	case F_KEYS:
		want(c, e, 0, at[0], O, "an object");
		return &type_string_list;
	case F_STRING:
		return &type_string;
	case F_NUMBER:
		want(c, e, 0, at[0], S | K(TYPE_NUMBER) | K(TYPE_DURATION) | K(TYPE_BOOL),
		     "a string, number or boolean");
		return &type_number;
	case F_OPENED:
		want(c, e, 0, at[0], S, "a string (a bracket name)");
		return &type_bool;
	case F_COUNT_:
		break;
	}
	return &type_any;
}

static const struct type *list_type(struct ck *c, struct expr *e)
{
	const struct type *el = NULL;
	int mixed = 0;
	for (size_t i = 0; i < e->nargs; i++) {
		const struct type *t = check(c, e->args[i]);
		if (!el)
			el = t;
		else if (!(type_assignable(el, t) && type_assignable(t, el)))
			mixed = 1;
	}
	return el && !mixed ? type_list_of(c->a, el) : &type_any_list;
}

static const struct type *check(struct ck *c, struct expr *e)
{
	const struct type *t = &type_any;
	switch (e->kind) {
	case E_NUM: t = e->is_duration ? &type_duration : &type_number; break;
	case E_STR: t = &type_string; break;
	case E_BOOL: t = &type_bool; break;
	case E_NULL: t = &type_null; break;
	case E_LIST: t = list_type(c, e); break;
	case E_ROOT: t = check_root(c, e); break;
	case E_ELEM: t = c->nelem ? c->elem[c->nelem - 1] : &type_any; break;
	case E_FIELD: t = check_field(c, e); break;
	case E_INDEX: t = check_index(c, e); break;
	case E_PROJECT: t = check_project(c, e); break;
	case E_CALL: t = check_call(c, e); break;
	case E_LAMBDA: {
		struct diag *g = cerr(c, OP059, e, "a lambda is only allowed as a function argument");
		diag_hint(g, "lambdas are arguments of all, any, filter, map and count");
		break;
	}
	case E_NOT: check(c, e->l); t = &type_bool; break;
	case E_NEG:
		t = check(c, e->l);
		need_value(c, e->l, t);
		if (!is_any(t) && !numeric(t)) {
			cerr(c, OP054, e, "'-' negates a number, not a %s", tname(c, t));
			t = &type_any;
		}
		break;
	case E_BIN: t = check_bin(c, e); break;
	}
	if (!t)
		t = &type_any;
	e->type = t;
	return t;
}

const struct type *expr_check(struct arena *a, struct expr *e, const struct expr_scope *s,
			      struct diag_list *d)
{
	if (!e)
		return &type_any;
	struct ck c = {.a = a, .s = s, .d = d};
	size_t before = d->errors;
	const struct type *t = check(&c, e);
	return d->errors > before ? &type_any : t;
}
