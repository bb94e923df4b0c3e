/* ir_load.c - see ir_load.h.
 *
 * Every expression is parsed once here, with the location the IR gives for
 * its first byte, so an evaluation error at run time can name its place in
 * the plan file. */
#include "ir_load.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "diag.h"
#include "fileio.h"
#include "expr.h"
#include "ir.h"
#include "loc.h"
#include "mem.h"

#define IR_FILE_MAX ((size_t)64 << 20)

struct loader {
	struct ir_plan *p;
	char *err;
	size_t errn;
	int failed;
};

static void fail(struct loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct loader *L, const char *fmt, ...)
{
	if (L->failed)
		return;   /* first failure wins */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(L->err, L->errn, fmt, ap);
	va_end(ap);
	L->failed = 1;
}

static const char *str_of(struct loader *L, json_t *o, const char *key, int nullable, const char *where)
{
	json_t *v = json_object_get(o, key);
	if (json_is_string(v))
		return arena_strdup(L->p->arena, json_string_value(v));
	if (nullable && (!v || json_is_null(v)))
		return NULL;
	fail(L, "invalid IR: %s has no string '%s'", where, key);
	return NULL;
}

static long long int_of(struct loader *L, json_t *o, const char *key, long long def, const char *where)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return def;
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	fail(L, "invalid IR: %s: '%s' is not a number", where, key);
	return def;
}

/* "file:line:col" -> loc; the file name may itself hold ':' */
static void loc_of(struct loader *L, const char *src, struct loc *out)
{
	memset(out, 0, sizeof *out);
	out->line = out->col = 1;
	if (!src)
		return;
	const char *c2 = strrchr(src, ':');
	const char *c1 = NULL;
	for (const char *q = c2 ? c2 - 1 : NULL; q && q >= src; q--) {
		if (*q == ':') {
			c1 = q;
			break;
		}
	}
	if (!c1 || !c2)
		return;
	out->file = arena_strndup(L->p->arena, src, (size_t)(c1 - src));
	out->line = (uint32_t)strtoul(c1 + 1, NULL, 10);
	out->col = (uint32_t)strtoul(c2 + 1, NULL, 10);
}

static void diag_first(struct loader *L, struct diag_list *d, const char *what, const char *src)
{
	const char *m = d->n ? d->items[0].msg : "cannot parse";
	fail(L, "invalid IR: %s at %s: %s", what, src ? src : "?", m);
}

/* The source text and location of an IR expression or template object
 * {"text": ..., "src": "file:line:col"}: 0 when v is absent or null (nothing to
 * parse, *text stays NULL), 1 when *text is ready to parse, -1 after a failure
 * recorded in L.  kind names what v should be, for the message. */
static int source_of(struct loader *L, json_t *v, const char *what, const char *kind,
                     const char **text, const char **src, struct loc *base)
{
	if (!v || json_is_null(v))
		return 0;
	json_t *t = json_object_get(v, "text");
	if (!json_is_string(t)) {
		fail(L, "invalid IR: %s is not %s", what, kind);
		return -1;
	}
	*text = arena_strdup(L->p->arena, json_string_value(t));
	*src = str_of(L, v, "src", 1, what);
	loc_of(L, *src, base);
	return 1;
}

static void expr_of(struct loader *L, json_t *v, struct ir_expr *out, const char *what)
{
	memset(out, 0, sizeof *out);
	struct loc base;
	if (source_of(L, v, what, "an expression", &out->text, &out->src, &base) <= 0)
		return;
	struct diag_list d;
	diag_init(&d);
	out->e = expr_parse(L->p->arena, out->text, strlen(out->text), &base, &d);
	if (!out->e)
		diag_first(L, &d, what, out->src);
	diag_release(&d);
}

static void tmpl_of(struct loader *L, json_t *v, struct ir_tmpl *out, const char *what)
{
	memset(out, 0, sizeof *out);
	struct loc base;
	if (source_of(L, v, what, "a template", &out->text, &out->src, &base) <= 0)
		return;
	struct diag_list d;
	diag_init(&d);
	out->t = tmpl_parse(L->p->arena, out->text, strlen(out->text), &base, &d);
	if (!out->t)
		diag_first(L, &d, what, out->src);
	diag_release(&d);
}

static void conds_of(struct loader *L, json_t *arr, struct ir_cond **out, size_t *n, const char *what)
{
	*out = NULL;
	*n = 0;
	if (!json_is_array(arr))
		return;
	*n = json_array_size(arr);
	*out = arena_alloc(L->p->arena, (*n + 1) * sizeof **out);
	for (size_t i = 0; i < *n; i++) {
		json_t *c = json_array_get(arr, i);
		expr_of(L, json_object_get(c, "that"), &(*out)[i].that, what);
		tmpl_of(L, json_object_get(c, "else"), &(*out)[i].els, what);
		(*out)[i].src = str_of(L, c, "src", 1, what);
	}
}

static void steps_of(struct loader *L, json_t *arr, struct ir_step **out, size_t *n, int depth);

/* The with: values the catalog marks expressions (k8s.wait's `that`): parsed
 * once here like every other expression of the IR; the action evaluates them
 * over the step's roots (action_ctx.env).  The IR carries them as plain
 * strings in with, located at the step. */
static void with_exprs_of(struct loader *L, struct ir_step *s)
{
	size_t n = 0;
	for (size_t i = 0; s->action && i < s->action->nparams; i++)
		n += s->action->params[i].expr != NULL;
	s->with_exprs = arena_alloc(L->p->arena, (n + 1) * sizeof *s->with_exprs);
	s->nwith_exprs = 0;
	for (size_t i = 0; s->action && i < s->action->nparams; i++) {
		const struct action_param *ap = &s->action->params[i];
		json_t *v = ap->expr ? json_object_get(s->with, ap->name) : NULL;
		if (!json_is_string(v))
			continue;   /* absent (the action says what it needs) or not text (the compiler refused it) */
		struct ir_with_expr *we = &s->with_exprs[s->nwith_exprs++];
		we->name = ap->name;
		char *what = xasprintf("step '%s': 'with.%s'", s->id, ap->name);
		json_t *xv = json_pack("{s:s, s:s?}", "text", json_string_value(v), "src", s->src);
		expr_of(L, xv, &we->x, what);
		json_decref(xv);
		free(what);
	}
}

static void action_of(struct loader *L, json_t *o, struct ir_step *s)
{
	s->action_name = str_of(L, o, "action", 0, s->id);
	s->action = catalog_find(s->action_name);
	if (!s->action && !L->failed)
		fail(L, "invalid IR: step '%s' calls unknown action '%s'", s->id, s->action_name);
	s->effect = str_of(L, o, "effect", 1, s->id);
	s->opens = str_of(L, o, "opens", 1, s->id);
	s->closes = str_of(L, o, "closes", 1, s->id);
	s->with = json_object_get(o, "with");
	if (!json_is_object(s->with))
		s->with = NULL;
	json_t *ts = json_object_get(o, "templates");
	s->ntemplates = json_is_array(ts) ? json_array_size(ts) : 0;
	s->templates = arena_alloc(L->p->arena, (s->ntemplates + 1) * sizeof *s->templates);
	for (size_t i = 0; i < s->ntemplates; i++) {
		json_t *t = json_array_get(ts, i);
		s->templates[i].pointer = str_of(L, t, "pointer", 0, s->id);
		json_t *text = NULL;
		/* the template's text is the string at pointer inside with */
		const char *ptr = s->templates[i].pointer;
		json_t *at = s->with;
		if (ptr && *ptr == '/') {
			char *dup = xstrdup(ptr + 1);
			char *save = NULL;
			for (char *tok = strtok_r(dup, "/", &save); tok && at; tok = strtok_r(NULL, "/", &save)) {
				/* RFC 6901: ~1 is '/', ~0 is '~' */
				char *w = tok;
				for (char *r = tok; *r; r++) {
					if (r[0] == '~' && r[1] == '1') {
						*w++ = '/';
						r++;
					} else if (r[0] == '~' && r[1] == '0') {
						*w++ = '~';
						r++;
					} else {
						*w++ = *r;
					}
				}
				*w = 0;
				at = json_is_array(at) ? json_array_get(at, strtoul(tok, NULL, 10)) : json_object_get(at, tok);
			}
			free(dup);
			text = at;
		}
		if (!json_is_string(text)) {
			fail(L, "invalid IR: step '%s': template pointer '%s' names no string", s->id, ptr ? ptr : "?");
			continue;
		}
		json_t *tv = json_pack("{s:s, s:s?}", "text", json_string_value(text), "src",
				       json_string_value(json_object_get(t, "src")));
		tmpl_of(L, tv, &s->templates[i].tmpl, s->id);
		json_decref(tv);
	}
	with_exprs_of(L, s);
}

static void step_of(struct loader *L, json_t *o, struct ir_step *s, int depth)
{
	if (!json_is_object(o)) {
		fail(L, "invalid IR: a step is not an object");
		return;
	}
	s->id = str_of(L, o, "id", 0, "a step");
	if (!s->id)
		return;
	s->src = str_of(L, o, "src", 1, s->id);
	s->title = str_of(L, o, "title", 1, s->id);
	s->context = str_of(L, o, "context", 1, s->id);
	const char *kind = str_of(L, o, "kind", 0, s->id);
	if (kind && !strcmp(kind, "action")) {
		s->kind = IR_STEP_ACTION;
		action_of(L, o, s);
	} else if (kind && !strcmp(kind, "group")) {
		s->kind = IR_STEP_GROUP;
		steps_of(L, json_object_get(o, "children"), &s->children, &s->nchildren, depth + 1);
	} else if (kind) {
		fail(L, "invalid IR: step '%s' has kind '%s'", s->id, kind);
	}
	s->idempotent = json_is_true(json_object_get(o, "idempotent"));
	json_t *in = json_object_get(o, "inside");
	s->ninside = json_is_array(in) ? json_array_size(in) : 0;
	s->inside = arena_alloc(L->p->arena, (s->ninside + 1) * sizeof *s->inside);
	for (size_t i = 0; i < s->ninside; i++) {
		s->inside[i] = json_string_value(json_array_get(in, i));
		if (!s->inside[i]) {
			fail(L, "invalid IR: step '%s' has a bracket name that is not a string in inside", s->id);
			s->ninside = i;
		}
	}
	s->timeout_ms = int_of(L, o, "timeout_ms", 120000, s->id);
	json_t *r = json_object_get(o, "retry");
	s->attempts = (int)int_of(L, r, "attempts", 1, s->id);
	if (s->attempts < 1)
		s->attempts = 1;
	s->delay_ms = int_of(L, r, "delay_ms", 0, s->id);
	json_t *b = json_object_get(r, "backoff");
	s->backoff = json_is_number(b) ? json_number_value(b) : 1.0;
	expr_of(L, json_object_get(o, "when"), &s->when, s->id);
	json_t *fe = json_object_get(o, "for_each");
	if (json_is_object(fe)) {
		expr_of(L, json_object_get(fe, "expr"), &s->for_each, s->id);
		s->as = str_of(L, fe, "as", 1, s->id);
		if (!s->as)
			s->as = "item";
		s->serial = (int)int_of(L, fe, "serial", 1, s->id);
		s->max_items = int_of(L, fe, "max_items", 10, s->id);
		s->max_items_from = str_of(L, fe, "max_items_from", 1, s->id);
	}
	conds_of(L, json_object_get(o, "require"), &s->require, &s->nrequire, s->id);
	conds_of(L, json_object_get(o, "expect"), &s->expect, &s->nexpect, s->id);
	json_t *u = json_object_get(o, "until");
	if (json_is_object(u)) {
		expr_of(L, json_object_get(u, "expr"), &s->until, s->id);
		s->every_ms = int_of(L, u, "every_ms", 1000, s->id);
	}
	s->within_ms = int_of(L, o, "within_ms", 0, s->id);
	s->within_src = str_of(L, o, "within_src", 1, s->id);
	json_t *g = json_object_get(o, "gate");
	if (json_is_object(g)) {
		tmpl_of(L, json_object_get(g, "prompt"), &s->gate_prompt, s->id);
		json_t *show = json_object_get(g, "show");
		s->ngate_show = json_is_array(show) ? json_array_size(show) : 0;
		s->gate_show = arena_alloc(L->p->arena, (s->ngate_show + 1) * sizeof *s->gate_show);
		for (size_t i = 0; i < s->ngate_show; i++)
			expr_of(L, json_array_get(show, i), &s->gate_show[i], s->id);
	}
	json_t *of = json_object_get(o, "on_failure");
	const char *mode = json_string_value(json_object_get(of, "mode"));
	if (!mode || !strcmp(mode, "abort"))
		s->on_failure = IR_ONFAIL_ABORT;
	else if (!strcmp(mode, "continue"))
		s->on_failure = IR_ONFAIL_CONTINUE;
	else if (!strcmp(mode, "steps"))
		s->on_failure = IR_ONFAIL_STEPS;
	else
		fail(L, "invalid IR: step '%s': on_failure mode '%s'", s->id, mode);
	steps_of(L, json_object_get(of, "steps"), &s->on_failure_steps, &s->non_failure_steps, depth + 1);
	s->worst_ms = int_of(L, json_object_get(o, "bounds"), "worst_ms", 0, s->id);
}

static void steps_of(struct loader *L, json_t *arr, struct ir_step **out, size_t *n, int depth)
{
	*n = json_is_array(arr) ? json_array_size(arr) : 0;
	*out = arena_alloc(L->p->arena, (*n + 1) * sizeof **out);
	if (depth > 64) {
		fail(L, "invalid IR: steps nested deeper than 64");
		*n = 0;
		return;
	}
	for (size_t i = 0; i < *n && !L->failed; i++)
		step_of(L, json_array_get(arr, i), &(*out)[i], depth);
}

int ir_load(struct ir_plan **out, const char *text, size_t len, char *err, size_t errn)
{
	struct ir_plan *p = xcalloc(1, sizeof *p);
	struct loader L = {p, err, errn, 0};
	*out = NULL;
	p->arena = arena_new();
	p->text = xstrndup(text, len);
	p->len = len;
	json_error_t je;
	p->doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!p->doc || !json_is_object(p->doc)) {
		fail(&L, "invalid IR: not a JSON object (line %d: %s)", je.line, je.text);
		goto done;
	}
	json_t *ver = json_object_get(p->doc, "ir_version");
	if (!json_is_integer(ver) || json_integer_value(ver) != IR_VERSION) {
		fail(&L, "unsupported IR version (this opsplan reads version %d); recompile the plan", IR_VERSION);
		goto done;
	}
	const char *want = json_string_value(json_object_get(p->doc, "hash"));
	if (ir_hash(text, len, p->hash) < 0 || !want || strcmp(want, p->hash) != 0) {
		fail(&L, "the IR's hash does not match its content (edited or truncated?); recompile the plan");
		goto done;
	}
	json_t *plan = json_object_get(p->doc, "plan");
	p->name = str_of(&L, plan, "name", 0, "plan");
	p->file = str_of(&L, plan, "file", 1, "plan");
	p->params = json_object();
	size_t i;
	json_t *par;
	json_array_foreach(json_object_get(p->doc, "params"), i, par) {
		const char *n = json_string_value(json_object_get(par, "name"));
		json_t *v = json_object_get(par, "value");
		if (n)
			json_object_set(p->params, n, v ? v : json_null());
	}
	steps_of(&L, json_object_get(p->doc, "steps"), &p->steps, &p->nsteps, 0);
	steps_of(&L, json_object_get(p->doc, "finally"), &p->finally_, &p->nfinally, 0);
	json_t *bounds = json_object_get(p->doc, "bounds");
	p->worst_ms = int_of(&L, bounds, "worst_ms", 0, "bounds");
	p->finally_worst_ms = int_of(&L, bounds, "finally_worst_ms", 0, "bounds");
done:
	if (L.failed) {
		ir_plan_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int ir_load_file(struct ir_plan **out, const char *path, char *err, size_t errn)
{
	*out = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc = fileio_read(&text, &len, path, IR_FILE_MAX);
	if (rc == FILEIO_TOOBIG) {
		snprintf(err, errn, "'%s' is larger than %zu MiB: not an IR", path, IR_FILE_MAX >> 20);
		return -1;
	}
	if (rc < 0) {
		snprintf(err, errn, "cannot %s '%s': %s", rc == FILEIO_OPEN ? "open" : "read", path,
			 strerror(errno));
		return -1;
	}
	rc = ir_load(out, text, len, err, errn);
	free(text);
	return rc;
}

void ir_plan_free(struct ir_plan *p)
{
	if (!p)
		return;
	json_decref(p->doc);
	json_decref(p->params);
	arena_free(p->arena);
	free(p->text);
	free(p);
}

static void walk(const struct ir_step *v, size_t n, void (*fn)(const struct ir_step *, void *), void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		fn(&v[i], ctx);
		walk(v[i].children, v[i].nchildren, fn, ctx);
		walk(v[i].on_failure_steps, v[i].non_failure_steps, fn, ctx);
	}
}

void ir_foreach_step(const struct ir_plan *p, void (*fn)(const struct ir_step *s, void *ctx), void *ctx)
{
	walk(p->steps, p->nsteps, fn, ctx);
	walk(p->finally_, p->nfinally, fn, ctx);
}
