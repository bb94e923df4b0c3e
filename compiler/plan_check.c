/* plan_check.c - the plan language's schema: every key, its type, its
 * defaults; see plan.h.
 *
 * One pass over the YAML tree.  Each mapping is checked against the keys it
 * may hold (unknown ones get a "did you mean"), then each known key is read
 * into the AST.  Nothing stops the walk: a bad value is reported, left at its
 * default, and the checker moves on, so one run shows every problem (jq,
 * SQLite).  Expressions are only captured here, with the column of their
 * first character; parsing and typing them is the expression stage's job. */
#include "plan.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "mem.h"
#include "regexp.h"
#include "yaml_load.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Bounds on what one plan may hold: generous for people, small for fuzzers. */
#define MAX_RETRY_ATTEMPTS 100
#define MAX_BACKOFF 10.0
#define MAX_SERIAL 1000
#define DEFAULT_TIMEOUT_MS (2 * 60 * 1000)
#define DEFAULT_EVERY_MS 2000

struct seen_id {
	const char *id;
	struct loc loc;
};

struct checker {
	struct plan *p;
	struct diag_list *d;
	const struct ydoc *doc;
	struct seen_id *ids;       /* explicit step ids, for duplicates */
	size_t nids, idcap;
	size_t *slot;              /* hash of ids: index + 1, 0 empty; a power of two long */
	size_t nslot;
};

/* ---- small helpers ------------------------------------------------------ */

static const char *got(const struct ynode *n)
{
	const char *k = ynode_kind_name(n);
	if (!strcmp(k, "null") || !strcmp(k, "nothing"))
		return k;
	return !strcmp(k, "mapping") ? "a mapping" : !strcmp(k, "sequence") ? "a list"
	     : !strcmp(k, "string") ? "a string" : !strcmp(k, "boolean") ? "a boolean"
	     : !strcmp(k, "number") ? "a number" : k;
}

static void type_error(struct checker *C, const struct ynode *n, const char *key, const char *want)
{
	diag_add(C->d, OP021, &n->loc, "expected %s for '%s', got %s", want, key, got(n));
}

static int is_map(struct checker *C, const struct ynode *n, const char *key)
{
	if (n && n->kind == YNODE_MAP)
		return 1;
	type_error(C, n, key, "a mapping");
	return 0;
}

static int is_seq(struct checker *C, const struct ynode *n, const char *key)
{
	if (n && n->kind == YNODE_SEQ)
		return 1;
	type_error(C, n, key, "a list");
	return 0;
}

/* A string value; NULL after reporting anything else. */
static const char *get_string(struct checker *C, const struct ynode *n, const char *key)
{
	if (ynode_is_string(n))
		return n->str;
	type_error(C, n, key, "a string");
	return NULL;
}

static int get_bool(struct checker *C, const struct ynode *n, const char *key, int *out)
{
	if (ynode_bool(n, out) == 0)
		return 0;
	type_error(C, n, key, "a boolean");
	return -1;
}

static int is_integer(const struct ynode *n, double *out)
{
	double x;
	if (ynode_number(n, &x) < 0 || !isfinite(x) || x != floor(x))
		return 0;
	*out = x;
	return 1;
}

/* Report every key of map not in keys[], with the closest as a hint. */
static void check_keys(struct checker *C, const struct ynode *map, const char *const *keys, size_t n,
		       const char *where)
{
	for (size_t i = 0; i < map->npairs; i++) {
		const struct ynode *k = map->pairs[i].key;
		size_t j;
		for (j = 0; j < n; j++)
			if (!strcmp(k->str, keys[j]))
				break;
		if (j < n)
			continue;
		struct diag *g = diag_add(C->d, OP020, &k->loc, "unknown key '%s' in %s", k->str, where);
		const char *s = diag_suggest(k->str, keys, n);
		if (!strcmp(k->str, "<<"))
			diag_hint(g, "YAML merge keys are not supported: write the keys out, or repeat the "
				  "value with an alias ('key: *anchor')");
		else if (s)
			diag_hint(g, "did you mean '%s'", s);
	}
}

/* Where the text of a scalar starts in the file: after the opening quote,
 * or on the first content line of a block scalar. */
static struct loc text_base(struct checker *C, const struct ynode *n)
{
	struct loc b = n->loc;
	const char *t = C->doc->text;
	size_t len = C->doc->len;
	if (n->style == YSTYLE_SINGLE || n->style == YSTYLE_DOUBLE) {
		b.col++;
		b.off++;
	} else if (n->style == YSTYLE_LITERAL || n->style == YSTYLE_FOLDED) {
		size_t off = b.off;
		uint32_t line = b.line, col = b.col;
		while (off < len && t[off] != '\n')
			off++, col++;
		/* skip blank lines and the indentation of the first content line */
		while (off < len && (t[off] == '\n' || t[off] == ' ' || t[off] == '\r')) {
			if (t[off] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
			off++;
		}
		b.off = (uint32_t)off;
		b.line = line;
		b.col = col;
	}
	b.end_line = b.line;
	b.end_col = b.col + 1;
	b.end_off = b.off + 1;
	return b;
}

/* "90", "1.5": a number with no unit, quoted or not. */
static int unitless(const char *s)
{
	size_t digits = strspn(s, "0123456789");
	if (s[digits] == '.' && digits)
		digits += 1 + strspn(s + digits + 1, "0123456789");
	return digits && !s[digits];
}

static void duration_error(struct checker *C, const struct ynode *n, const char *key)
{
	if (unitless(n->str)) {
		struct diag *g = diag_add(C->d, OP024, &n->loc, "duration '%s' for '%s' has no unit", n->str, key);
		diag_hint(g, "write '%ss', '%sm' or '%sms' (units: d, h, m, s, ms)", n->str, n->str, n->str);
		return;
	}
	struct diag *g = diag_add(C->d, OP024, &n->loc, "malformed duration '%s' for '%s'", n->str, key);
	diag_hint(g, "a duration is like 250ms, 90s, 5m, 1h30m or 2h");
}

/* A duration in ms, or -1 after reporting. */
static int64_t get_duration(struct checker *C, const struct ynode *n, const char *key)
{
	if (!n || n->kind != YNODE_SCALAR || ynode_is_null(n)) {
		type_error(C, n, key, "a duration");
		return -1;
	}
	int b;
	if (ynode_bool(n, &b) == 0) {
		type_error(C, n, key, "a duration");
		return -1;
	}
	int64_t ms = plan_duration_parse(n->str);
	if (ms < 0)
		duration_error(C, n, key);
	return ms;
}

static int64_t get_positive_duration(struct checker *C, const struct ynode *n, const char *key)
{
	int64_t ms = get_duration(C, n, key);
	if (ms == 0) {
		diag_add(C->d, OP034, &n->loc, "'%s' must be longer than 0", key);
		return -1;
	}
	return ms;
}

/* A bare expression: captured with its position, parsed later. */
static struct plan_expr *get_expr(struct checker *C, const struct ynode *n, const char *key)
{
	if (!n || n->kind != YNODE_SCALAR) {
		type_error(C, n, key, "an expression");
		return NULL;
	}
	if (ynode_is_null(n) && n->style == YSTYLE_PLAIN) {
		diag_add(C->d, OP037, &n->loc, "empty expression for '%s'", key);
		return NULL;
	}
	const char *s = n->str;
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!*s) {
		diag_add(C->d, OP037, &n->loc, "empty expression for '%s'", key);
		return NULL;
	}
	struct plan_expr *e = arena_alloc(C->p->arena, sizeof *e);
	e->text = n->str;
	e->len = n->len;
	e->loc = n->loc;
	e->base = text_base(C, n);
	return e;
}

static void fill_expr(struct checker *C, const struct ynode *n, const char *key, struct plan_expr *out)
{
	struct plan_expr *e = get_expr(C, n, key);
	if (e)
		*out = *e;
}

/* ---- silence ------------------------------------------------------------- */

static void check_silence(struct checker *C, const struct ynode *n, struct plan_silence **out, size_t *nout)
{
	if (!is_map(C, n, "silence"))
		return;
	*out = arena_alloc(C->p->arena, (n->npairs ? n->npairs : 1) * sizeof **out);
	for (size_t i = 0; i < n->npairs; i++) {
		const struct ynode *k = n->pairs[i].key, *v = n->pairs[i].value;
		enum diag_code code;
		if (diag_code_lookup(k->str, &code) < 0) {
			struct diag *g = diag_add(C->d, OP035, &k->loc, "unknown diagnostic code '%s' in 'silence'", k->str);
			diag_hint(g, "codes look like OP101; see docs/diagnostics.md");
			continue;
		}
		if (diag_code_severity(code) == DIAG_ERROR) {
			struct diag *g = diag_add(C->d, OP035, &k->loc, "'%s' is an error and cannot be silenced",
						  k->str);
			diag_hint(g, "only warnings (OP100 and up) can be silenced");
			continue;
		}
		if (!ynode_is_string(v) || !*v->str) {
			struct diag *g = diag_add(C->d, OP035, &v->loc, "silencing '%s' needs a reason, got %s",
						  k->str, ynode_is_string(v) ? "an empty string" : got(v));
			diag_hint(g, "write why the finding does not apply: %s: \"...\"", k->str);
			continue;
		}
		struct plan_silence *s = &(*out)[(*nout)++];
		s->code = code;
		s->reason = v->str;
		s->loc = k->loc;
	}
}

/* ---- retry ----------------------------------------------------------------- */

static const char *const retry_keys[] = {"attempts", "delay", "backoff"};

static int get_attempts(struct checker *C, const struct ynode *n, const char *key, int *out)
{
	double x;
	if (!is_integer(n, &x)) {
		type_error(C, n, key, "an integer");
		return -1;
	}
	if (x < 1 || x > MAX_RETRY_ATTEMPTS) {
		diag_add(C->d, OP034, &n->loc, "'%s' must be between 1 and %d, got %s", key, MAX_RETRY_ATTEMPTS,
			 n->str);
		return -1;
	}
	*out = (int)x;
	return 0;
}

/* retry := INTEGER | {attempts: INTEGER, delay: DURATION, backoff: NUMBER} */
static void check_retry(struct checker *C, const struct ynode *n, struct plan_retry *r)
{
	r->attempts = 1;
	r->delay_ms = 1000;
	r->backoff = 1.0;
	if (n->kind == YNODE_SCALAR) {
		if (get_attempts(C, n, "retry", &r->attempts) == 0)
			r->set = 1;
		return;
	}
	if (n->kind != YNODE_MAP) {
		type_error(C, n, "retry", "an integer or a mapping");
		return;
	}
	check_keys(C, n, retry_keys, COUNT(retry_keys), "'retry'");
	const struct ynode *v = ynode_get(n, "attempts");
	if (!v)
		diag_add(C->d, OP022, &n->loc, "'retry' is missing 'attempts'");
	else
		get_attempts(C, v, "attempts", &r->attempts);
	v = ynode_get(n, "delay");
	if (v) {
		int64_t ms = get_duration(C, v, "delay");
		if (ms >= 0)
			r->delay_ms = ms;
	}
	v = ynode_get(n, "backoff");
	if (v) {
		double x;
		if (ynode_number(v, &x) < 0)
			type_error(C, v, "backoff", "a number");
		else if (!(x >= 1.0 && x <= MAX_BACKOFF))
			diag_add(C->d, OP034, &v->loc, "'backoff' must be between 1 and %g, got %s", MAX_BACKOFF, v->str);
		else
			r->backoff = x;
	}
	r->set = 1;
}

/* ---- params ---------------------------------------------------------------- */

static const char *const param_keys[] = {"type", "required", "default", "match", "enum", "doc", "sensitive", "from"};
static const char *const from_keys[] = {"secret", "key", "namespace"};
static const char *const param_types[] = {"string", "number", "integer", "boolean", "duration", "list"};

/* Param names are roots of expression paths (params.max_lag_mb), so no '-'. */
static int param_name_valid(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	size_t n = 0;
	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return n <= 63;
}

/* Does the YAML value v fit the param type t?  why: what it is instead. */
static int value_fits_param(enum plan_param_type t, const struct ynode *v)
{
	double x;
	int b;
	switch (t) {
	case PARAM_STRING: return ynode_is_string(v);
	case PARAM_NUMBER: return ynode_number(v, &x) == 0;
	case PARAM_INTEGER: return is_integer(v, &x);
	case PARAM_BOOLEAN: return ynode_bool(v, &b) == 0;
	case PARAM_DURATION: return v->kind == YNODE_SCALAR && plan_duration_parse(v->str) >= 0;
	case PARAM_LIST: return v->kind == YNODE_SEQ;
	}
	return 0;
}

static struct regexp *compile_match(struct checker *C, const struct ynode *n)
{
	char msg[256];
	size_t eoff = 0;
	struct regexp *re = NULL;
	if (regexp_compile(&re, n->str, n->len, msg, sizeof msg, &eoff) == 0)
		return re;
	struct loc at = text_base(C, n);
	/* Columns are exact on a one-line scalar without escapes, the usual case. */
	if (n->loc.line == n->loc.end_line && !memchr(n->str, '\'', n->len)) {
		at.col += (uint32_t)eoff;
		at.off += (uint32_t)eoff;
		at.end_col = at.col + 1;
		at.end_off = at.off + 1;
	}
	diag_add(C->d, OP033, &at, "invalid regex in 'match': %s at offset %zu", msg, eoff);
	return NULL;
}

static void check_default(struct checker *C, struct plan_param *pp, struct regexp *re)
{
	const struct ynode *v = pp->def;
	if (!value_fits_param(pp->type, v)) {
		struct diag *g = diag_add(C->d, OP032, &v->loc, "default of param '%s' is %s, expected %s %s",
					  pp->name, got(v), pp->type == PARAM_INTEGER ? "an" : "a",
					  param_types[pp->type]);
		if (pp->type == PARAM_STRING && v->kind == YNODE_SCALAR && !ynode_is_null(v))
			diag_hint(g, "quote it: \"%s\"", v->str);
		return;
	}
	if (re && v->kind == YNODE_SCALAR) {
		/* A hostile pattern must not hang the linter: regexp bounds the backtracking. */
		char why[256];
		int rc = regexp_match(re, v->str, v->len, why, sizeof why);
		if (rc < 0)
			diag_add(C->d, OP033, &pp->match_loc, "cannot match the default of param '%s' against 'match': "
				 "the regex backtracks too much", pp->name);
		else if (rc == 0)
			diag_add(C->d, OP032, &v->loc, "default '%s' of param '%s' does not match '%s'", v->str,
				 pp->name, pp->match);
	}
	if (pp->choices && v->kind == YNODE_SCALAR) {
		for (size_t i = 0; i < pp->choices->nitems; i++) {
			const struct ynode *c = pp->choices->items[i];
			if (c->kind == YNODE_SCALAR && !strcmp(c->str, v->str))
				return;
		}
		diag_add(C->d, OP032, &v->loc, "default '%s' of param '%s' is not one of its 'enum'", v->str, pp->name);
	}
}

static void check_param_type(struct checker *C, const struct ynode *v, struct plan_param *pp)
{
	const char *t = get_string(C, v, "type");
	if (!t)
		return;
	for (size_t i = 0; i < COUNT(param_types); i++) {
		if (!strcmp(t, param_types[i])) {
			pp->type = (enum plan_param_type)i;
			return;
		}
	}
	struct diag *g = diag_add(C->d, OP034, &v->loc, "unknown param type '%s'", t);
	const char *s = diag_suggest(t, param_types, COUNT(param_types));
	if (s)
		diag_hint(g, "did you mean '%s'", s);
	else
		diag_hint(g, "types are string, number, integer, boolean, duration and list");
}

static void check_param_enum(struct checker *C, const struct ynode *v, struct plan_param *pp)
{
	if (!is_seq(C, v, "enum"))
		return;
	if (v->nitems == 0)
		diag_add(C->d, OP037, &v->loc, "'enum' of param '%s' is empty", pp->name);
	for (size_t i = 0; i < v->nitems; i++)
		if (!value_fits_param(pp->type, v->items[i]) || v->items[i]->kind != YNODE_SCALAR)
			diag_add(C->d, OP021, &v->items[i]->loc, "'enum' value of param '%s' is %s, expected a %s",
				 pp->name, got(v->items[i]), param_types[pp->type]);
	pp->choices = v;
}

/* A DNS-1123 subdomain: what a Secret's name and a namespace may be. */
static int dns_name(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 253 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

/* A Secret data key: [-._a-zA-Z0-9]+, at most 253. */
static int secret_key_valid(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 253)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-._", *s))
			return 0;
	return 1;
}

/* from: {secret: NAME, key: KEY, namespace: NS} -- the value is read by the
 * executor from a Kubernetes Secret; the param is sensitive. */
static void check_param_from(struct checker *C, const struct ynode *v, struct plan_param *pp)
{
	if (!is_map(C, v, "from"))
		return;
	check_keys(C, v, from_keys, COUNT(from_keys), "'from'");
	const struct ynode *sn = ynode_get(v, "secret"), *kn = ynode_get(v, "key"), *nn = ynode_get(v, "namespace");
	if (!sn || !kn) {
		struct diag *g = diag_add(C->d, OP039, &v->loc, "'from' of param '%s' needs 'secret' and 'key'", pp->name);
		diag_hint(g, "from: {secret: db-credentials, key: password}");
	}
	const char *name = sn ? get_string(C, sn, "secret") : NULL;
	const char *key = kn ? get_string(C, kn, "key") : NULL;
	const char *ns = nn ? get_string(C, nn, "namespace") : NULL;
	if (name && !dns_name(name))
		diag_add(C->d, OP039, &sn->loc, "'%s' is not a Secret name (lowercase letters, digits, '-' and '.')", name);
	if (key && !secret_key_valid(key))
		diag_add(C->d, OP039, &kn->loc, "'%s' is not a Secret key (letters, digits, '-', '_' and '.')", key);
	if (ns && !dns_name(ns))
		diag_add(C->d, OP039, &nn->loc, "'%s' is not a namespace name", ns);
	pp->secret_name = name && dns_name(name) ? name : NULL;
	pp->secret_key = key;
	pp->secret_ns = ns;
	pp->sensitive = 1;
	if (!pp->sensitive_loc.line)
		pp->sensitive_loc = v->loc;
}

/* sensitive: true (or from:): a string with no default (the value would sit
 * in the plan file, which is not a secret store), and not sensitive: false
 * beside from:. */
static void check_param_sensitive(struct checker *C, const struct ynode *n, struct plan_param *pp)
{
	const struct ynode *v = ynode_get(n, "sensitive"), *from = ynode_get(n, "from");
	int flag = 0, said_false = 0;
	if (v && get_bool(C, v, "sensitive", &flag) == 0) {
		pp->sensitive = flag;
		pp->sensitive_loc = v->loc;
		said_false = !flag;
	}
	if (from) {
		if (said_false)
			diag_add(C->d, OP039, &v->loc, "param '%s' comes from a Secret: it cannot be 'sensitive: false'",
				 pp->name);
		check_param_from(C, from, pp);
	}
	if (!pp->sensitive)
		return;
	if (pp->type != PARAM_STRING) {
		const struct ynode *t = ynode_get(n, "type");
		diag_add(C->d, OP039, t ? &t->loc : &pp->loc, "sensitive param '%s' must be a string, not %s %s",
			 pp->name, pp->type == PARAM_INTEGER ? "an" : "a", param_types[pp->type]);
	}
	const struct ynode *d = ynode_get(n, "default");
	if (d) {
		struct diag *g = diag_add(C->d, OP039, &d->loc, "sensitive param '%s' cannot have a default: the "
					  "value would sit in the plan file", pp->name);
		diag_hint(g, "give it with -p %s=@FILE, --params-file, or 'from: {secret: NAME, key: KEY}'",
			  pp->name);
	}
	const struct ynode *m = ynode_get(n, "enum");
	if (m)
		diag_add(C->d, OP039, &m->loc, "sensitive param '%s' cannot have an 'enum': the values would sit "
			 "in the plan file", pp->name);
}

static void check_param(struct checker *C, const struct ypair *pr, struct plan_param *pp)
{
	const struct ynode *k = pr->key, *n = pr->value;
	pp->name = k->str;
	pp->loc = k->loc;
	pp->type = PARAM_STRING;
	if (!param_name_valid(k->str)) {
		struct diag *g = diag_add(C->d, OP025, &k->loc, "invalid param name '%s'", k->str);
		diag_hint(g, "param names are lowercase letters, digits and '_', starting with a letter");
	}
	if (!is_map(C, n, k->str))
		return;
	check_keys(C, n, param_keys, COUNT(param_keys), "a param");
	const struct ynode *v = ynode_get(n, "type");
	if (v)
		check_param_type(C, v, pp);
	v = ynode_get(n, "required");
	if (v)
		get_bool(C, v, "required", &pp->required);
	v = ynode_get(n, "doc");
	if (v)
		pp->doc = get_string(C, v, "doc");
	v = ynode_get(n, "enum");
	if (v)
		check_param_enum(C, v, pp);
	struct regexp *re = NULL;
	v = ynode_get(n, "match");
	if (v) {
		pp->match = get_string(C, v, "match");
		pp->match_loc = v->loc;
		if (pp->match)
			re = compile_match(C, v);
		if (pp->match && pp->type != PARAM_STRING)
			diag_add(C->d, OP036, &v->loc, "'match' applies to string params only, '%s' is a %s", pp->name,
				 param_types[pp->type]);
	}
	v = ynode_get(n, "default");
	if (v) {
		pp->def = v;
		check_default(C, pp, re);
	}
	regexp_free(re);
	check_param_sensitive(C, n, pp);
}

static void check_params(struct checker *C, const struct ynode *n)
{
	if (!is_map(C, n, "params"))
		return;
	C->p->params = arena_alloc(C->p->arena, (n->npairs ? n->npairs : 1) * sizeof *C->p->params);
	for (size_t i = 0; i < n->npairs; i++)
		check_param(C, &n->pairs[i], &C->p->params[C->p->nparams++]);
}

/* ---- steps ----------------------------------------------------------------- */

static const char *const step_keys[] = {
	"id", "title", "do", "with", "steps", "require", "expect", "when", "for_each", "as", "serial",
	"needs", "timeout", "retry", "until", "every", "within", "gate", "on_failure", "silence",
	"idempotent",
};
static const char *const cond_keys[] = {"that", "else"};
static const char *const gate_keys[] = {"prompt", "show"};
static const char *const on_failure_words[] = {"abort", "continue"};

static struct plan_step **check_steps(struct checker *C, const struct ynode *n, const char *key,
				      struct plan_step *parent, const char *prefix, size_t *nout);

/* Step ids by hash: plans of thousands of steps are checked in linear time. */
static size_t id_hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot of id: where it is, or the empty one where it would go. */
static size_t id_slot(const struct checker *C, const char *id)
{
	size_t m = C->nslot - 1, h = id_hash(id) & m;
	while (C->slot[h] && strcmp(C->ids[C->slot[h] - 1].id, id) != 0)
		h = (h + 1) & m;
	return h;
}

static const struct seen_id *id_lookup(const struct checker *C, const char *id)
{
	if (!C->nslot)
		return NULL;
	size_t h = id_slot(C, id);
	return C->slot[h] ? &C->ids[C->slot[h] - 1] : NULL;
}

static void note_id(struct checker *C, const char *id, const struct loc *at)
{
	const struct seen_id *old = id_lookup(C, id);
	if (old) {
		struct diag *g = diag_add(C->d, OP026, at, "duplicate step id '%s'", id);
		diag_hint(g, "first defined at line %u", old->loc.line);
		return;
	}
	XGROW(C->ids, C->idcap, C->nids + 1);
	C->ids[C->nids++] = (struct seen_id){id, *at};
	if (2 * C->nids > C->nslot) {   /* keep it at most half full */
		free(C->slot);
		C->nslot = C->nslot ? 2 * C->nslot : 64;
		C->slot = xcalloc(C->nslot, sizeof *C->slot);
		for (size_t i = 0; i < C->nids; i++)
			C->slot[id_slot(C, C->ids[i].id)] = i + 1;
	} else {
		C->slot[id_slot(C, id)] = C->nids;
	}
}

/* cond := EXPR | {that: EXPR, else: TEMPLATE} */
static void check_conds(struct checker *C, const struct ynode *n, const char *key, struct plan_cond **out,
			size_t *nout)
{
	if (!is_seq(C, n, key))
		return;
	*out = arena_alloc(C->p->arena, (n->nitems ? n->nitems : 1) * sizeof **out);
	for (size_t i = 0; i < n->nitems; i++) {
		const struct ynode *it = n->items[i];
		struct plan_cond c = {.loc = it->loc};
		if (it->kind == YNODE_SCALAR) {
			fill_expr(C, it, "that", &c.that);
		} else if (it->kind == YNODE_MAP) {
			char *where = xasprintf("an item of '%s'", key);
			check_keys(C, it, cond_keys, COUNT(cond_keys), where);
			free(where);
			const struct ynode *that = ynode_get(it, "that");
			if (!that)
				diag_add(C->d, OP022, &it->loc, "an item of '%s' is missing 'that'", key);
			else
				fill_expr(C, that, "that", &c.that);
			const struct ynode *els = ynode_get(it, "else");
			if (els && get_string(C, els, "else"))
				c.else_msg = els;
		} else {
			type_error(C, it, key, "an expression or a mapping with 'that'");
			continue;
		}
		if (c.that.text)
			(*out)[(*nout)++] = c;
	}
}

static void check_gate(struct checker *C, struct plan_step *s, const struct ynode *n)
{
	struct plan_gate *g = arena_alloc(C->p->arena, sizeof *g);
	g->loc = n->loc;
	if (n->kind == YNODE_SCALAR) {
		if (get_string(C, n, "gate"))
			g->prompt = n;
		s->gate = g;
		return;
	}
	if (n->kind != YNODE_MAP) {
		type_error(C, n, "gate", "a prompt string or a mapping");
		return;
	}
	check_keys(C, n, gate_keys, COUNT(gate_keys), "'gate'");
	const struct ynode *v = ynode_get(n, "prompt");
	if (!v)
		diag_add(C->d, OP022, &n->loc, "'gate' is missing 'prompt'");
	else if (get_string(C, v, "prompt"))
		g->prompt = v;
	v = ynode_get(n, "show");
	if (v && is_seq(C, v, "show")) {
		g->show = arena_alloc(C->p->arena, (v->nitems ? v->nitems : 1) * sizeof *g->show);
		for (size_t i = 0; i < v->nitems; i++) {
			struct plan_expr *e = get_expr(C, v->items[i], "show");
			if (e)
				g->show[g->nshow++] = *e;
		}
	}
	s->gate = g;
}

static void check_needs(struct checker *C, struct plan_step *s, const struct ynode *n)
{
	const struct ynode *const *items = (const struct ynode *const *)&n;
	size_t count = 1;
	if (n->kind == YNODE_SEQ) {
		items = (const struct ynode *const *)n->items;
		count = n->nitems;
	} else if (n->kind != YNODE_SCALAR) {
		type_error(C, n, "needs", "a step id or a list of step ids");
		return;
	}
	s->needs = arena_alloc(C->p->arena, (count ? count : 1) * sizeof *s->needs);
	s->needs_loc = arena_alloc(C->p->arena, (count ? count : 1) * sizeof *s->needs_loc);
	for (size_t i = 0; i < count; i++) {
		const char *id = get_string(C, items[i], "needs");
		if (!id)
			continue;
		if (!plan_id_valid(id)) {
			diag_add(C->d, OP025, &items[i]->loc, "invalid step id '%s' in 'needs'", id);
			continue;
		}
		s->needs_loc[s->nneeds] = items[i]->loc;
		s->needs[s->nneeds++] = id;
	}
}

static void check_on_failure(struct checker *C, struct plan_step *s, const struct ynode *n)
{
	if (n->kind == YNODE_SEQ) {
		char *prefix = xasprintf("%s.on_failure", s->id);
		s->on_failure = ONFAIL_STEPS;
		s->on_failure_steps = check_steps(C, n, "on_failure", s, arena_strdup(C->p->arena, prefix),
						  &s->non_failure_steps);
		free(prefix);
		return;
	}
	const char *w = ynode_is_string(n) ? n->str : NULL;
	if (w && !strcmp(w, "abort")) {
		s->on_failure = ONFAIL_ABORT;
	} else if (w && !strcmp(w, "continue")) {
		s->on_failure = ONFAIL_CONTINUE;
	} else if (w) {
		struct diag *g = diag_add(C->d, OP034, &n->loc, "unknown 'on_failure' value '%s'", w);
		const char *sug = diag_suggest(w, on_failure_words, COUNT(on_failure_words));
		if (sug)
			diag_hint(g, "did you mean '%s'", sug);
		else
			diag_hint(g, "'on_failure' is 'abort', 'continue' or a list of steps");
	} else {
		type_error(C, n, "on_failure", "'abort', 'continue' or a list of steps");
	}
}

/* Literal `with:` values are checked against the action's param types;
 * anything holding ${{ }} is an expression, typed by the expression stage. */
static int literal_fits(const struct type *t, const struct ynode *v, const char **want)
{
	double x;
	int b;
	switch (t->kind) {
	case TYPE_ANY: return 1;
	case TYPE_NULL: *want = "null"; return ynode_is_null(v);
	case TYPE_BOOL: *want = "a boolean"; return ynode_bool(v, &b) == 0;
	case TYPE_NUMBER: *want = "a number"; return ynode_number(v, &x) == 0;
	case TYPE_STRING: *want = "a string"; return ynode_is_string(v);
	case TYPE_DURATION:
		*want = "a duration";
		return v->kind == YNODE_SCALAR && plan_duration_parse(v->str) >= 0;
	case TYPE_LIST: *want = "a list"; return v->kind == YNODE_SEQ;
	case TYPE_OBJECT: *want = "a mapping"; return v->kind == YNODE_MAP;
	}
	return 1;
}

/* A literal outside a param's choices: name them, and the closest. */
static void bad_choice(struct checker *C, const struct action *a, const struct action_param *ap,
		       const struct ynode *v)
{
	char *list = xstrdup(ap->choices);
	const char *cands[16];
	size_t n = 0, nwords = 0;
	struct strbuf names = {0};
	for (char *tok = strtok(list, "|"); tok && n < 16; tok = strtok(NULL, "|"), n++) {
		size_t len = strlen(tok);
		/* "phase=*" reads "phase=..." and is no word to suggest */
		sb_printf(&names, "%s'%.*s%s'", n ? ", " : "", (int)(len - (tok[len - 1] == '*')), tok,
			  tok[len - 1] == '*' ? "..." : "");
		if (tok[len - 1] != '*')
			cands[nwords++] = tok;
	}
	struct diag *g = diag_add(C->d, OP034, &v->loc, "'%s' of '%s' must be one of %s, got '%s'", ap->name,
				  a->name, names.s ? names.s : "", v->str);
	const char *sug = diag_suggest(v->str, cands, nwords);
	/* the usual slips: case ("Ready") and a short form ("warn") */
	for (size_t i = 0; i < nwords && !sug; i++)
		if (!strcasecmp(cands[i], v->str) || (*v->str && !strncmp(cands[i], v->str, strlen(v->str))))
			sug = cands[i];
	if (sug)
		diag_hint(g, "did you mean '%s'", sug);
	sb_release(&names);
	free(list);
}

static void unknown_with(struct checker *C, const struct action *a, const struct ynode *k)
{
	struct diag *g = diag_add(C->d, OP028, &k->loc, "action '%s' has no parameter '%s'", a->name, k->str);
	const char **names = xmalloc((a->nparams ? a->nparams : 1) * sizeof *names);
	for (size_t j = 0; j < a->nparams; j++)
		names[j] = a->params[j].name;
	const char *sug = diag_suggest(k->str, names, a->nparams);
	if (sug)
		diag_hint(g, "did you mean '%s'", sug);
	free(names);
}

/* One literal value (or an element of a list) against the type it must have. */
static void with_literal(struct checker *C, const struct action *a, const struct action_param *ap,
			 const struct type *t, const struct ynode *v)
{
	if (v->kind == YNODE_SCALAR && strstr(v->str, "${{"))
		return;
	const char *want = "";
	if (!literal_fits(t, v, &want)) {
		struct diag *g = t == ap->type
			? diag_add(C->d, OP030, &v->loc, "'%s' of '%s' expects %s, got %s", ap->name, a->name, want,
				   got(v))
			: diag_add(C->d, OP030, &v->loc, "each element of '%s' of '%s' must be %s, got %s", ap->name,
				   a->name, want, got(v));
		if (t->kind == TYPE_STRING && v->kind == YNODE_SCALAR && !ynode_is_null(v))
			diag_hint(g, "quote it: \"%s\"", v->str);
		else if (t->kind == TYPE_DURATION && unitless(v->str))
			diag_hint(g, "add a unit: '%ss'", v->str);
		return;
	}
	if (v->kind == YNODE_SCALAR && t == ap->type && !catalog_choice_ok(ap, v->str))
		bad_choice(C, a, ap, v);
	if (t->kind == TYPE_LIST && t->elem && v->kind == YNODE_SEQ)
		for (size_t i = 0; i < v->nitems; i++)
			with_literal(C, a, ap, t->elem, v->items[i]);
}

static void check_with(struct checker *C, struct plan_step *s, const struct ynode *with)
{
	const struct action *a = s->action;
	for (size_t i = 0; with && i < with->npairs; i++) {
		const struct ynode *k = with->pairs[i].key;
		const struct action_param *ap = catalog_param(a, k->str);
		if (ap)
			with_literal(C, a, ap, ap->type, with->pairs[i].value);
		else
			unknown_with(C, a, k);
	}
	for (size_t j = 0; j < a->nparams; j++) {
		if (!a->params[j].required || (with && ynode_get(with, a->params[j].name)))
			continue;
		const struct loc *at = with ? &with->loc : &s->action_loc;
		diag_add(C->d, OP029, at, "action '%s' needs 'with: %s'", a->name, a->params[j].name);
	}
}

static void check_action(struct checker *C, struct plan_step *s, const struct ynode *n)
{
	s->kind = STEP_ACTION;
	s->action_loc = n->loc;
	const char *name = get_string(C, n, "do");
	if (!name)
		return;
	s->action_name = name;
	s->action = catalog_find(name);
	if (!s->action) {
		struct diag *g = diag_add(C->d, OP027, &n->loc, "unknown action '%s'", name);
		size_t na;
		const struct action *all = catalog_all(&na);
		const char **names = xmalloc(na * sizeof *names);
		for (size_t i = 0; i < na; i++)
			names[i] = all[i].name;
		const char *sug = diag_suggest(name, names, na);
		if (sug)
			diag_hint(g, "did you mean '%s'", sug);
		else
			diag_hint(g, "actions are listed in docs/actions.md");
		free(names);
	}
}

/* Keys that only make sense next to another: report the first missing partner. */
static void requires_key(struct checker *C, const struct ynode *m, const char *key, const char *partner,
			 const char *why)
{
	const struct ypair *pr = ynode_pair(m, key);
	if (pr && !ynode_get(m, partner))
		diag_add(C->d, OP036, &pr->key->loc, "'%s' needs '%s' %s", key, partner, why);
}

/* for_each's companions: the loop variable and how many items run at once. */
static void check_step_loop(struct checker *C, struct plan_step *s, const struct ynode *m)
{
	const struct ynode *v;
	v = ynode_get(m, "as");
	if (v) {
		const char *as = get_string(C, v, "as");
		if (as && !param_name_valid(as))
			diag_add(C->d, OP025, &v->loc, "invalid loop variable name '%s'", as);
		else if (as)
			s->as = as;
	}
	v = ynode_get(m, "serial");
	if (v) {
		int b;
		double x;
		if (ynode_bool(v, &b) == 0)
			s->serial = b;
		else if (is_integer(v, &x) && x >= 0 && x <= MAX_SERIAL)
			s->serial = (int)x;
		else if (is_integer(v, &x))
			diag_add(C->d, OP034, &v->loc, "'serial' must be between 0 and %d, got %s", MAX_SERIAL, v->str);
		else
			type_error(C, v, "serial", "a boolean or an integer");
	}
}

static const char *const param_type_names[] = {"a string", "a number", "an integer", "a boolean", "a duration",
						"a list"};

/* `${{ params.NAME }}` as the whole value of a duration key: NAME when it
 * names a duration param; NULL with *bad = 0 when the value is not a
 * template (a literal duration), NULL with *bad = 1 after reporting. */
static const char *duration_param(struct checker *C, const struct ynode *n, const char *key, int *bad)
{
	*bad = 0;
	if (!n || n->kind != YNODE_SCALAR || !n->str || !strstr(n->str, "${{"))
		return NULL;
	*bad = 1;
	const char *s = n->str, *name;
	size_t len = 0;
	while (*s == ' ')
		s++;
	int ok = strncmp(s, "${{", 3) == 0;
	if (ok) {
		for (s += 3; *s == ' '; s++)
			;
		ok = strncmp(s, "params.", 7) == 0;
	}
	if (ok) {
		name = s += 7;
		while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_')
			s++;
		len = (size_t)(s - name);
		while (*s == ' ')
			s++;
		ok = len > 0 && strncmp(s, "}}", 2) == 0;
		if (ok) {
			for (s += 2; *s == ' '; s++)
				;
			ok = *s == '\0';
		}
	}
	if (!ok) {
		struct diag *g = diag_add(C->d, OP024, &n->loc, "'%s' takes a duration or '${{ params.NAME }}', not '%s'",
					  key, n->str);
		diag_hint(g, "a duration param sets it: '%s: ${{ params.window }}' with 'window: {type: duration, default: 5m}'",
			  key);
		return NULL;
	}
	/* the name's place in the file, for its diagnostics (one-line scalars) */
	struct loc at = n->loc;
	uint32_t shift = (uint32_t)(name - n->str) + (n->style == YSTYLE_SINGLE || n->style == YSTYLE_DOUBLE);
	at.col += shift;
	at.off += shift;
	char *want = arena_strndup(C->p->arena, name, len);
	const char **names = xcalloc(C->p->nparams + 1, sizeof *names);
	const struct plan_param *pp = NULL;
	for (size_t i = 0; i < C->p->nparams; i++) {
		names[i] = C->p->params[i].name;
		if (!strcmp(names[i], want))
			pp = &C->p->params[i];
	}
	if (!pp) {
		struct diag *g = diag_add(C->d, OP052, &at, "unknown field '%s' in 'params'", want);
		const char *m = diag_suggest(want, names, C->p->nparams);
		if (m)
			diag_hint(g, "did you mean '%s'", m);
		else
			diag_hint(g, "declare it under params: with type: duration");
		want = NULL;
	} else if (pp->type != PARAM_DURATION) {
		struct diag *g = diag_add(C->d, OP054, &at, "'%s' takes a duration; parameter '%s' is %s", key, want,
					  param_type_names[pp->type]);
		diag_hint(g, "declare '%s' with type: duration", want);
		want = NULL;
	} else {
		*bad = 0;
	}
	free(names);
	return want;
}

/* timeout, retry, polling and the window. */
static void check_step_timing(struct checker *C, struct plan_step *s, const struct ynode *m)
{
	const struct ynode *v;
	int bad;
	v = ynode_get(m, "timeout");
	if (v) {
		s->timeout_loc = v->loc;
		s->timeout_param = duration_param(C, v, "timeout", &bad);
		int64_t ms = s->timeout_param || bad ? -1 : get_positive_duration(C, v, "timeout");
		if (ms > 0)
			s->timeout_ms = ms;
	}
	v = ynode_get(m, "retry");
	if (v)
		check_retry(C, v, &s->retry);
	v = ynode_get(m, "until");
	if (v)
		s->until = get_expr(C, v, "until");
	v = ynode_get(m, "every");
	if (v) {
		int64_t ms = get_positive_duration(C, v, "every");
		if (ms > 0)
			s->every_ms = ms;
	}
	v = ynode_get(m, "within");
	if (v) {
		s->within_loc = v->loc;
		s->within_param = duration_param(C, v, "within", &bad);
		int64_t ms = s->within_param || bad ? -1 : get_positive_duration(C, v, "within");
		if (ms > 0)
			s->within_ms = ms;
	}
}

static void check_step_keys(struct checker *C, struct plan_step *s, const struct ynode *m)
{
	const struct ynode *v;
	v = ynode_get(m, "title");
	if (v)
		s->title = get_string(C, v, "title");
	v = ynode_get(m, "require");
	if (v)
		check_conds(C, v, "require", &s->require, &s->nrequire);
	v = ynode_get(m, "expect");
	if (v)
		check_conds(C, v, "expect", &s->expect, &s->nexpect);
	v = ynode_get(m, "when");
	if (v)
		s->when = get_expr(C, v, "when");
	v = ynode_get(m, "for_each");
	if (v)
		s->for_each = get_expr(C, v, "for_each");
	check_step_loop(C, s, m);
	v = ynode_get(m, "needs");
	if (v)
		check_needs(C, s, v);
	check_step_timing(C, s, m);
	v = ynode_get(m, "gate");
	if (v)
		check_gate(C, s, v);
	v = ynode_get(m, "on_failure");
	if (v)
		check_on_failure(C, s, v);
	v = ynode_get(m, "silence");
	if (v)
		check_silence(C, v, &s->silence, &s->nsilence);
	v = ynode_get(m, "idempotent");
	if (v)
		get_bool(C, v, "idempotent", &s->idempotent);
	requires_key(C, m, "idempotent", "do", "(it declares an action safe to repeat)");
	requires_key(C, m, "as", "for_each", "(it names the loop variable)");
	requires_key(C, m, "serial", "for_each", "(it sets how many loop items run at once)");
	requires_key(C, m, "every", "until", "(it is the poll interval)");
	requires_key(C, m, "with", "do", "(it passes the action's parameters)");
	if (s->until && s->every_ms == 0)
		s->every_ms = DEFAULT_EVERY_MS;
}

/* The explicit id, or one made from the position: "step-N" at the top,
 * "PARENT.N" inside a group (a bad explicit id falls back to it too). */
static void step_id(struct checker *C, struct plan_step *s, const struct ynode *m, const char *prefix,
		    size_t index)
{
	const struct ynode *v = ynode_get(m, "id");
	if (v) {
		s->id_loc = v->loc;
		const char *id = get_string(C, v, "id");
		if (id && !plan_id_valid(id)) {
			struct diag *g = diag_add(C->d, OP025, &v->loc, "invalid step id '%s'", id);
			diag_hint(g, "ids are [a-z][a-z0-9_-]*, at most 63 characters");
		} else if (id) {
			s->id = id;
			s->id_explicit = 1;
			note_id(C, id, &v->loc);
			return;
		}
	}
	char *gen = prefix ? xasprintf("%s.%zu", prefix, index + 1) : xasprintf("step-%zu", index + 1);
	s->id = arena_strdup(C->p->arena, gen);
	free(gen);
	s->id_loc = m->loc;
}

static struct plan_step *check_step(struct checker *C, const struct ynode *m, struct plan_step *parent,
				    const char *prefix, size_t index)
{
	struct plan_step *s = arena_alloc(C->p->arena, sizeof *s);
	s->parent = parent;
	s->loc = m->loc;
	s->as = "item";
	s->serial = 1;
	s->on_failure = ONFAIL_ABORT;
	check_keys(C, m, step_keys, COUNT(step_keys), "a step");
	step_id(C, s, m, prefix, index);

	const struct ynode *v, *act = ynode_get(m, "do"), *group = ynode_get(m, "steps");
	if (act && group) {
		diag_add(C->d, OP031, &ynode_pair(m, "steps")->key->loc, "a step has both 'do' and 'steps'");
	} else if (!act && !group) {
		struct diag *g = diag_add(C->d, OP031, &m->loc, "step '%s' has neither 'do' nor 'steps'", s->id);
		diag_hint(g, "a step calls an action with 'do:' or groups steps under 'steps:'");
	}
	if (act)
		check_action(C, s, act);
	if (group && !act) {
		s->kind = STEP_GROUP;
		s->steps = check_steps(C, group, "steps", s, s->id, &s->nsteps);
	}
	v = ynode_get(m, "with");
	if (v && is_map(C, v, "with") && s->kind == STEP_ACTION)
		s->with = v;
	if (s->action)
		check_with(C, s, s->with);
	if (ynode_get(m, "until") && s->kind == STEP_GROUP)
		diag_add(C->d, OP036, &ynode_pair(m, "until")->key->loc,
			 "'until' needs 'do' (it polls an action's result)");
	check_step_keys(C, s, m);
	return s;
}

static struct plan_step **check_steps(struct checker *C, const struct ynode *n, const char *key,
				      struct plan_step *parent, const char *prefix, size_t *nout)
{
	*nout = 0;
	if (!is_seq(C, n, key))
		return NULL;
	if (n->nitems == 0) {
		diag_add(C->d, OP037, &n->loc, "'%s' is empty", key);
		return NULL;
	}
	struct plan_step **out = arena_alloc(C->p->arena, n->nitems * sizeof *out);
	for (size_t i = 0; i < n->nitems; i++) {
		const struct ynode *m = n->items[i];
		if (m->kind != YNODE_MAP) {
			diag_add(C->d, OP021, &m->loc, "expected a step (a mapping) in '%s', got %s", key, got(m));
			continue;
		}
		out[(*nout)++] = check_step(C, m, parent, prefix, i);
	}
	return out;
}

/* ---- the plan --------------------------------------------------------------- */

static const char *const plan_keys[] = {
	"opsplan", "name", "summary", "description", "params", "defaults", "steps", "finally", "silence",
};
static const char *const defaults_keys[] = {"timeout", "retry"};

static void check_header(struct checker *C, const struct ynode *root)
{
	const struct ynode *v = ynode_get(root, "opsplan");
	double x;
	if (!v) {
		struct diag *g = diag_add(C->d, OP023, &root->loc, "missing 'opsplan' version key");
		diag_hint(g, "start the plan with 'opsplan: 1'");
	} else if (!is_integer(v, &x) || x != 1) {
		struct diag *g = diag_add(C->d, OP023, &v->loc, "unsupported plan version '%s'",
					  v->kind == YNODE_SCALAR ? v->str : got(v));
		diag_hint(g, "this opsplan reads 'opsplan: 1'");
	} else {
		C->p->version = 1;
	}
	v = ynode_get(root, "name");
	if (!v) {
		diag_add(C->d, OP022, &root->loc, "the plan is missing 'name'");
	} else {
		C->p->name = get_string(C, v, "name");
		if (C->p->name && !plan_id_valid(C->p->name)) {
			struct diag *g = diag_add(C->d, OP025, &v->loc, "invalid plan name '%s'", C->p->name);
			diag_hint(g, "names are [a-z][a-z0-9_-]*, at most 63 characters");
		}
	}
	v = ynode_get(root, "summary");
	if (v)
		C->p->summary = get_string(C, v, "summary");
	v = ynode_get(root, "description");
	if (v)
		C->p->description = get_string(C, v, "description");
}

static void check_defaults(struct checker *C, const struct ynode *n)
{
	if (!is_map(C, n, "defaults"))
		return;
	check_keys(C, n, defaults_keys, COUNT(defaults_keys), "'defaults'");
	const struct ynode *v = ynode_get(n, "timeout");
	if (v) {
		int64_t ms = get_positive_duration(C, v, "timeout");
		if (ms > 0)
			C->p->default_timeout_ms = ms;
	}
	v = ynode_get(n, "retry");
	if (v)
		check_retry(C, v, &C->p->default_retry);
}

/* A step without an id at the top level is "step-N", which is also a valid
 * explicit id: two steps must never share one (the journal and steps.ID key
 * on it).  Nested and finally steps get ids with a '.', which no explicit id
 * can have. */
static void check_generated_ids(struct checker *C)
{
	for (size_t i = 0; i < C->p->nsteps; i++) {
		const struct plan_step *s = C->p->steps[i];
		if (s->id_explicit)
			continue;
		const struct seen_id *e = id_lookup(C, s->id);
		if (e) {
			struct diag *g = diag_add(C->d, OP026, &e->loc,
						  "step id '%s' is also the name given to the step without an id at line %u",
						  s->id, s->loc.line);
			diag_hint(g, "give the step at line %u an id", s->loc.line);
		}
	}
}

struct plan *plan_check(const struct ydoc *doc, struct diag_list *d)
{
	if (!doc || !doc->root)
		return NULL;
	const struct ynode *root = doc->root;
	if (root->kind != YNODE_MAP) {
		diag_add(d, OP021, &root->loc, "expected a plan (a mapping), got %s", got(root));
		return NULL;
	}
	struct plan *p = xcalloc(1, sizeof *p);
	p->arena = arena_new();
	p->doc = doc;
	p->file = doc->file;
	p->default_timeout_ms = DEFAULT_TIMEOUT_MS;
	p->default_retry = (struct plan_retry){.attempts = 1, .delay_ms = 1000, .backoff = 1.0};
	struct checker C = {.p = p, .d = d, .doc = doc};

	check_keys(&C, root, plan_keys, COUNT(plan_keys), "the plan");
	check_header(&C, root);
	const struct ynode *v;
	v = ynode_get(root, "params");
	if (v)
		check_params(&C, v);
	v = ynode_get(root, "defaults");
	if (v)
		check_defaults(&C, v);
	v = ynode_get(root, "steps");
	if (!v)
		diag_add(d, OP022, &root->loc, "the plan is missing 'steps'");
	else
		p->steps = check_steps(&C, v, "steps", NULL, NULL, &p->nsteps);
	v = ynode_get(root, "finally");
	if (v)
		p->finally = check_steps(&C, v, "finally", NULL, "finally", &p->nfinally);
	v = ynode_get(root, "silence");
	if (v)
		check_silence(&C, v, &p->silence, &p->nsilence);
	check_generated_ids(&C);
	free(C.ids);
	free(C.slot);
	return p;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	arena_free(p->arena);
	free(p);
}

/* ---- walking ---------------------------------------------------------------- */

static int walk_list(struct plan_step **steps, size_t n, int (*fn)(struct plan_step *, void *), void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		struct plan_step *s = steps[i];
		int r = fn(s, ctx);
		if (r)
			return r;
		r = walk_list(s->steps, s->nsteps, fn, ctx);
		if (r)
			return r;
		r = walk_list(s->on_failure_steps, s->non_failure_steps, fn, ctx);
		if (r)
			return r;
	}
	return 0;
}

int plan_walk(struct plan *p, int (*fn)(struct plan_step *s, void *ctx), void *ctx)
{
	if (!p)
		return 0;
	int r = walk_list(p->steps, p->nsteps, fn, ctx);
	if (r)
		return r;
	return walk_list(p->finally, p->nfinally, fn, ctx);
}
