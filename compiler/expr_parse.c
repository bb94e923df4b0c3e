/* expr_parse.c - recursive descent from text to AST (grammar in expr.h).
 *
 * The first syntax error ends the parse of one expression: later errors in
 * the same text are mostly echoes of the first.  Each grammar function opens
 * with its rule (Lua's lparser.c). */
#include "expr_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

const struct expr_func_info expr_funcs[F_COUNT_] = {
#define X(id, name, lo, hi, lam) [id] = {name, lo, hi, lam},
	EXPR_FUNCS(X)
#undef X
};

int expr_func_lookup(const char *name)
{
	for (int i = 0; i < F_COUNT_; i++)
		if (!strcmp(expr_funcs[i].name, name))
			return i;
	return -1;
}

struct parser {
	struct arena *a;
	struct expr_lexer lx;
	struct expr_tok cur;
	struct expr_src *src;
	struct diag_list *d;
	int failed;
	int nest;                /* recursion of the parse functions themselves */
};

static void perr_code(struct parser *p, enum diag_code code, size_t off, size_t end,
		      const char *hint, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void perr_code(struct parser *p, enum diag_code code, size_t off, size_t end,
		      const char *hint, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = 1;
	if (end <= off)
		end = off + 1 <= p->src->len ? off + 1 : off;
	struct loc L = expr_src_loc(p->src, off, end);
	va_list ap;
	va_start(ap, fmt);
	struct diag *g = diag_addv(p->d, code, &L, fmt, ap);
	va_end(ap);
	if (hint && g)
		diag_hint(g, "%s", hint);
}

#define perr(p, off, end, ...) perr_code((p), OP050, (off), (end), NULL, __VA_ARGS__)

static void advance(struct parser *p)
{
	expr_lex(&p->lx, &p->cur, 0);
	if (p->cur.kind == T_ERR)
		perr(p, p->cur.err_off, p->cur.err_off + 1, "%s", p->cur.err);
}

/* Lex the current token again, allowing dashes in a name (after `steps.`). */
static void relex_dashed(struct parser *p)
{
	p->lx.pos = p->cur.off;
	expr_lex(&p->lx, &p->cur, 1);
}

static int is_name(const struct parser *p, const char *s)
{
	return p->cur.kind == T_NAME && !strcmp(p->cur.str, s);
}

static void unexpected(struct parser *p, const char *wanted)
{
	if (p->cur.kind == T_ERR)
		return;   /* already reported by advance */
	if (p->cur.kind == T_EOF)
		perr(p, p->cur.off, p->cur.off, "expected %s, found the end of the expression", wanted);
	else
		perr(p, p->cur.off, p->cur.end, "expected %s, found %s '%.*s'", wanted,
		     p->cur.kind == T_NAME || p->cur.kind == T_NUM || p->cur.kind == T_STR ||
		     p->cur.kind == T_DUR ? expr_tok_name(p->cur.kind) : "token",
		     (int)(p->cur.end - p->cur.off), p->src->text + p->cur.off);
}

static int expect(struct parser *p, enum expr_tok_kind k, const char *wanted)
{
	if (p->cur.kind != k) {
		unexpected(p, wanted);
		return 0;
	}
	advance(p);
	return 1;
}

static int height(const struct expr *e)
{
	return e ? e->depth : 0;
}

static void fix_depth(struct parser *p, struct expr *e)
{
	int h = height(e->l) > height(e->r) ? height(e->l) : height(e->r);
	for (size_t i = 0; i < e->nargs; i++)
		if (height(e->args[i]) > h)
			h = height(e->args[i]);
	e->depth = h + 1;
	if (e->depth > EXPR_MAX_DEPTH)
		perr_code(p, OP060, e->off, e->end, "split it into steps or simpler conditions",
			  "expression nested too deeply (more than %d levels)", EXPR_MAX_DEPTH);
}

static struct expr *node(struct parser *p, enum expr_kind k, size_t off, size_t end,
			 struct expr *l, struct expr *r)
{
	struct expr *e = arena_alloc(p->a, sizeof *e);
	e->kind = k;
	e->fn = -1;
	e->off = (uint32_t)off;
	e->end = (uint32_t)end;
	e->src = p->src;
	e->l = l;
	e->r = r;
	fix_depth(p, e);
	return e;
}

static struct expr *parse_expr(struct parser *p);

/* args := (arg (',' arg)*)? ; arg := NAME '=>' expr | expr.  items of a list
 * use the same loop without lambdas. */
static int parse_items(struct parser *p, struct expr *e, enum expr_tok_kind close, int lambdas)
{
	struct expr *items[EXPR_MAX_ARGS];
	size_t n = 0;
	while (p->cur.kind != close && !p->failed) {
		if (n == EXPR_MAX_ARGS) {
			perr_code(p, OP060, p->cur.off, p->cur.end, NULL,
				  "more than %d items or arguments", EXPR_MAX_ARGS);
			return 0;
		}
		struct expr *it = NULL;
		if (lambdas && p->cur.kind == T_NAME) {
			struct expr_lexer save = p->lx;
			struct expr_tok t2;
			expr_lex(&p->lx, &t2, 0);
			p->lx = save;
			if (t2.kind == T_ARROW) {
				size_t off = p->cur.off;
				const char *name = p->cur.str;
				advance(p);
				advance(p);
				struct expr *body = parse_expr(p);
				if (!body)
					return 0;
				it = node(p, E_LAMBDA, off, body->end, NULL, body);
				it->str = name;
				it->slen = strlen(name);
			}
		}
		if (!it)
			it = parse_expr(p);
		if (!it)
			return 0;
		items[n++] = it;
		if (p->cur.kind != T_COMMA)
			break;
		advance(p);
	}
	if (p->failed)
		return 0;
	if (p->cur.kind != close) {
		unexpected(p, close == T_RPAREN ? "',' or ')'" : "',' or ']'");
		return 0;
	}
	e->nargs = n;
	e->args = arena_alloc(p->a, (n ? n : 1) * sizeof *e->args);
	memcpy(e->args, items, n * sizeof *items);
	e->end = (uint32_t)p->cur.end;
	advance(p);
	fix_depth(p, e);
	return !p->failed;
}

/* primary := NUMBER | DURATION | STRING | true | false | null | '[' list ']'
 *          | NAME '(' args ')' | NAME | '(' expr ')' */
static struct expr *parse_primary(struct parser *p)
{
	struct expr_tok t = p->cur;
	struct expr *e;
	switch (t.kind) {
	case T_NUM:
	case T_DUR:
		e = node(p, E_NUM, t.off, t.end, NULL, NULL);
		e->num = t.num;
		e->is_duration = t.kind == T_DUR;
		advance(p);
		return e;
	case T_STR:
		e = node(p, E_STR, t.off, t.end, NULL, NULL);
		e->str = t.str;
		e->slen = t.slen;
		e->raw_off = (uint32_t)t.off;
		advance(p);
		return e;
	case T_LBRACK:
		e = node(p, E_LIST, t.off, t.end, NULL, NULL);
		advance(p);
		return parse_items(p, e, T_RBRACK, 0) ? e : NULL;
	case T_LPAREN:
		advance(p);
		e = parse_expr(p);
		if (!e || !expect(p, T_RPAREN, "')'"))
			return NULL;
		return e;
	case T_NAME:
		break;
	default:
		unexpected(p, "an expression");
		return NULL;
	}
	if (!strcmp(t.str, "true") || !strcmp(t.str, "false")) {
		e = node(p, E_BOOL, t.off, t.end, NULL, NULL);
		e->num = t.str[0] == 't';
	} else if (!strcmp(t.str, "null")) {
		e = node(p, E_NULL, t.off, t.end, NULL, NULL);
	} else if (!strcmp(t.str, "in")) {
		unexpected(p, "an expression");
		return NULL;
	} else {
		e = node(p, E_ROOT, t.off, t.end, NULL, NULL);
		e->str = t.str;
		e->slen = t.slen;
	}
	advance(p);
	if (e->kind == E_ROOT && p->cur.kind == T_LPAREN) {
		e->kind = E_CALL;
		e->fn = expr_func_lookup(e->str);
		advance(p);
		return parse_items(p, e, T_RPAREN, 1) ? e : NULL;
	}
	return e;
}

/* The node a postfix operator applies to: the innermost projection's body
 * while projecting, else the expression so far. */
struct postfix {
	struct expr *top;
	struct expr *proj[EXPR_MAX_DEPTH];
	int nproj;
};

static struct expr *pf_target(struct postfix *pf)
{
	return pf->nproj ? pf->proj[pf->nproj - 1]->r : pf->top;
}

static void pf_set(struct parser *p, struct postfix *pf, struct expr *e)
{
	if (!pf->nproj) {
		pf->top = e;
		return;
	}
	pf->proj[pf->nproj - 1]->r = e;
	for (int i = pf->nproj - 1; i >= 0; i--) {
		pf->proj[i]->end = e->end;
		fix_depth(p, pf->proj[i]);
	}
}

/* postfix := primary ('.' NAME | '[' expr ']' | '[*]')* */
static struct expr *parse_postfix(struct parser *p)
{
	struct postfix pf = {.top = parse_primary(p)};
	if (!pf.top)
		return NULL;
	size_t start = pf.top->off;
	while (!p->failed) {
		struct expr *base = pf_target(&pf);
		if (p->cur.kind == T_DOT) {
			int dashed = base->kind == E_ROOT && !strcmp(base->str, "steps");
			advance(p);
			if (p->cur.kind == T_ERR)
				return NULL;
			if (dashed && p->cur.kind == T_NAME)
				relex_dashed(p);
			if (p->cur.kind != T_NAME) {
				if (p->cur.kind == T_NUM)
					perr_code(p, OP050, p->cur.off, p->cur.end, "index a list with [n]: a[0]",
						  "expected a field name after '.'");
				else
					unexpected(p, "a field name after '.'");
				return NULL;
			}
			struct expr *f = node(p, E_FIELD, start, p->cur.end, base, NULL);
			f->str = p->cur.str;
			f->slen = p->cur.slen;
			f->raw_off = (uint32_t)p->cur.off;
			advance(p);
			pf_set(p, &pf, f);
		} else if (p->cur.kind == T_LBRACK) {
			size_t lb = p->cur.off;
			advance(p);
			if (p->cur.kind == T_STAR) {
				advance(p);
				size_t end = p->cur.end;
				if (!expect(p, T_RBRACK, "']' after '[*'"))
					return NULL;
				if (pf.nproj == EXPR_MAX_DEPTH) {
					perr_code(p, OP060, lb, end, NULL, "too many [*]");
					return NULL;
				}
				struct expr *el = node(p, E_ELEM, lb, end, NULL, NULL);
				struct expr *pr = node(p, E_PROJECT, start, end, base, el);
				pf_set(p, &pf, pr);
				pf.proj[pf.nproj++] = pr;
				continue;
			}
			struct expr *ix = parse_expr(p);
			if (!ix)
				return NULL;
			size_t end = p->cur.end;
			if (!expect(p, T_RBRACK, "']'"))
				return NULL;
			pf_set(p, &pf, node(p, E_INDEX, start, end, base, ix));
		} else if (p->cur.kind == T_LPAREN) {
			perr_code(p, OP050, p->cur.off, p->cur.end, "call functions by name: len(x), has(x)",
				  "only built-in functions can be called");
			return NULL;
		} else {
			break;
		}
	}
	return p->failed ? NULL : pf.top;
}

static int enter(struct parser *p)
{
	if (++p->nest > EXPR_MAX_DEPTH) {
		perr_code(p, OP060, p->cur.off, p->cur.end, NULL,
			  "expression nested too deeply (more than %d levels)", EXPR_MAX_DEPTH);
		return 0;
	}
	return 1;
}

/* unary := '-' unary | postfix */
static struct expr *parse_unary(struct parser *p)
{
	if (p->cur.kind != T_MINUS)
		return parse_postfix(p);
	size_t off = p->cur.off;
	advance(p);
	struct expr *e = enter(p) ? parse_unary(p) : NULL;
	p->nest--;
	return e ? node(p, E_NEG, off, e->end, e, NULL) : NULL;
}

static struct expr *binary(struct parser *p, enum expr_op op, struct expr *l, struct expr *r)
{
	struct expr *e = node(p, E_BIN, l->off, r->end, l, r);
	e->op = op;
	return e;
}

/* mul := unary (('*'|'/'|'%') unary)* */
static struct expr *parse_mul(struct parser *p)
{
	struct expr *e = parse_unary(p);
	while (e && !p->failed) {
		enum expr_op op;
		switch (p->cur.kind) {
		case T_STAR: op = OP_MUL; break;
		case T_SLASH: op = OP_DIV; break;
		case T_PERCENT: op = OP_MOD; break;
		default: return e;
		}
		advance(p);
		struct expr *r = parse_unary(p);
		e = r ? binary(p, op, e, r) : NULL;
	}
	return p->failed ? NULL : e;
}

/* add := mul (('+'|'-') mul)* */
static struct expr *parse_add(struct parser *p)
{
	struct expr *e = parse_mul(p);
	while (e && !p->failed && (p->cur.kind == T_PLUS || p->cur.kind == T_MINUS)) {
		enum expr_op op = p->cur.kind == T_PLUS ? OP_ADD : OP_SUB;
		advance(p);
		struct expr *r = parse_mul(p);
		e = r ? binary(p, op, e, r) : NULL;
	}
	return p->failed ? NULL : e;
}

static int cmp_op(const struct parser *p, enum expr_op *op)
{
	switch (p->cur.kind) {
	case T_EQ: *op = OP_EQ; return 1;
	case T_NE: *op = OP_NE; return 1;
	case T_LT: *op = OP_LT; return 1;
	case T_LE: *op = OP_LE; return 1;
	case T_GT: *op = OP_GT; return 1;
	case T_GE: *op = OP_GE; return 1;
	case T_MATCH: *op = OP_MATCH; return 1;
	default: break;
	}
	if (is_name(p, "in")) {
		*op = OP_IN;
		return 1;
	}
	return 0;
}

/* cmp := add (('=='|'!='|'<'|'<='|'>'|'>='|'in'|'=~') add)? */
static struct expr *parse_cmp(struct parser *p)
{
	struct expr *e = parse_add(p);
	enum expr_op op;
	if (!e || p->failed || !cmp_op(p, &op))
		return e;
	advance(p);
	struct expr *r = parse_add(p);
	if (!r)
		return NULL;
	e = binary(p, op, e, r);
	if (cmp_op(p, &op)) {
		perr_code(p, OP050, p->cur.off, p->cur.end, "write a < b && b < c",
			  "comparisons do not chain");
		return NULL;
	}
	return p->failed ? NULL : e;
}

/* not := '!' not | cmp */
static struct expr *parse_not(struct parser *p)
{
	if (p->cur.kind != T_NOT)
		return parse_cmp(p);
	size_t off = p->cur.off;
	advance(p);
	struct expr *e = enter(p) ? parse_not(p) : NULL;
	p->nest--;
	return e ? node(p, E_NOT, off, e->end, e, NULL) : NULL;
}

/* and := not ('&&' not)* */
static struct expr *parse_and(struct parser *p)
{
	struct expr *e = parse_not(p);
	while (e && !p->failed && p->cur.kind == T_AND) {
		advance(p);
		struct expr *r = parse_not(p);
		e = r ? binary(p, OP_AND, e, r) : NULL;
	}
	return p->failed ? NULL : e;
}

/* expr := or ; or := and ('||' and)* */
static struct expr *parse_expr(struct parser *p)
{
	if (!enter(p)) {
		p->nest--;
		return NULL;
	}
	struct expr *e = parse_and(p);
	while (e && !p->failed && p->cur.kind == T_OR) {
		advance(p);
		struct expr *r = parse_and(p);
		e = r ? binary(p, OP_OR, e, r) : NULL;
	}
	p->nest--;
	return p->failed ? NULL : e;
}

struct expr *expr_parse(struct arena *a, const char *text, size_t len,
			const struct loc *base, struct diag_list *d)
{
	struct parser p = {.a = a, .d = d};
	struct expr_src *src = arena_alloc(a, sizeof *src);
	if (base)
		src->base = *base;
	if (!src->base.line)
		src->base.line = 1;
	if (!src->base.col)
		src->base.col = 1;
	if (len > EXPR_MAX_LEN) {
		src->text = "";
		p.src = src;
		struct loc L = src->base;
		diag_add(d, OP060, &L, "expression longer than %d bytes", EXPR_MAX_LEN);
		return NULL;
	}
	src->text = arena_strndup(a, text ? text : "", text ? len : 0);
	src->len = text ? len : 0;
	if (memchr(src->text, '\0', src->len))
		src->len = strlen(src->text);   /* stop at an embedded NUL */
	p.src = src;
	p.lx = (struct expr_lexer){.a = a, .text = src->text, .len = src->len};
	advance(&p);
	if (p.cur.kind == T_EOF) {
		perr(&p, 0, 0, "empty expression");
		return NULL;
	}
	struct expr *e = parse_expr(&p);
	if (e && !p.failed && p.cur.kind != T_EOF) {
		if (p.cur.kind == T_ARROW)
			perr_code(&p, OP059, p.cur.off, p.cur.end,
				  "lambdas are arguments of all, any, filter, map, count: all(xs, x => x > 0)",
				  "a lambda is only allowed as a function argument");
		else
			unexpected(&p, "an operator or the end of the expression");
	}
	return p.failed ? NULL : e;
}

char *expr_path_string(struct arena *a, const struct expr *e)
{
	struct strbuf b = {0};
	const struct expr *chain[EXPR_MAX_DEPTH + 1];
	int n = 0;
	while (e && n <= EXPR_MAX_DEPTH) {
		chain[n++] = e;
		if (e->kind == E_ROOT)
			break;
		if (e->kind != E_FIELD && !(e->kind == E_INDEX && e->r->kind == E_NUM))
			return NULL;
		e = e->l;
	}
	if (!e || e->kind != E_ROOT)
		return NULL;
	for (int i = n - 1; i >= 0; i--) {
		if (chain[i]->kind == E_ROOT)
			sb_puts(&b, chain[i]->str);
		else if (chain[i]->kind == E_FIELD)
			sb_printf(&b, ".%s", chain[i]->str);
		else
			sb_printf(&b, "[%.0f]", chain[i]->r->num);
	}
	char *s = arena_strdup(a, b.s ? b.s : "");
	sb_release(&b);
	return s;
}

static void step_refs(const struct expr *e, void (*fn)(const char *, const struct loc *, void *),
		      void *ctx)
{
	if (!e)
		return;
	if (e->kind == E_FIELD && e->l && e->l->kind == E_ROOT && !strcmp(e->l->str, "steps")) {
		struct loc L = expr_loc(e);
		fn(e->str, &L, ctx);
	}
	step_refs(e->l, fn, ctx);
	step_refs(e->r, fn, ctx);
	for (size_t i = 0; i < e->nargs; i++)
		step_refs(e->args[i], fn, ctx);
}

void expr_step_refs(const struct expr *e, void (*fn)(const char *id, const struct loc *at, void *ctx),
		    void *ctx)
{
	step_refs(e, fn, ctx);
}

/* Whether root appears other than as `root.NAME` (len(steps), steps["x"]). */
static int root_whole(const struct expr *e, const char *root, int depth)
{
	if (!e || depth > EXPR_MAX_DEPTH + 8)
		return e != NULL;
	if (e->kind == E_ROOT && e->str && !strcmp(e->str, root))
		return 1;
	if (e->kind == E_FIELD && e->l && e->l->kind == E_ROOT && e->l->str && !strcmp(e->l->str, root))
		return 0;
	if (root_whole(e->l, root, depth + 1) || root_whole(e->r, root, depth + 1))
		return 1;
	for (size_t i = 0; i < e->nargs; i++)
		if (root_whole(e->args[i], root, depth + 1))
			return 1;
	return 0;
}

int expr_reads_root_whole(const struct expr *e, const char *root)
{
	return root_whole(e, root, 0);
}
