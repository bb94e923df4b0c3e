/* expr_tmpl.c - strings with ${{ expr }} parts.
 *
 * A template is a list of literal and expression parts.  The scanner finds
 * the closing }} by skipping quoted strings, so '}}' inside a string literal
 * does not end an expression.  Each expression is parsed with expr_parse at
 * its own place in the file, so its errors carry the right column. */
#include "expr_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

struct tmpl_part {
	const char *lit;         /* literal text (arena), or NULL for an expression */
	size_t len;
	struct expr *e;
};

struct tmpl {
	struct tmpl_part *parts;
	size_t n;
	int whole;               /* exactly one ${{ }} and nothing else: the value itself */
};

/* The offset just past the }} closing the expression that starts at i, or 0;
 * *quote is set when an unterminated string literal swallowed the rest. */
static size_t find_close(const char *s, size_t len, size_t i, size_t *quote)
{
	while (i + 1 < len) {
		if (s[i] == '\'' || s[i] == '"') {
			size_t j = expr_lex_skip_string(s, len, i);
			if (!j) {
				*quote = i;
				return 0;
			}
			i = j;
		} else if (s[i] == '}' && s[i + 1] == '}') {
			return i + 2;
		} else {
			i++;
		}
	}
	return 0;
}

static void add_part(struct arena *a, struct tmpl *t, size_t *cap, struct tmpl_part p)
{
	if (t->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct tmpl_part *np = arena_alloc(a, nc * sizeof *np);
		if (t->n)
			memcpy(np, t->parts, t->n * sizeof *np);
		t->parts = np;
		*cap = nc;
	}
	t->parts[t->n++] = p;
}

struct tmpl *tmpl_parse(struct arena *a, const char *text, size_t len, const struct loc *base,
			struct diag_list *d)
{
	struct expr_src src = {.text = text ? text : "", .len = text ? len : 0};
	if (base)
		src.base = *base;
	if (!src.base.line)
		src.base.line = 1;
	if (!src.base.col)
		src.base.col = 1;
	if (src.len > EXPR_MAX_LEN) {
		diag_add(d, OP060, &src.base, "template longer than %d bytes", EXPR_MAX_LEN);
		return NULL;
	}
	struct tmpl *t = arena_alloc(a, sizeof *t);
	size_t cap = 0, i = 0;
	int failed = 0;
	const char *s = src.text;
	while (i < src.len) {
		size_t j = i;
		while (j + 2 < src.len && !(s[j] == '$' && s[j + 1] == '{' && s[j + 2] == '{'))
			j++;
		if (j + 2 >= src.len) {
			add_part(a, t, &cap, (struct tmpl_part){arena_strndup(a, s + i, src.len - i), src.len - i, NULL});
			break;
		}
		if (j > i)
			add_part(a, t, &cap, (struct tmpl_part){arena_strndup(a, s + i, j - i), j - i, NULL});
		size_t quote = SIZE_MAX, close = find_close(s, src.len, j + 3, &quote);
		if (!close && quote != SIZE_MAX) {
			struct loc L = expr_src_loc(&src, quote, quote + 1);
			diag_add(d, OP050, &L, "unterminated string in '${{ }}'");
			failed = 1;
			break;
		}
		if (!close) {
			struct loc L = expr_src_loc(&src, j, j + 3);
			struct diag *g = diag_add(d, OP050, &L, "unterminated '${{' in a template");
			diag_hint(g, "close the expression with '}}'");
			failed = 1;
			break;
		}
		size_t from = j + 3, to = close - 2, k = from;
		while (k < to && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r'))
			k++;
		if (k == to) {
			struct loc L = expr_src_loc(&src, j, close);
			diag_add(d, OP050, &L, "empty '${{ }}' in a template");
			failed = 1;
		} else {
			struct loc L = expr_src_loc(&src, from, from);
			struct expr *e = expr_parse(a, s + from, to - from, &L, d);
			if (!e)
				failed = 1;
			add_part(a, t, &cap, (struct tmpl_part){NULL, 0, e});
		}
		t->whole = j == 0 && close == src.len && t->n == 1;
		i = close;
	}
	if (t->n != 1 || t->parts[0].lit)
		t->whole = 0;
	return failed ? NULL : t;
}

int tmpl_is_literal(const struct tmpl *t)
{
	if (!t)
		return 1;
	for (size_t i = 0; i < t->n; i++)
		if (!t->parts[i].lit)
			return 0;
	return 1;
}

const struct type *tmpl_check(struct arena *a, struct tmpl *t, const struct expr_scope *s,
			      struct diag_list *d)
{
	if (!t)
		return &type_any;
	const struct type *last = &type_string;
	for (size_t i = 0; i < t->n; i++)
		if (t->parts[i].e)
			last = expr_check(a, t->parts[i].e, s, d);
	return t->whole ? last : &type_string;
}

int tmpl_eval(const struct tmpl *t, json_t *env, json_t **out, char **err)
{
	*out = NULL;
	if (err)
		*err = NULL;
	if (!t) {
		if (err)
			*err = xstrdup("no template to evaluate");
		return -1;
	}
	if (t->whole)
		return expr_eval(t->parts[0].e, env, out, err);
	struct strbuf b = {0};
	for (size_t i = 0; i < t->n; i++) {
		if (t->parts[i].lit) {
			sb_add(&b, t->parts[i].lit, t->parts[i].len);
			continue;
		}
		json_t *v;
		if (expr_eval(t->parts[i].e, env, &v, err) < 0) {
			sb_release(&b);
			return -1;
		}
		char *s = expr_format(v);
		sb_puts(&b, s);
		free(s);
		json_decref(v);
	}
	*out = json_stringn(b.s ? b.s : "", b.len);
	sb_release(&b);
	if (!*out) {
		if (err)
			*err = xstrdup("the template's text is not valid UTF-8");
		return -1;
	}
	return 0;
}

void tmpl_foreach_expr(const struct tmpl *t, void (*fn)(const struct expr *e, void *ctx), void *ctx)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		if (t->parts[i].e)
			fn(t->parts[i].e, ctx);
}
