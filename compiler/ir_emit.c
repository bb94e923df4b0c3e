/* ir_emit.c - the IR document (docs/ir.md).  Objects are built in the
 * order the document lists their members (jansson keeps insertion order),
 * dumped with a fixed indent; nothing depends on time, addresses or the
 * environment, so the same input gives the same bytes. */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "graph.h"
#include "mem.h"
#include "plan.h"
#include "plan_scope.h"
#include "yaml_load.h"

struct emitter {
	const struct graph *g;
	const char *file;
};

static json_t *src_of(const struct emitter *E, const struct loc *l)
{
	char buf[64];
	snprintf(buf, sizeof buf, ":%u:%u", (unsigned)l->line, (unsigned)l->col);
	char *s = xasprintf("%s%s", E->file, buf);
	json_t *v = json_string(s);
	free(s);
	return v ? v : json_string("-:0:0");
}

static json_t *str_or_null(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;
	return v ? v : json_null();
}

static json_t *expr_of(const struct emitter *E, const struct plan_expr *e)
{
	if (!e || !e->text)
		return json_null();
	json_t *o = json_object();
	json_t *t = json_stringn(e->text, e->len);
	json_object_set_new(o, "text", t ? t : json_string(""));
	json_object_set_new(o, "src", src_of(E, &e->base));
	return o;
}

static json_t *tmpl_of(const struct emitter *E, const struct ynode *n)
{
	if (!n || n->kind != YNODE_SCALAR)
		return json_null();
	json_t *o = json_object();
	json_t *t = json_stringn(n->str, n->len);
	json_object_set_new(o, "text", t ? t : json_string(""));
	struct loc b = plan_scope_scalar_base(E->g->plan->doc, n);
	json_object_set_new(o, "src", src_of(E, &b));
	return o;
}

static json_t *retry_of(const struct plan_retry *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "attempts", json_integer(r->attempts > 0 ? r->attempts : 1));
	json_object_set_new(o, "delay_ms", json_integer(r->delay_ms));
	json_object_set_new(o, "backoff", json_real(r->backoff >= 1 ? r->backoff : 1.0));
	return o;
}

static json_t *conds_of(const struct emitter *E, const struct plan_cond *c, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "that", expr_of(E, &c[i].that));
		json_object_set_new(o, "else", tmpl_of(E, c[i].else_msg));
		json_object_set_new(o, "src", src_of(E, &c[i].loc));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *silence_of(const struct plan_silence *s, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "code", json_string(diag_code_name(s[i].code)));
		json_object_set_new(o, "reason", str_or_null(s[i].reason));
		json_array_append_new(a, o);
	}
	return a;
}

/* with: as JSON; a literal given to a duration parameter becomes seconds. */
static json_t *with_of(const struct plan_step *s)
{
	json_t *o = json_object();
	const struct ynode *w = s->with;
	for (size_t i = 0; w && w->kind == YNODE_MAP && i < w->npairs; i++) {
		const struct ynode *k = w->pairs[i].key, *v = w->pairs[i].value;
		const struct action_param *ap = s->action ? catalog_param(s->action, k->str) : NULL;
		json_t *jv = NULL;
		if (ap && ap->type && ap->type->kind == TYPE_DURATION && v && v->kind == YNODE_SCALAR &&
		    !strstr(v->str, "${{")) {
			int64_t ms = plan_duration_parse(v->str);
			if (ms >= 0)
				jv = ms % 1000 ? json_real((double)ms / 1000.0) : json_integer(ms / 1000);
		}
		json_object_set_new(o, k->str, jv ? jv : ir_json_of_ynode(v));
	}
	return o;
}

struct tref {
	char *ptr;
	struct loc base;
};

static void pointer_add(struct strbuf *b, const char *key)
{
	sb_putc(b, '/');
	for (; *key; key++) {
		if (*key == '~')
			sb_puts(b, "~0");
		else if (*key == '/')
			sb_puts(b, "~1");
		else
			sb_putc(b, *key);
	}
}

static void collect_templates(const struct emitter *E, const struct ynode *n, const char *prefix,
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

static json_t *templates_of(const struct emitter *E, const struct plan_step *s)
{
	struct tref *t = NULL;
	size_t n = 0, cap = 0;
	collect_templates(E, s->with, "", &t, &n, &cap, 0);
	if (n)
		qsort(t, n, sizeof *t, tref_cmp);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "pointer", json_string(t[i].ptr));
		json_object_set_new(o, "src", src_of(E, &t[i].base));
		json_array_append_new(a, o);
		free(t[i].ptr);
	}
	free(t);
	return a;
}

static json_t *steps_of(const struct emitter *E, struct graph_node **list, size_t n);

static const char *ctx_name(enum graph_ctx c)
{
	return c == GRAPH_MAIN ? "main" : c == GRAPH_ON_FAILURE ? "on_failure" : "finally";
}

static json_t *step_of(const struct emitter *E, const struct graph_node *x)
{
	const struct plan_step *s = x->step;
	const struct plan *p = E->g->plan;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "kind", json_string(s->kind == STEP_ACTION ? "action" : "group"));
	json_object_set_new(o, "src", src_of(E, &s->loc));
	json_object_set_new(o, "title", str_or_null(s->title));
	json_object_set_new(o, "context", json_string(ctx_name(x->ctx)));
	if (s->kind == STEP_ACTION) {
		const struct action *a = s->action;
		json_object_set_new(o, "action", str_or_null(s->action_name));
		json_object_set_new(o, "effect", json_string(a ? catalog_effect_name(a->effect) : "mutation"));
		json_object_set_new(o, "opens", str_or_null(a ? a->opens : NULL));
		json_object_set_new(o, "closes", str_or_null(a ? a->closes : NULL));
		json_object_set_new(o, "with", with_of(s));
		json_object_set_new(o, "templates", templates_of(E, s));
	} else {
		json_object_set_new(o, "children", steps_of(E, x->children, x->nchildren));
	}
	json_t *deps = json_array();
	for (size_t i = 0; i < x->ndeps; i++)
		json_array_append_new(deps, json_string(x->deps[i]->step->id));
	json_object_set_new(o, "deps", deps);
	json_t *needs = json_array();
	for (size_t i = 0; i < s->nneeds; i++)
		json_array_append_new(needs, json_string(s->needs[i]));
	json_object_set_new(o, "needs", needs);
	json_object_set_new(o, "timeout_ms", json_integer(s->timeout_ms ? s->timeout_ms : p->default_timeout_ms));
	json_object_set_new(o, "retry", retry_of(s->retry.set ? &s->retry : &p->default_retry));
	json_object_set_new(o, "when", expr_of(E, s->when));
	if (s->for_each) {
		json_t *f = json_object();
		json_object_set_new(f, "expr", expr_of(E, s->for_each));
		json_object_set_new(f, "as", json_string(s->as ? s->as : "item"));
		json_object_set_new(f, "serial", json_integer(s->serial));
		json_object_set_new(f, "max_items", json_integer(x->max_items));
		json_object_set_new(f, "max_items_from", json_string(x->max_items_literal == LOOP_LITERAL ? "literal"
					       : x->max_items_literal == LOOP_REQUIRE ? "require" : "default"));
		json_object_set_new(o, "for_each", f);
	} else {
		json_object_set_new(o, "for_each", json_null());
	}
	json_object_set_new(o, "require", conds_of(E, s->require, s->nrequire));
	json_object_set_new(o, "expect", conds_of(E, s->expect, s->nexpect));
	if (s->until) {
		json_t *u = json_object();
		json_object_set_new(u, "expr", expr_of(E, s->until));
		json_object_set_new(u, "every_ms", json_integer(s->every_ms));
		json_object_set_new(o, "until", u);
	} else {
		json_object_set_new(o, "until", json_null());
	}
	json_object_set_new(o, "within_ms", s->within_ms ? json_integer(s->within_ms) : json_null());
	if (s->within_ms)
		json_object_set_new(o, "within_src", src_of(E, &s->within_loc));
	if (s->gate) {
		json_t *gt = json_object();
		json_object_set_new(gt, "prompt", tmpl_of(E, s->gate->prompt));
		json_t *show = json_array();
		for (size_t i = 0; i < s->gate->nshow; i++)
			json_array_append_new(show, expr_of(E, &s->gate->show[i]));
		json_object_set_new(gt, "show", show);
		json_object_set_new(gt, "src", src_of(E, &s->gate->loc));
		json_object_set_new(o, "gate", gt);
	} else {
		json_object_set_new(o, "gate", json_null());
	}
	json_t *of = json_object();
	static const char *const modes[] = {"abort", "continue", "steps"};
	json_object_set_new(of, "mode", json_string(modes[s->on_failure]));
	json_object_set_new(of, "steps", steps_of(E, x->onfail, x->nonfail));
	json_object_set_new(o, "on_failure", of);
	if (s->nsilence)
		json_object_set_new(o, "silence", silence_of(s->silence, s->nsilence));
	json_t *b = json_object();
	json_object_set_new(b, "worst_ms", json_integer(x->worst_ms));
	json_object_set_new(b, "typical_ms", json_integer(x->typical_ms));
	json_object_set_new(o, "bounds", b);
	return o;
}

static json_t *steps_of(const struct emitter *E, struct graph_node **list, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, step_of(E, list[i]));
	return a;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *brackets_of(const struct graph *g)
{
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
	qsort(names, n, sizeof *names, name_cmp);
	json_t *arr = json_array();
	for (size_t j = 0; j < n; j++) {
		json_t *o = json_object(), *op = json_array(), *cl = json_array();
		for (size_t i = 0; i < g->nnodes; i++) {
			const struct plan_step *s = g->nodes[i]->step;
			if (s->kind != STEP_ACTION || !s->action)
				continue;
			if (s->action->opens && strcmp(s->action->opens, names[j]) == 0)
				json_array_append_new(op, json_string(s->id));
			if (s->action->closes && strcmp(s->action->closes, names[j]) == 0)
				json_array_append_new(cl, json_string(s->id));
		}
		json_object_set_new(o, "name", json_string(names[j]));
		json_object_set_new(o, "opened_by", op);
		json_object_set_new(o, "closed_by", cl);
		json_array_append_new(arr, o);
	}
	free(names);
	return arr;
}

char *ir_emit(const struct graph *g)
{
	const struct plan *p = g->plan;
	struct emitter E = {g, p->file ? p->file : "-"};
	static const char zeros[] = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
	json_t *root = json_object();
	json_object_set_new(root, "ir_version", json_integer(IR_VERSION));
	json_object_set_new(root, "hash", json_string(zeros));
	json_t *pl = json_object();
	json_object_set_new(pl, "name", str_or_null(p->name ? p->name : ""));
	json_object_set_new(pl, "summary", str_or_null(p->summary));
	json_object_set_new(pl, "description", str_or_null(p->description));
	json_object_set_new(pl, "file", json_string(E.file));
	struct loc top = {.line = 1, .col = 1};
	if (p->doc && p->doc->root)
		top = p->doc->root->loc;
	json_object_set_new(pl, "src", src_of(&E, &top));
	json_object_set_new(root, "plan", pl);
	json_object_set_new(root, "params", g->params ? json_incref((json_t *)g->params) : json_array());
	json_t *df = json_object();
	json_object_set_new(df, "timeout_ms", json_integer(p->default_timeout_ms));
	json_object_set_new(df, "retry", retry_of(&p->default_retry));
	json_object_set_new(root, "defaults", df);
	json_object_set_new(root, "brackets", brackets_of(g));
	json_object_set_new(root, "steps", steps_of(&E, g->top, g->ntop));
	json_object_set_new(root, "finally", steps_of(&E, g->fin, g->nfin));
	if (p->nsilence)
		json_object_set_new(root, "silence", silence_of(p->silence, p->nsilence));
	json_t *b = json_object();
	json_object_set_new(b, "worst_ms", json_integer(g->worst_ms));
	json_object_set_new(b, "typical_ms", json_integer(g->typical_ms));
	json_object_set_new(b, "finally_worst_ms", json_integer(g->finally_worst_ms));
	json_object_set_new(root, "bounds", b);

	char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	json_decref(root);
	if (!text)
		abort();   /* only on allocation failure: mem.h policy */
	size_t len = strlen(text);
	char *out = xmalloc(len + 2);
	memcpy(out, text, len);
	out[len++] = '\n';
	out[len] = 0;
	free(text);
	char hash[72];
	char *at = strstr(out, zeros);
	if (ir_hash(out, len, hash) == 0 && at)
		memcpy(at, hash, strlen(zeros));
	return out;
}
