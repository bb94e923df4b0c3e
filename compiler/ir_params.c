/* ir_params.c - the plan's parameters resolved for the IR: -p values
 * converted to their declared type, `match:` and `enum:` enforced, defaults
 * applied.  Values are what the runtime puts at params.NAME (docs/ir.md). */
#include "ir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "graph.h"
#include "mem.h"
#include "plan.h"
#include "regexp.h"
#include "sensitive.h"
#include "yaml_load.h"

static const char *const type_names[] = {"string", "number", "integer", "boolean", "duration", "list"};

static json_t *jstr(const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);
	return v ? v : json_null();   /* invalid UTF-8: the caller reports it */
}

static json_t *num(double x)
{
	if (x == floor(x) && fabs(x) < 9007199254740992.0)
		return json_integer((json_int_t)x);
	return json_real(x);
}

json_t *ir_json_of_ynode(const struct ynode *n)
{
	if (!n)
		return json_null();
	if (n->kind == YNODE_SEQ) {
		json_t *a = json_array();
		for (size_t i = 0; i < n->nitems; i++)
			json_array_append_new(a, ir_json_of_ynode(n->items[i]));
		return a;
	}
	if (n->kind == YNODE_MAP) {
		json_t *o = json_object();
		for (size_t i = 0; i < n->npairs; i++)
			json_object_set_new(o, n->pairs[i].key->str, ir_json_of_ynode(n->pairs[i].value));
		return o;
	}
	if (n->style == YSTYLE_PLAIN && !n->tag) {
		int b;
		double x;
		if (ynode_is_null(n))
			return json_null();
		if (ynode_bool(n, &b) == 0)
			return json_boolean(b);
		if (ynode_number(n, &x) == 0 && isfinite(x))
			return num(x);
	}
	return jstr(n->str, n->len);
}

/* Text -> value of type t; NULL when it does not fit.  *ms gets durations. */
static json_t *convert_text(enum plan_param_type t, const char *s, int64_t *ms)
{
	char *end;
	switch (t) {
	case PARAM_STRING:
		return json_string(s);
	case PARAM_NUMBER:
	case PARAM_INTEGER: {
		double x = strtod(s, &end);
		if (end == s || *end || !isfinite(x) || (t == PARAM_INTEGER && x != floor(x)))
			return NULL;
		return num(x);
	}
	case PARAM_BOOLEAN:
		if (strcmp(s, "true") == 0)
			return json_true();
		if (strcmp(s, "false") == 0)
			return json_false();
		return NULL;
	case PARAM_DURATION:
		*ms = plan_duration_parse(s);
		return *ms < 0 ? NULL : num((double)*ms / 1000.0);
	case PARAM_LIST:
		if (s[0] == '[') {
			json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);
			if (json_is_array(v))
				return v;
			json_decref(v);
			return NULL;
		} else {
			json_t *a = json_array();
			const char *p = s;
			while (*p) {
				const char *c = strchr(p, ',');
				size_t n = c ? (size_t)(c - p) : strlen(p);
				json_array_append_new(a, jstr(p, n));
				p += n + (c ? 1 : 0);
			}
			return a;
		}
	}
	return NULL;
}

static json_t *convert_default(const struct plan_param *pp, int64_t *ms)
{
	const struct ynode *n = pp->def;
	if (pp->type == PARAM_LIST)
		return n->kind == YNODE_SEQ ? ir_json_of_ynode(n) : NULL;
	if (n->kind != YNODE_SCALAR)
		return NULL;
	if (pp->type == PARAM_STRING)
		return jstr(n->str, n->len);
	return convert_text(pp->type, n->str, ms);
}

/* 1 s matches re_text, 0 it does not, < 0 it could not tell (why says why:
 * a -p value must not hang the command on a catastrophic pattern). */
static int matches(const char *re_text, const char *s, char *why, size_t whysz)
{
	struct regexp *re = NULL;
	if (regexp_compile(&re, re_text, strlen(re_text), why, whysz, NULL) < 0)
		return 1;   /* plan_check reported the regex (OP033) */
	int rc = regexp_match(re, s, strlen(s), why, whysz);
	regexp_free(re);
	return rc;
}

static int in_choices(const struct ynode *choices, const json_t *v)
{
	for (size_t i = 0; i < choices->nitems; i++) {
		json_t *c = ir_json_of_ynode(choices->items[i]);
		int eq = json_equal(c, v) || (json_is_number(c) && json_is_number(v) &&
					       json_number_value(c) == json_number_value(v));
		json_decref(c);
		if (eq)
			return 1;
	}
	return 0;
}

/* The -p value for name, or NULL; the last one given wins. */
static const char *cli_value(const struct compile_opts *o, const char *name)
{
	const char *v = NULL;
	size_t n = strlen(name);
	for (size_t i = 0; o && i < o->nparams; i++)
		if (strncmp(o->params[i], name, n) == 0 && o->params[i][n] == '=')
			v = o->params[i] + n + 1;
	return v;
}

static void check_unknown(const struct plan *p, const struct compile_opts *o, struct diag_list *d)
{
	const char **names = xcalloc(p->nparams + 1, sizeof *names);
	for (size_t i = 0; i < p->nparams; i++)
		names[i] = p->params[i].name;
	for (size_t i = 0; o && i < o->nparams; i++) {
		const char *eq = strchr(o->params[i], '=');
		size_t n = eq ? (size_t)(eq - o->params[i]) : strlen(o->params[i]);
		size_t k;
		for (k = 0; k < p->nparams; k++)
			if (strlen(names[k]) == n && strncmp(names[k], o->params[i], n) == 0)
				break;
		if (k < p->nparams && eq)
			continue;
		char *name = xstrndup(o->params[i], n);
		/* the value is not printed: a mistyped name may carry a secret */
		struct diag *g = eq ? diag_add(d, OP153, NULL, "-p '%s=...': the plan has no parameter '%s'", name, name)
				    : diag_add(d, OP153, NULL, "-p '%s': expected name=value", o->params[i]);
		const char *m = eq ? diag_suggest(name, names, p->nparams) : NULL;
		if (m)
			diag_hint(g, "did you mean '%s'", m);
		free(name);
	}
	free(names);
}

/* A sensitive param: checked like any other, but its value goes to
 * o->sensitive_values and the IR gets a marker and a salted digest; no
 * message names the value. */
static json_t *resolve_sensitive(const struct plan *p, const struct plan_param *pp, const struct compile_opts *o,
				 struct diag_list *d)
{
	const char *given = cli_value(o, pp->name);
	const char *from = "unset";
	json_t *digest = json_null();
	if (pp->secret_name && given) {
		struct diag *g = diag_add(d, OP153, &pp->loc, "-p %s: the parameter is read from Secret '%s' at run "
					  "time; it takes no -p", pp->name, pp->secret_name);
		diag_hint(g, "drop -p %s, or drop its 'from:'", pp->name);
	} else if (pp->secret_name) {
		from = "secret";
	} else if (given) {
		char why[256] = "";
		int fits = pp->match ? matches(pp->match, given, why, sizeof why) : 1;
		json_t *probe = json_string(given);
		if (!probe)
			diag_add(d, OP151, &pp->loc, "-p %s: the value is not valid UTF-8", pp->name);
		else if (fits == 0)
			diag_add(d, OP152, &pp->loc, "-p %s=(sensitive) does not match '%s'", pp->name, pp->match);
		else if (fits < 0)
			diag_add(d, OP152, &pp->loc, "-p %s=(sensitive): cannot tell whether it matches '%s': the regex "
				 "backtracks too much", pp->name, pp->match);
		char dg[SENSITIVE_DIGEST_MAX];
		if (probe && sensitive_digest(dg, given) == 0) {
			from = "cli";
			json_decref(digest);
			digest = json_string(dg);
			if (o && o->sensitive_values)
				json_object_set_new((json_t *)o->sensitive_values, pp->name, json_incref(probe));
		} else if (probe) {
			diag_add(d, OP151, &pp->loc, "-p %s: cannot read /dev/urandom to salt the digest of a sensitive "
				 "value", pp->name);
		}
		json_decref(probe);
	} else if (pp->required && o && o->params_required) {
		struct diag *g = diag_add(d, OP150, &pp->loc, "parameter '%s' is required and has no value", pp->name);
		diag_hint(g, "pass it with -p %s=@FILE (the file holds the value) or --params-file", pp->name);
	}
	json_t *o_ = json_object();
	json_object_set_new(o_, "name", json_string(pp->name));
	json_object_set_new(o_, "type", json_string(type_names[pp->type]));
	json_object_set_new(o_, "required", json_boolean(pp->required));
	json_object_set_new(o_, "value", json_null());
	json_object_set_new(o_, "from", json_string(from));
	json_object_set_new(o_, "match", pp->match ? json_string(pp->match) : json_null());
	json_object_set_new(o_, "choices", json_null());
	json_object_set_new(o_, "doc", pp->doc ? json_string(pp->doc) : json_null());
	json_object_set_new(o_, "sensitive", json_true());
	json_object_set_new(o_, "digest", digest);
	if (pp->secret_name)
		json_object_set_new(o_, "secret", json_pack("{s:s, s:s, s:s*}", "name", pp->secret_name, "key",
							    pp->secret_key ? pp->secret_key : "", "namespace",
							    pp->secret_ns));
	char *src = xasprintf("%s:%u:%u", p->file ? p->file : "-", (unsigned)pp->loc.line, (unsigned)pp->loc.col);
	json_object_set_new(o_, "src", json_string(src));
	free(src);
	return o_;
}

static json_t *resolve_one(const struct plan *p, const struct plan_param *pp, const struct compile_opts *o,
			   struct diag_list *d)
{
	if (pp->sensitive)
		return resolve_sensitive(p, pp, o, d);
	const char *given = cli_value(o, pp->name);
	int64_t ms = -1;
	json_t *v = NULL;
	const char *from = "unset";
	if (given) {
		from = "cli";
		v = convert_text(pp->type, given, &ms);
		char why[256] = "";
		int fits = v && !json_is_null(v) && pp->match ? matches(pp->match, given, why, sizeof why) : 1;
		if (!v) {
			diag_add(d, OP151, &pp->loc, "-p %s='%s' is not a %s", pp->name, given, type_names[pp->type]);
		} else if (json_is_null(v)) {
			diag_add(d, OP151, &pp->loc, "-p %s: the value is not valid UTF-8", pp->name);
		} else if (fits == 0) {
			diag_add(d, OP152, &pp->loc, "-p %s='%s' does not match '%s'", pp->name, given, pp->match);
		} else if (fits < 0) {
			struct diag *g = diag_add(d, OP152, &pp->loc, "-p %s='%s': cannot tell whether it matches '%s': "
						  "the regex backtracks too much (%s)", pp->name, given, pp->match, why);
			diag_hint(g, "make the 'match:' pattern unambiguous, e.g. '^a+$' rather than '^(a+)+$'");
		} else if (pp->choices && pp->choices->kind == YNODE_SEQ && !in_choices(pp->choices, v)) {
			diag_add(d, OP154, &pp->loc, "-p %s='%s' is not one of the allowed values", pp->name, given);
		}
	} else if (pp->def) {
		from = "default";
		v = convert_default(pp, &ms);
	} else if (pp->required && o && o->params_required) {
		struct diag *g = diag_add(d, OP150, &pp->loc, "parameter '%s' is required and has no value", pp->name);
		diag_hint(g, "pass it with -p %s=VALUE", pp->name);
	}
	if (!v)
		v = json_null();
	json_t *o_ = json_object();
	json_object_set_new(o_, "name", json_string(pp->name));
	json_object_set_new(o_, "type", json_string(type_names[pp->type]));
	json_object_set_new(o_, "required", json_boolean(pp->required));
	json_object_set_new(o_, "value", v);
	if (pp->type == PARAM_DURATION && ms >= 0)
		json_object_set_new(o_, "value_ms", json_integer(ms));
	json_object_set_new(o_, "from", json_string(json_is_null(v) ? "unset" : from));
	json_object_set_new(o_, "match", pp->match ? json_string(pp->match) : json_null());
	json_object_set_new(o_, "choices", pp->choices ? ir_json_of_ynode(pp->choices) : json_null());
	json_object_set_new(o_, "doc", pp->doc ? json_string(pp->doc) : json_null());
	char *src = xasprintf("%s:%u:%u", p->file ? p->file : "-", (unsigned)pp->loc.line, (unsigned)pp->loc.col);
	json_object_set_new(o_, "src", json_string(src));
	free(src);
	return o_;
}

json_t *ir_params_resolve(const struct plan *p, const struct compile_opts *o, struct diag_list *d)
{
	json_t *a = json_array();
	check_unknown(p, o, d);
	for (size_t i = 0; i < p->nparams; i++)
		json_array_append_new(a, resolve_one(p, &p->params[i], o, d));
	return a;
}

static const json_t *param_named(const json_t *params, const char *name)
{
	size_t i;
	const json_t *v;
	json_array_foreach(params, i, v) {
		const char *n = json_string_value(json_object_get(v, "name"));
		if (n && !strcmp(n, name))
			return v;
	}
	return NULL;
}

static void bind_one(const json_t *params, const struct plan_step *s, const char *key, const char *name,
		     const struct loc *at, int64_t *ms, const char **from, struct diag_list *d)
{
	const json_t *pv = param_named(params, name);
	const json_t *v = pv ? json_object_get(pv, "value_ms") : NULL;
	*from = "unset";
	if (!json_is_integer(v))
		return;   /* no value (a required param not given): nothing to prove with */
	const char *f = json_string_value(json_object_get(pv, "from"));
	*from = f && !strcmp(f, "cli") ? "cli" : "default";
	if (json_integer_value(v) <= 0) {
		struct diag *g = diag_add(d, OP034, at, "'%s' of step '%s' is params.%s = 0s: it must be longer than 0",
					  key, s->id, name);
		diag_hint(g, "give -p %s= a duration longer than 0", name);
		return;
	}
	*ms = (int64_t)json_integer_value(v);
}

void ir_params_bind(struct graph *g, struct diag_list *d)
{
	for (size_t i = 0; i < g->nnodes; i++) {
		struct plan_step *s = g->nodes[i]->step;
		if (s->timeout_param)
			bind_one(g->params, s, "timeout", s->timeout_param, &s->timeout_loc, &s->timeout_ms,
				 &s->timeout_from, d);
		if (s->within_param)
			bind_one(g->params, s, "within", s->within_param, &s->within_loc, &s->within_ms,
				 &s->within_from, d);
	}
}
