/* ir_emit.c - the IR document (docs/ir.md).  Objects are built in the
 * order the document lists their members (jansson keeps insertion order),
 * dumped with a fixed indent; nothing depends on time, addresses or the
 * environment, so the same input gives the same bytes. */
#include "ir.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "graph.h"
#include "mem.h"
#include "plan.h"
#include "plan_scope.h"
#include "yaml_load.h"

/* A JSON writer straight into a buffer: building a jansson tree only to
 * print it cost more than the whole compile (make bench).  The layout is
 * jansson's JSON_INDENT(2): one member or item per line, "key": value,
 * empty containers as {} and []. */
struct jw {
	struct strbuf b;
	int depth;
	int first;
};

/* sb_add and sb_putc with the common case inline: appending was a quarter
 * of the emitting time.  Unlike them these leave the text unterminated;
 * ir_emit ends it once, when the document is done. */
static inline void buf_add(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
		XGROW(b->s, b->cap, b->len + n + 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
}

static inline void buf_putc(struct strbuf *b, char c)
{
	if (b->len + 2 > b->cap)
		XGROW(b->s, b->cap, b->len + 2);
	b->s[b->len++] = c;
}

/* A newline and the indent of the current depth, in one reservation. */
static void jw_nl(struct jw *w)
{
	struct strbuf *b = &w->b;
	size_t n = (size_t)w->depth * 2;
	if (b->len + n + 2 > b->cap)
		XGROW(b->s, b->cap, b->len + n + 2);
	b->s[b->len] = '\n';
	memset(b->s + b->len + 1, ' ', n);
	b->len += n + 1;
}

static void jw_sep(struct jw *w)
{
	if (!w->first)
		buf_putc(&w->b, ',');
	jw_nl(w);
	w->first = 0;
}

static void jw_strn(struct jw *w, const char *s, size_t n)
{
	struct strbuf *b = &w->b;
	buf_putc(b, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': buf_add(b, "\\\"", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		default: sb_printf(b, "\\u%04x", c); break;
		}
	}
	buf_add(b, s + run, n - run);
	buf_putc(b, '"');
}

static void jw_str(struct jw *w, const char *s)
{
	if (s)
		jw_strn(w, s, strlen(s));
	else
		buf_add(&w->b, "null", 4);
}

static void jw_key(struct jw *w, const char *k)
{
	jw_sep(w);
	jw_str(w, k);
	buf_add(&w->b, ": ", 2);
}

/* A member name known when compiling opsplan, quoted with its colon by the
 * preprocessor: no strlen, no escaping (names are plain ASCII). */
#define QNAME(k) "\"" k "\": ", sizeof "\"" k "\": " - 1
static void jw_qname(struct jw *w, const char *q, size_t n)
{
	jw_sep(w);
	buf_add(&w->b, q, n);
}
#define jw_name(w, k) jw_qname((w), QNAME(k))

static void jw_open(struct jw *w, char c)
{
	buf_putc(&w->b, c);
	w->depth++;
	w->first = 1;
}

static void jw_close(struct jw *w, char c)
{
	w->depth--;
	if (!w->first)
		jw_nl(w);
	buf_putc(&w->b, c);
	w->first = 0;
}

/* Integers by hand: printf was a third of the emitting time. */
static void put_uint(struct strbuf *b, unsigned long long v)
{
	char buf[24];
	size_t i = sizeof buf;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_add(b, buf + i, sizeof buf - i);
}

static void jw_int(struct jw *w, long long v)
{
	if (v < 0) {
		buf_putc(&w->b, '-');
		put_uint(&w->b, 0ULL - (unsigned long long)v);
	} else {
		put_uint(&w->b, (unsigned long long)v);
	}
}

static void jw_real(struct jw *w, double v)
{
	if (v == floor(v) && fabs(v) < 1e15) {
		jw_int(w, (long long)v);
		buf_add(&w->b, ".0", 2);
		return;
	}
	char buf[40];
	snprintf(buf, sizeof buf, "%.15g", v);
	sb_puts(&w->b, buf);
	if (!strpbrk(buf, ".eEni"))
		buf_add(&w->b, ".0", 2);
}

static void jw_num(struct jw *w, double x)
{
	if (x == floor(x) && fabs(x) < 9007199254740992.0)
		jw_int(w, (long long)x);
	else
		jw_real(w, x);
}

static void jw_null(struct jw *w)
{
	buf_add(&w->b, "null", 4);
}

static void jw_bool(struct jw *w, int v)
{
	if (v)
		buf_add(&w->b, "true", 4);
	else
		buf_add(&w->b, "false", 5);
}

/* A jansson value (the resolved params). */
static void jw_json(struct jw *w, const json_t *v)
{
	const char *k;
	size_t i;
	json_t *x;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jw_open(w, '{');
		json_object_foreach((json_t *)v, k, x) {
			jw_key(w, k);
			jw_json(w, x);
		}
		jw_close(w, '}');
		break;
	case JSON_ARRAY:
		jw_open(w, '[');
		json_array_foreach(v, i, x) {
			jw_sep(w);
			jw_json(w, x);
		}
		jw_close(w, ']');
		break;
	case JSON_STRING: jw_strn(w, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER: jw_int(w, (long long)json_integer_value(v)); break;
	case JSON_REAL: jw_real(w, json_real_value(v)); break;
	case JSON_TRUE: jw_bool(w, 1); break;
	case JSON_FALSE: jw_bool(w, 0); break;
	default: jw_null(w); break;
	}
}

/* A YAML value, plain scalars by the core schema (as ir_json_of_ynode). */
static void jw_ynode(struct jw *w, const struct ynode *n, int depth)
{
	if (!n || depth > YAML_LOAD_MAX_DEPTH) {
		jw_null(w);
		return;
	}
	if (n->kind == YNODE_SEQ) {
		jw_open(w, '[');
		for (size_t i = 0; i < n->nitems; i++) {
			jw_sep(w);
			jw_ynode(w, n->items[i], depth + 1);
		}
		jw_close(w, ']');
		return;
	}
	if (n->kind == YNODE_MAP) {
		jw_open(w, '{');
		for (size_t i = 0; i < n->npairs; i++) {
			jw_key(w, n->pairs[i].key->str);
			jw_ynode(w, n->pairs[i].value, depth + 1);
		}
		jw_close(w, '}');
		return;
	}
	if (n->style == YSTYLE_PLAIN && !n->tag) {
		int b;
		double x;
		if (ynode_is_null(n)) {
			jw_null(w);
			return;
		}
		if (ynode_bool(n, &b) == 0) {
			jw_bool(w, b);
			return;
		}
		if (ynode_number(n, &x) == 0 && isfinite(x)) {
			jw_num(w, x);
			return;
		}
	}
	jw_strn(w, n->str, n->len);
}

struct emitter {
	const struct graph *g;
	const char *file;
	struct jw w;
	/* brackets open at this point of the normal path, in emit order (which
	 * is run order): a resumed run re-opens them before going on */
	const char *open[16];
	size_t nopen;
	/* "FILE: quoted and escaped once: every node's src starts with it, and
	 * escaping the path again for each was most of the string work */
	struct strbuf qfile;
};

static void src_of(struct emitter *E, const struct loc *l)
{
	struct strbuf *b = &E->w.b;
	buf_add(b, E->qfile.s, E->qfile.len);
	put_uint(b, l->line);
	buf_putc(b, ':');
	put_uint(b, l->col);
	buf_putc(b, '"');
}

/* key_src(E, "name", ...) and the like: a member with a literal name. */
static void key_src_(struct emitter *E, const char *q, size_t n, const struct loc *l)
{
	jw_qname(&E->w, q, n);
	src_of(E, l);
}

static void key_str_(struct emitter *E, const char *q, size_t n, const char *v)
{
	jw_qname(&E->w, q, n);
	jw_str(&E->w, v);
}

static void key_int_(struct emitter *E, const char *q, size_t n, long long v)
{
	jw_qname(&E->w, q, n);
	jw_int(&E->w, v);
}
#define key_src(E, k, l) key_src_((E), QNAME(k), (l))
#define key_str(E, k, v) key_str_((E), QNAME(k), (v))
#define key_int(E, k, v) key_int_((E), QNAME(k), (v))

static void expr_of(struct emitter *E, const struct plan_expr *e)
{
	if (!e || !e->text) {
		jw_null(&E->w);
		return;
	}
	jw_open(&E->w, '{');
	jw_name(&E->w, "text");
	jw_strn(&E->w, e->text, e->len);
	key_src(E, "src", &e->base);
	jw_close(&E->w, '}');
}

static void tmpl_of(struct emitter *E, const struct ynode *n)
{
	if (!n || n->kind != YNODE_SCALAR) {
		jw_null(&E->w);
		return;
	}
	jw_open(&E->w, '{');
	jw_name(&E->w, "text");
	jw_strn(&E->w, n->str, n->len);
	struct loc b = plan_scope_scalar_base(E->g->plan->doc, n);
	key_src(E, "src", &b);
	jw_close(&E->w, '}');
}

static void retry_of(struct emitter *E, const struct plan_retry *r)
{
	jw_open(&E->w, '{');
	key_int(E, "attempts", r->attempts > 0 ? r->attempts : 1);
	key_int(E, "delay_ms", r->delay_ms);
	jw_name(&E->w, "backoff");
	jw_real(&E->w, r->backoff >= 1 ? r->backoff : 1.0);
	jw_close(&E->w, '}');
}

static void conds_of(struct emitter *E, const struct plan_cond *c, size_t n)
{
	jw_open(&E->w, '[');
	for (size_t i = 0; i < n; i++) {
		jw_sep(&E->w);
		jw_open(&E->w, '{');
		jw_name(&E->w, "that");
		expr_of(E, &c[i].that);
		jw_name(&E->w, "else");
		tmpl_of(E, c[i].else_msg);
		key_src(E, "src", &c[i].loc);
		jw_close(&E->w, '}');
	}
	jw_close(&E->w, ']');
}

static void silence_of(struct emitter *E, const struct plan_silence *s, size_t n)
{
	jw_open(&E->w, '[');
	for (size_t i = 0; i < n; i++) {
		jw_sep(&E->w);
		jw_open(&E->w, '{');
		key_str(E, "code", diag_code_name(s[i].code));
		key_str(E, "reason", s[i].reason ? s[i].reason : "");
		jw_close(&E->w, '}');
	}
	jw_close(&E->w, ']');
}

/* with: as JSON; a literal given to a duration parameter becomes seconds. */
static void with_of(struct emitter *E, const struct plan_step *s)
{
	const struct ynode *w = s->with;
	jw_open(&E->w, '{');
	for (size_t i = 0; w && w->kind == YNODE_MAP && i < w->npairs; i++) {
		const struct ynode *k = w->pairs[i].key, *v = w->pairs[i].value;
		const struct action_param *ap = s->action ? catalog_param(s->action, k->str) : NULL;
		jw_key(&E->w, k->str);
		if (ap && ap->type && ap->type->kind == TYPE_DURATION && v && v->kind == YNODE_SCALAR &&
		    !strstr(v->str, "${{")) {
			int64_t ms = plan_duration_parse(v->str);
			if (ms >= 0) {
				if (ms % 1000)
					jw_real(&E->w, (double)ms / 1000.0);
				else
					jw_int(&E->w, ms / 1000);
				continue;
			}
		}
		jw_ynode(&E->w, v, 0);
	}
	jw_close(&E->w, '}');
}
struct tref {
	char *ptr;
	struct loc base;
};

static void pointer_add(struct strbuf *b, const char *key)
{
	buf_putc(b, '/');
	for (; *key; key++) {
		if (*key == '~')
			sb_puts(b, "~0");
		else if (*key == '/')
			sb_puts(b, "~1");
		else
			buf_putc(b, *key);
	}
	b->s[b->len] = '\0';   /* buf_putc left room: the pointer is read as a string */
}

static void collect_templates(struct emitter *E, const struct ynode *n, const char *prefix,
			      struct tref **out, size_t *nout, size_t *cap, int depth)
{
	if (!n || depth > 64)
		return;
	if (n->kind == YNODE_SCALAR) {
		if (n->str && strstr(n->str, "${{")) {
			XGROW(*out, *cap, *nout + 1);
			(*out)[*nout].ptr = xstrdup(prefix);
			(*out)[*nout].base = plan_scope_scalar_base(E->g->plan->doc, n);
			(*nout)++;
		}
		return;
	}
	for (size_t i = 0; i < (n->kind == YNODE_SEQ ? n->nitems : n->npairs); i++) {
		struct strbuf b = {0};
		sb_puts(&b, prefix);
		if (n->kind == YNODE_SEQ) {
			sb_printf(&b, "/%zu", i);
			collect_templates(E, n->items[i], b.s, out, nout, cap, depth + 1);
		} else {
			pointer_add(&b, n->pairs[i].key->str);
			collect_templates(E, n->pairs[i].value, b.s, out, nout, cap, depth + 1);
		}
		sb_release(&b);
	}
}

static int tref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tref *)a)->ptr, ((const struct tref *)b)->ptr);
}

static void templates_of(struct emitter *E, const struct plan_step *s)
{
	struct tref *t = NULL;
	size_t n = 0, cap = 0;
	collect_templates(E, s->with, "", &t, &n, &cap, 0);
	if (n)
		qsort(t, n, sizeof *t, tref_cmp);
	jw_open(&E->w, '[');
	for (size_t i = 0; i < n; i++) {
		jw_sep(&E->w);
		jw_open(&E->w, '{');
		key_str(E, "pointer", t[i].ptr);
		key_src(E, "src", &t[i].base);
		jw_close(&E->w, '}');
		free(t[i].ptr);
	}
	jw_close(&E->w, ']');
	free(t);
}

static void steps_of(struct emitter *E, struct graph_node **list, size_t n);

static const char *ctx_name(enum graph_ctx c)
{
	return c == GRAPH_MAIN ? "main" : c == GRAPH_ON_FAILURE ? "on_failure" : "finally";
}

static void step_action(struct emitter *E, const struct plan_step *s)
{
	const struct action *a = s->action;
	key_str(E, "action", s->action_name);
	key_str(E, "effect", a ? catalog_effect_name(a->effect) : "mutation");
	key_str(E, "opens", a ? a->opens : NULL);
	key_str(E, "closes", a ? a->closes : NULL);
	jw_name(&E->w, "with");
	with_of(E, s);
	jw_name(&E->w, "templates");
	templates_of(E, s);
}

static void step_loop(struct emitter *E, const struct graph_node *x)
{
	const struct plan_step *s = x->step;
	jw_name(&E->w, "for_each");
	if (!s->for_each) {
		jw_null(&E->w);
		return;
	}
	jw_open(&E->w, '{');
	jw_name(&E->w, "expr");
	expr_of(E, s->for_each);
	key_str(E, "as", s->as ? s->as : "item");
	key_int(E, "serial", s->serial);
	key_int(E, "max_items", x->max_items);
	key_str(E, "max_items_from", x->max_items_literal == LOOP_LITERAL ? "literal"
				   : x->max_items_literal == LOOP_REQUIRE ? "require" : "default");
	jw_close(&E->w, '}');
}

static void step_gate(struct emitter *E, const struct plan_step *s)
{
	jw_name(&E->w, "gate");
	if (!s->gate) {
		jw_null(&E->w);
		return;
	}
	jw_open(&E->w, '{');
	jw_name(&E->w, "prompt");
	tmpl_of(E, s->gate->prompt);
	jw_name(&E->w, "show");
	jw_open(&E->w, '[');
	for (size_t i = 0; i < s->gate->nshow; i++) {
		jw_sep(&E->w);
		expr_of(E, &s->gate->show[i]);
	}
	jw_close(&E->w, ']');
	key_src(E, "src", &s->gate->loc);
	jw_close(&E->w, '}');
}

static void track_bracket(struct emitter *E, const struct action *a)
{
	if (!a)
		return;
	if (a->opens && E->nopen < sizeof E->open / sizeof E->open[0]) {
		size_t i;
		for (i = 0; i < E->nopen && strcmp(E->open[i], a->opens); i++)
			;
		if (i == E->nopen)
			E->open[E->nopen++] = a->opens;
	}
	if (a->closes)
		for (size_t i = 0; i < E->nopen; i++)
			if (!strcmp(E->open[i], a->closes)) {
				memmove(&E->open[i], &E->open[i + 1], (E->nopen - i - 1) * sizeof E->open[0]);
				E->nopen--;
				break;
			}
}

static void step_of(struct emitter *E, const struct graph_node *x)
{
	const struct plan_step *s = x->step;
	const struct plan *p = E->g->plan;
	struct jw *w = &E->w;
	jw_open(w, '{');
	key_str(E, "id", s->id);
	key_str(E, "kind", s->kind == STEP_ACTION ? "action" : "group");
	key_src(E, "src", &s->loc);
	key_str(E, "title", s->title);
	key_str(E, "context", ctx_name(x->ctx));
	jw_name(w, "inside");
	jw_open(w, '[');
	for (size_t i = 0; i < E->nopen; i++) {
		jw_sep(w);
		jw_str(w, E->open[i]);
	}
	jw_close(w, ']');
	if (s->kind == STEP_ACTION) {
		jw_name(w, "idempotent");
		jw_bool(w, s->idempotent);
		step_action(E, s);
		if (x->ctx == GRAPH_MAIN)
			track_bracket(E, s->action);
	} else {
		jw_name(w, "children");
		steps_of(E, x->children, x->nchildren);
	}
	jw_name(w, "deps");
	jw_open(w, '[');
	for (size_t i = 0; i < x->ndeps; i++) {
		jw_sep(w);
		jw_str(w, x->deps[i]->step->id);
	}
	jw_close(w, ']');
	jw_name(w, "needs");
	jw_open(w, '[');
	for (size_t i = 0; i < s->nneeds; i++) {
		jw_sep(w);
		jw_str(w, s->needs[i]);
	}
	jw_close(w, ']');
	key_int(E, "timeout_ms", s->timeout_ms ? s->timeout_ms : p->default_timeout_ms);
	jw_name(w, "retry");
	retry_of(E, s->retry.set ? &s->retry : &p->default_retry);
	jw_name(w, "when");
	expr_of(E, s->when);
	step_loop(E, x);
	jw_name(w, "require");
	conds_of(E, s->require, s->nrequire);
	jw_name(w, "expect");
	conds_of(E, s->expect, s->nexpect);
	jw_name(w, "until");
	if (s->until) {
		jw_open(w, '{');
		jw_name(w, "expr");
		expr_of(E, s->until);
		key_int(E, "every_ms", s->every_ms);
		jw_close(w, '}');
	} else {
		jw_null(w);
	}
	jw_name(w, "within_ms");
	if (s->within_ms) {
		jw_int(w, s->within_ms);
		key_src(E, "within_src", &s->within_loc);
	} else {
		jw_null(w);
	}
	/* resolved above; the name says where the value came from */
	if (s->within_param)
		key_str(E, "within_param", s->within_param);
	if (s->timeout_param)
		key_str(E, "timeout_param", s->timeout_param);
	step_gate(E, s);
	static const char *const modes[] = {"abort", "continue", "steps"};
	jw_name(w, "on_failure");
	jw_open(w, '{');
	key_str(E, "mode", modes[s->on_failure]);
	jw_name(w, "steps");
	steps_of(E, x->onfail, x->nonfail);
	jw_close(w, '}');
	if (s->nsilence) {
		jw_name(w, "silence");
		silence_of(E, s->silence, s->nsilence);
	}
	jw_name(w, "bounds");
	jw_open(w, '{');
	key_int(E, "worst_ms", x->worst_ms);
	key_int(E, "typical_ms", x->typical_ms);
	jw_close(w, '}');
	jw_close(w, '}');
}

static void steps_of(struct emitter *E, struct graph_node **list, size_t n)
{
	jw_open(&E->w, '[');
	for (size_t i = 0; i < n; i++) {
		jw_sep(&E->w);
		step_of(E, list[i]);
	}
	jw_close(&E->w, ']');
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void bracket_ids(struct emitter *E, const char *name, int opens)
{
	const struct graph *g = E->g;
	jw_open(&E->w, '[');
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct plan_step *s = g->nodes[i]->step;
		const char *b = s->kind == STEP_ACTION && s->action ? (opens ? s->action->opens : s->action->closes) : NULL;
		if (b && strcmp(b, name) == 0) {
			jw_sep(&E->w);
			jw_str(&E->w, s->id);
		}
	}
	jw_close(&E->w, ']');
}

static void brackets_of(struct emitter *E)
{
	const struct graph *g = E->g;
	const char **names = xcalloc(2 * g->nnodes + 1, sizeof *names);
	size_t n = 0;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct action *a = g->nodes[i]->step->kind == STEP_ACTION ? g->nodes[i]->step->action : NULL;
		const char *bs[2] = {a ? a->opens : NULL, a ? a->closes : NULL};
		for (int k = 0; k < 2; k++) {
			size_t j;
			for (j = 0; bs[k] && j < n; j++)
				if (strcmp(names[j], bs[k]) == 0)
					break;
			if (bs[k] && j == n)
				names[n++] = bs[k];
		}
	}
	if (n)
		qsort(names, n, sizeof *names, name_cmp);
	jw_open(&E->w, '[');
	for (size_t j = 0; j < n; j++) {
		jw_sep(&E->w);
		jw_open(&E->w, '{');
		key_str(E, "name", names[j]);
		jw_name(&E->w, "opened_by");
		bracket_ids(E, names[j], 1);
		jw_name(&E->w, "closed_by");
		bracket_ids(E, names[j], 0);
		jw_close(&E->w, '}');
	}
	jw_close(&E->w, ']');
	free(names);
}

char *ir_emit(const struct graph *g)
{
	const struct plan *p = g->plan;
	struct emitter E = {g, p->file ? p->file : "-", {{0}, 0, 1}};
	struct jw *w = &E.w;
	struct jw q = {{0}, 0, 1};
	jw_str(&q, E.file);
	q.b.len--;   /* reopen the string: src appends line:col and closes it */
	buf_putc(&q.b, ':');
	E.qfile = q.b;
	/* One allocation for the whole document: regrowing it (copying the text
	 * so far) showed in the profile.  A plan's IR is a few tens of KiB; the
	 * last one this thread wrote is the best guess at the next. */
	static _Thread_local size_t hint = 64 * 1024;
	w->b.s = xmalloc(hint);   /* not XGROW: its power of two would cross
				   * glibc's mmap threshold (128 KiB), and a
				   * mapping costs its page faults every time */
	w->b.cap = hint;
	static const char zeros[] = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
	jw_open(w, '{');
	key_int(&E, "ir_version", IR_VERSION);
	key_str(&E, "hash", zeros);
	jw_name(w, "plan");
	jw_open(w, '{');
	key_str(&E, "name", p->name ? p->name : "");
	key_str(&E, "summary", p->summary);
	key_str(&E, "description", p->description);
	key_str(&E, "file", E.file);
	struct loc top = {.line = 1, .col = 1};
	if (p->doc && p->doc->root)
		top = p->doc->root->loc;
	key_src(&E, "src", &top);
	jw_close(w, '}');
	jw_name(w, "params");
	if (g->params)
		jw_json(w, g->params);
	else
		buf_add(&w->b, "[]", 2);
	jw_name(w, "defaults");
	jw_open(w, '{');
	key_int(&E, "timeout_ms", p->default_timeout_ms);
	jw_name(w, "retry");
	retry_of(&E, &p->default_retry);
	jw_close(w, '}');
	jw_name(w, "brackets");
	brackets_of(&E);
	jw_name(w, "steps");
	steps_of(&E, g->top, g->ntop);
	jw_name(w, "finally");
	steps_of(&E, g->fin, g->nfin);
	if (p->nsilence) {
		jw_name(w, "silence");
		silence_of(&E, p->silence, p->nsilence);
	}
	jw_name(w, "bounds");
	jw_open(w, '{');
	key_int(&E, "worst_ms", g->worst_ms);
	key_int(&E, "typical_ms", g->typical_ms);
	key_int(&E, "finally_worst_ms", g->finally_worst_ms);
	jw_close(w, '}');
	jw_close(w, '}');
	buf_putc(&w->b, '\n');
	w->b.s[w->b.len] = '\0';   /* buf_putc left room for it */
	size_t len = w->b.len;
	hint = len + len / 8 + 64;
	sb_release(&E.qfile);
	char *out = sb_detach(&w->b);
	char hash[72];
	char *at = strstr(out, zeros);
	if (ir_hash(out, len, hash) == 0 && at)
		memcpy(at, hash, strlen(zeros));
	return out;
}
