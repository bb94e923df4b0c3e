/* expr_eval.c - evaluate an AST over jansson values.
 *
 * Every intermediate value is a new reference released on every path; the
 * first error wins and stops evaluation (curl's error buffer).  Recursion
 * is bounded by the AST height (expr_parse refuses deeper trees) and by
 * EXPR_MAX_JSON_DEPTH for comparing values, so no env can exhaust the stack.
 *
 * Null reads through: a field or index of null is null, as is a missing
 * field, so k8s objects with absent keys compare instead of failing.  Any
 * other misuse (a field of a number, '<' between a string and a number,
 * division by zero) is a run-time error with a message. */
#include "expr_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "regexp.h"

#define VERSION_KEY "$version"
#define MAX_STRING (16u << 20)      /* bytes of a string built by '+' */
/* Work units per evaluation (a node visited, an element copied): nested
 * lambdas over long lists are polynomial, and a run must not hang on one. */
#define EVAL_BUDGET 10000000

struct local {
	const char *name;
	json_t *v;               /* borrowed from the list being iterated */
	struct local *next;
};

struct ev {
	size_t work;             /* against EVAL_BUDGET */
	struct local *locals;
	json_t *elem[EXPR_MAX_DEPTH];
	int nelem;
	json_t *env;
	char *err;
};

static json_t *ev(struct ev *x, const struct expr *e);

static json_t *fail(struct ev *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static json_t *fail(struct ev *x, const char *fmt, ...)
{
	if (!x->err) {
		va_list ap;
		va_start(ap, fmt);
		x->err = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return NULL;
}

static int spend(struct ev *x, size_t units)
{
	x->work += units;
	if (x->work <= EVAL_BUDGET)
		return 0;
	fail(x, "expression too expensive: more than %d steps (nested loops over long lists?)", EVAL_BUDGET);
	return -1;
}

const char *expr_version_of(const json_t *v)
{
	if (!json_is_object(v) || json_object_size(v) != 1)
		return NULL;
	return json_string_value(json_object_get(v, VERSION_KEY));
}

static const char *kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL: return "null";
	case JSON_TRUE: case JSON_FALSE: return "boolean";
	case JSON_INTEGER: case JSON_REAL: return "number";
	case JSON_STRING: return "string";
	case JSON_ARRAY: return "list";
	case JSON_OBJECT: return expr_version_of(v) ? "version" : "object";
	}
	return "?";
}

/* Integers that fit a double exactly stay integers, so 3 prints as 3. */
static json_t *num(struct ev *x, double d)
{
	if (!isfinite(d))
		return fail(x, "arithmetic result is not a finite number");
	if (d == floor(d) && fabs(d) <= 9007199254740992.0)
		return json_integer((json_int_t)d);
	return json_real(d);
}

static json_t *boolean(int b)
{
	return b ? json_true() : json_false();
}

int expr_truthy(const json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_NULL: case JSON_FALSE: return 0;
	case JSON_TRUE: return 1;
	case JSON_INTEGER: case JSON_REAL: return json_number_value(v) != 0;
	case JSON_STRING: return json_string_length(v) != 0;
	case JSON_ARRAY: return json_array_size(v) != 0;
	case JSON_OBJECT: return json_object_size(v) != 0;
	}
	return 0;
}

/* --- equality and order --- */

/* 1 equal, 0 not, -1 too deep to tell. */
static int equal(const json_t *a, const json_t *b, int depth)
{
	if (depth > EXPR_MAX_JSON_DEPTH)
		return -1;
	const char *va = expr_version_of(a), *vb = expr_version_of(b);
	if (va || vb) {
		const char *sa = va ? va : json_string_value(a), *sb = vb ? vb : json_string_value(b);
		return sa && sb && expr_version_cmp(sa, sb) == 0;
	}
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       !memcmp(json_string_value(a), json_string_value(b), json_string_length(a));
	case JSON_ARRAY: {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (size_t i = 0; i < json_array_size(a); i++) {
			int r = equal(json_array_get(a, i), json_array_get(b, i), depth + 1);
			if (r != 1)
				return r;
		}
		return 1;
	}
	case JSON_OBJECT: {
		if (json_object_size(a) != json_object_size(b))
			return 0;
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)a, k, v) {
			json_t *w = json_object_get(b, k);
			if (!w)
				return 0;
			int r = equal(v, w, depth + 1);
			if (r != 1)
				return r;
		}
		return 1;
	}
	default:
		return 1;   /* null, true, false: same type is same value */
	}
}

static int equal_or_fail(struct ev *x, const json_t *a, const json_t *b)
{
	int r = equal(a, b, 0);
	if (r < 0)
		fail(x, "values nested too deeply to compare");
	return r;
}

/* Order two values into *c; -1 with an error if they have no order. */
static int order(struct ev *x, const char *op, const json_t *a, const json_t *b, int *c)
{
	const char *va = expr_version_of(a), *vb = expr_version_of(b);
	if ((va || vb) && (va || json_is_string(a)) && (vb || json_is_string(b))) {
		*c = expr_version_cmp(va ? va : json_string_value(a), vb ? vb : json_string_value(b));
		return 0;
	}
	if (json_is_number(a) && json_is_number(b)) {
		double p = json_number_value(a), q = json_number_value(b);
		*c = p < q ? -1 : p > q;
		return 0;
	}
	if (json_is_string(a) && json_is_string(b)) {
		size_t n = json_string_length(a), m = json_string_length(b);
		int r = memcmp(json_string_value(a), json_string_value(b), n < m ? n : m);
		*c = r ? (r < 0 ? -1 : 1) : (n < m ? -1 : n > m);
		return 0;
	}
	fail(x, "'%s' cannot order a %s and a %s", op, kind(a), kind(b));
	return -1;
}

/* --- strings --- */

static json_t *str_n(struct ev *x, const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);
	return v ? v : fail(x, "a string that is not valid UTF-8");
}

static int has_sub(const json_t *hay, const json_t *needle)
{
	size_t n = json_string_length(hay), m = json_string_length(needle);
	if (m == 0)
		return 1;
	const char *h = json_string_value(hay), *nd = json_string_value(needle);
	for (size_t i = 0; m <= n && i <= n - m; i++)   /* memmem is a GNU extension */
		if (h[i] == nd[0] && !memcmp(h + i, nd, m))
			return 1;
	return 0;
}

static void format_number(double d, struct strbuf *b)
{
	if (d == floor(d) && fabs(d) < 1e15) {
		sb_printf(b, "%.0f", d == 0 ? 0.0 : d);
		return;
	}
	char buf[40];
	snprintf(buf, sizeof buf, "%.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, sizeof buf, "%.17g", d);
	sb_puts(b, buf);
}

static void format_into(const json_t *v, struct strbuf *b)
{
	const char *ver = expr_version_of(v);
	if (ver) {
		sb_puts(b, ver);
		return;
	}
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_NULL: return;
	case JSON_TRUE: sb_puts(b, "true"); return;
	case JSON_FALSE: sb_puts(b, "false"); return;
	case JSON_INTEGER: case JSON_REAL: format_number(json_number_value(v), b); return;
	case JSON_STRING: sb_add(b, json_string_value(v), json_string_length(v)); return;
	default: {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
		if (s)
			sb_puts(b, s);
		free(s);
	}
	}
}

char *expr_format(const json_t *v)
{
	struct strbuf b = {0};
	format_into(v, &b);
	return b.s ? sb_detach(&b) : xstrdup("");
}

/* --- operators --- */

static json_t *match(struct ev *x, const json_t *s, const json_t *re)
{
	if (!json_is_string(s))
		return fail(x, "'=~' matches a string, not a %s", kind(s));
	if (!json_is_string(re))
		return fail(x, "the right side of '=~' must be a string (a regex), not a %s", kind(re));
	char msg[256];
	size_t off = 0;
	json_t *out = NULL;
	struct regexp *p = NULL;
	if (regexp_compile(&p, json_string_value(re), json_string_length(re), msg, sizeof msg, &off) < 0) {
		fail(x, "invalid regular expression at byte %zu: %s", off, msg);
		goto done;
	}
	/* bounded: a bad regex fails with "match limit exceeded", not hangs */
	int rc = regexp_match(p, json_string_value(s), json_string_length(s), msg, sizeof msg);
	if (rc >= 0)
		out = boolean(rc);
	else
		fail(x, "regular expression match failed: %s", msg);
done:
	regexp_free(p);
	return out;
}

static json_t *in(struct ev *x, const json_t *l, const json_t *r)
{
	if (json_is_array(r)) {
		for (size_t i = 0; i < json_array_size(r); i++) {
			int e = equal_or_fail(x, l, json_array_get(r, i));
			if (e < 0)
				return NULL;
			if (e)
				return json_true();
		}
		return json_false();
	}
	if (json_is_string(r) || (json_is_object(r) && !expr_version_of(r))) {
		if (!json_is_string(l))
			return fail(x, "'in' a %s needs a string on the left, not a %s", kind(r), kind(l));
		if (json_is_string(r))
			return boolean(has_sub(r, l));
		return boolean(json_object_getn(r, json_string_value(l), json_string_length(l)) != NULL);
	}
	return fail(x, "'in' needs a list, string or object on the right, not a %s", kind(r));
}

static json_t *add(struct ev *x, const json_t *l, const json_t *r)
{
	if (json_is_string(l) && json_is_string(r)) {
		size_t n = json_string_length(l), m = json_string_length(r);
		if (n + m > MAX_STRING)
			return fail(x, "string longer than %u bytes", MAX_STRING);
		if (spend(x, (n + m) / 64) < 0)
			return NULL;
		char *s = xmalloc(n + m + 1);
		memcpy(s, json_string_value(l), n);
		memcpy(s + n, json_string_value(r), m);
		json_t *v = str_n(x, s, n + m);
		free(s);
		return v;
	}
	if (json_is_array(l) && json_is_array(r)) {
		if (spend(x, json_array_size(l) + json_array_size(r)) < 0)
			return NULL;
		json_t *v = json_copy((json_t *)l);
		json_array_extend(v, (json_t *)r);
		return v;
	}
	if (json_is_number(l) && json_is_number(r))
		return num(x, json_number_value(l) + json_number_value(r));
	return fail(x, "'+' cannot combine a %s and a %s", kind(l), kind(r));
}

static json_t *arith(struct ev *x, enum expr_op op, const json_t *l, const json_t *r)
{
	static const char *const names[] = {[OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/", [OP_MOD] = "%"};
	if (op == OP_ADD)
		return add(x, l, r);
	if (!json_is_number(l) || !json_is_number(r))
		return fail(x, "'%s' cannot combine a %s and a %s", names[op], kind(l), kind(r));
	double a = json_number_value(l), b = json_number_value(r);
	switch (op) {
	case OP_SUB: return num(x, a - b);
	case OP_MUL: return num(x, a * b);
	case OP_DIV: return b == 0 ? fail(x, "division by zero") : num(x, a / b);
	default: return b == 0 ? fail(x, "modulo by zero") : num(x, fmod(a, b));
	}
}

static json_t *binary(struct ev *x, const struct expr *e)
{
	static const char *const names[] = {[OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">="};
	json_t *l = ev(x, e->l), *r = NULL, *out = NULL;
	if (!l)
		return NULL;
	if (e->op == OP_AND || e->op == OP_OR) {
		int t = expr_truthy(l);
		if ((e->op == OP_AND && !t) || (e->op == OP_OR && t)) {
			out = boolean(t);
			goto done;
		}
		r = ev(x, e->r);
		if (r)
			out = boolean(expr_truthy(r));
		goto done;
	}
	r = ev(x, e->r);
	if (!r)
		goto done;
	int c;
	switch (e->op) {
	case OP_EQ:
	case OP_NE:
		c = equal_or_fail(x, l, r);
		if (c >= 0)
			out = boolean(e->op == OP_EQ ? c : !c);
		break;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE:
		if (order(x, names[e->op], l, r, &c) < 0)
			break;
		out = boolean(e->op == OP_LT ? c < 0 : e->op == OP_LE ? c <= 0 : e->op == OP_GT ? c > 0 : c >= 0);
		break;
	case OP_IN: out = in(x, l, r); break;
	case OP_MATCH: out = match(x, l, r); break;
	default: out = arith(x, e->op, l, r); break;
	}
done:
	json_decref(l);
	json_decref(r);
	return out;
}

/* --- paths --- */

static json_t *root(struct ev *x, const struct expr *e)
{
	for (struct local *l = x->locals; l; l = l->next)
		if (!strcmp(l->name, e->str))
			return json_incref(l->v);
	json_t *v = json_object_get(x->env, e->str);
	if (!v)
		return fail(x, "'%s' is not defined", e->str);
	return json_incref(v);
}

static json_t *field(struct ev *x, const json_t *base, const char *name)
{
	if (json_is_null(base))
		return json_null();
	if (json_is_object(base)) {
		json_t *v = json_object_get(base, name);
		return v ? json_incref(v) : json_null();
	}
	if (json_is_array(base))
		return fail(x, "cannot read field '%s' of a list (use [*].%s for each element)", name, name);
	return fail(x, "cannot read field '%s' of a %s", name, kind(base));
}

static json_t *index_of(struct ev *x, const json_t *base, const json_t *ix)
{
	if (json_is_null(base))
		return json_null();
	if (json_is_array(base)) {
		if (!json_is_number(ix))
			return fail(x, "a list index must be a number, not a %s", kind(ix));
		double d = json_number_value(ix), n = (double)json_array_size(base);
		if (d != floor(d))
			return fail(x, "a list index must be a whole number");
		if (d < 0)
			d += n;   /* -1 is the last element */
		if (d < 0 || d >= n)
			return json_null();
		return json_incref(json_array_get(base, (size_t)d));
	}
	if (json_is_object(base)) {
		if (!json_is_string(ix))
			return fail(x, "an object key must be a string, not a %s", kind(ix));
		json_t *v = json_object_getn(base, json_string_value(ix), json_string_length(ix));
		return v ? json_incref(v) : json_null();
	}
	return fail(x, "a %s cannot be indexed", kind(base));
}

static json_t *project(struct ev *x, const struct expr *e)
{
	json_t *base = ev(x, e->l), *out = NULL;
	if (!base)
		return NULL;
	if (json_is_null(base)) {
		out = json_null();
		goto done;
	}
	if (!json_is_array(base)) {
		fail(x, "[*] needs a list, not a %s", kind(base));
		goto done;
	}
	out = json_array();
	for (size_t i = 0; i < json_array_size(base); i++) {
		x->elem[x->nelem++] = json_array_get(base, i);
		json_t *v = ev(x, e->r);
		x->nelem--;
		if (!v) {
			json_decref(out);
			out = NULL;
			goto done;
		}
		json_array_append_new(out, v);
	}
done:
	json_decref(base);
	return out;
}

/* --- functions --- */

static json_t *fn_numbers(struct ev *x, const struct expr *e, json_t **a)
{
	const char *name = expr_funcs[e->fn].name;
	json_t *list = a[0];
	size_t n = e->nargs == 1 ? json_array_size(list) : e->nargs;
	if (e->nargs == 1 && !json_is_array(list))
		return fail(x, "'%s' needs a list of numbers, not a %s", name, kind(list));
	double acc = e->fn == F_SUM ? 0 : NAN;
	for (size_t i = 0; i < n; i++) {
		json_t *v = e->nargs == 1 ? json_array_get(list, i) : a[i];
		if (json_is_null(v))
			continue;   /* Patroni's leader has no lag: absent values do not count */
		if (!json_is_number(v))
			return fail(x, "'%s' needs numbers, found a %s", name, kind(v));
		double d = json_number_value(v);
		if (e->fn == F_SUM)
			acc += d;
		else if (isnan(acc) || (e->fn == F_MAX ? d > acc : d < acc))
			acc = d;
	}
	return isnan(acc) ? json_null() : num(x, acc);
}

static size_t utf8_len(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

static json_t *fn_case(struct ev *x, const json_t *s, int up)
{
	if (!json_is_string(s))
		return fail(x, "'%s' needs a string, not a %s", up ? "upper" : "lower", kind(s));
	size_t n = json_string_length(s);
	char *b = xstrndup(json_string_value(s), n);
	for (size_t i = 0; i < n; i++)
		if (b[i] >= (up ? 'a' : 'A') && b[i] <= (up ? 'z' : 'Z'))
			b[i] = (char)(b[i] ^ 0x20);
	json_t *v = str_n(x, b, n);
	free(b);
	return v;
}

static json_t *fn_affix(struct ev *x, const struct expr *e, const json_t *s, const json_t *p)
{
	if (!json_is_string(s) || !json_is_string(p))
		return fail(x, "'%s' needs two strings, not a %s and a %s", expr_funcs[e->fn].name,
			    kind(s), kind(p));
	size_t n = json_string_length(s), m = json_string_length(p);
	if (m > n)
		return json_false();
	const char *at = json_string_value(s) + (e->fn == F_STARTSWITH ? 0 : n - m);
	return boolean(!memcmp(at, json_string_value(p), m));
}

static json_t *fn_version(struct ev *x, json_t *s)
{
	if (expr_version_of(s))
		return json_incref(s);
	if (!json_is_string(s))
		return fail(x, "'version' needs a string, not a %s", kind(s));
	json_t *v = json_object();
	json_object_set(v, VERSION_KEY, s);
	return v;
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *fn_keys(struct ev *x, const json_t *o)
{
	if (!json_is_object(o) || expr_version_of(o))
		return fail(x, "'keys' needs an object, not a %s", kind(o));
	size_t n = json_object_size(o), i = 0;
	const char **k = xmalloc((n ? n : 1) * sizeof *k);
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v)
		k[i++] = key;
	qsort(k, n, sizeof *k, cmp_keys);
	json_t *out = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_string(k[i]));
	free(k);
	return out;
}

static json_t *fn_number(struct ev *x, const json_t *v)
{
	if (json_is_number(v))
		return json_incref((json_t *)v);
	if (json_is_boolean(v))
		return json_integer(json_is_true(v));
	if (!json_is_string(v))
		return fail(x, "'number' cannot convert a %s", kind(v));
	const char *s = json_string_value(v);
	char *end;
	double d = strtod(s, &end);
	while (*end == ' ')
		end++;
	if (end == s || *end || strlen(s) != json_string_length(v) || !isfinite(d) ||
	    strchr(s, 'x') || strchr(s, 'X') || strchr(s, 'n') || strchr(s, 'N'))
		return fail(x, "'number' cannot convert '%.64s'", s);
	return num(x, d);
}

/* opened("B"): "B" in run.opened, read from the environment's root (a
 * lambda parameter named run does not change which run is meant). */
static json_t *fn_opened(struct ev *x, const json_t *name)
{
	if (!json_is_string(name))
		return fail(x, "'opened' needs a bracket name (a string), not a %s", kind(name));
	const json_t *list = json_object_get(json_object_get(x->env, "run"), "opened");
	if (!json_is_array(list))
		return fail(x, "'opened' needs run.opened, the list of open brackets, which this environment lacks");
	size_t i;
	const json_t *v;
	json_array_foreach(list, i, v)
		if (json_is_string(v) && json_equal(v, name))
			return json_true();
	return json_false();
}

/* all, any, filter, map, count: the list is a[0], the lambda e->args[1]. */
static json_t *fn_lambda(struct ev *x, const struct expr *e, const json_t *list)
{
	const char *name = expr_funcs[e->fn].name;
	if (!json_is_array(list))
		return fail(x, "'%s' needs a list, not a %s", name, kind(list));
	const struct expr *lam = e->nargs > 1 ? e->args[1] : NULL;
	json_t *out = e->fn == F_FILTER || e->fn == F_MAP ? json_array() : NULL;
	size_t count = 0, n = json_array_size(list);
	for (size_t i = 0; i < n; i++) {
		json_t *item = json_array_get(list, i);
		if (!lam) {
			count++;
			continue;
		}
		struct local l = {lam->str, item, x->locals};
		x->locals = &l;
		json_t *v = ev(x, lam->r);
		x->locals = l.next;
		if (!v) {
			json_decref(out);
			return NULL;
		}
		int t = expr_truthy(v);
		if (e->fn == F_MAP)
			json_array_append_new(out, v);
		else
			json_decref(v);
		if (e->fn == F_FILTER && t)
			json_array_append(out, item);
		count += t;
		if ((e->fn == F_ALL && !t) || (e->fn == F_ANY && t))
			return boolean(t);
	}
	switch (e->fn) {
	case F_ALL: return json_true();
	case F_ANY: return json_false();
	case F_COUNT: return json_integer((json_int_t)count);
	default: return out;
	}
}

static json_t *call2(struct ev *x, const struct expr *e, json_t **a)
{
	const char *name = expr_funcs[e->fn].name;
	switch ((enum expr_func)e->fn) {
	case F_LEN:
		if (json_is_string(a[0]))
			return json_integer((json_int_t)utf8_len(json_string_value(a[0]), json_string_length(a[0])));
		if (json_is_array(a[0]))
			return json_integer((json_int_t)json_array_size(a[0]));
		if (json_is_object(a[0]) && !expr_version_of(a[0]))
			return json_integer((json_int_t)json_object_size(a[0]));
		return fail(x, "'len' needs a string, list or object, not a %s", kind(a[0]));
	case F_MAX: case F_MIN: case F_SUM:
		return fn_numbers(x, e, a);
	case F_HAS:
		return boolean(!json_is_null(a[0]));
	case F_LOWER: case F_UPPER:
		return fn_case(x, a[0], e->fn == F_UPPER);
	case F_CONTAINS:
		if (json_is_string(a[0]) && json_is_string(a[1]))
			return boolean(has_sub(a[0], a[1]));
		if (json_is_array(a[0]))
			return in(x, a[1], a[0]);
		return fail(x, "'contains' needs a string or a list, not a %s", kind(a[0]));
	case F_STARTSWITH: case F_ENDSWITH:
		return fn_affix(x, e, a[0], a[1]);
	case F_VERSION:
		return fn_version(x, a[0]);
	case F_ALL: case F_ANY: case F_FILTER: case F_MAP: case F_COUNT:
		return fn_lambda(x, e, a[0]);
	case F_FIRST: case F_LAST:
		if (!json_is_array(a[0]))
			return fail(x, "'%s' needs a list, not a %s", name, kind(a[0]));
		if (!json_array_size(a[0]))
			return json_null();
		return json_incref(json_array_get(a[0], e->fn == F_FIRST ? 0 : json_array_size(a[0]) - 1));
	case F_KEYS:
		return fn_keys(x, a[0]);
	case F_STRING: {
		char *s = expr_format(a[0]);
		json_t *v = str_n(x, s, strlen(s));
		free(s);
		return v;
	}
	case F_NUMBER:
		return fn_number(x, a[0]);
	case F_OPENED:
		return fn_opened(x, a[0]);
	case F_COUNT_:
		break;
	}
	return fail(x, "unknown function '%s'", name);
}

static json_t *call(struct ev *x, const struct expr *e)
{
	if (e->fn < 0)
		return fail(x, "unknown function '%s'", e->str);
	const struct expr_func_info *f = &expr_funcs[e->fn];
	if ((int)e->nargs < f->min_args || (f->max_args >= 0 && (int)e->nargs > f->max_args))
		return fail(x, "'%s' called with %zu arguments", f->name, e->nargs);
	json_t *a[EXPR_MAX_ARGS] = {0};
	json_t *out = NULL;
	size_t n = 0;
	for (; n < e->nargs; n++) {
		if (e->args[n]->kind == E_LAMBDA) {
			if ((int)n != f->lambda_arg) {
				fail(x, "'%s' does not take a lambda there", f->name);
				goto done;
			}
			continue;
		}
		if ((int)n == f->lambda_arg) {
			fail(x, "the second argument of '%s' must be a lambda", f->name);
			goto done;
		}
		a[n] = ev(x, e->args[n]);
		if (!a[n])
			goto done;
	}
	out = call2(x, e, a);
done:
	for (size_t i = 0; i < n; i++)
		json_decref(a[i]);
	return out;
}

static json_t *list(struct ev *x, const struct expr *e)
{
	json_t *out = json_array();
	for (size_t i = 0; i < e->nargs; i++) {
		json_t *v = ev(x, e->args[i]);
		if (!v) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, v);
	}
	return out;
}

static json_t *ev(struct ev *x, const struct expr *e)
{
	json_t *b, *i, *v;
	if (spend(x, 1) < 0)
		return NULL;
	switch (e->kind) {
	case E_NUM: return num(x, e->num);
	case E_STR: return str_n(x, e->str, e->slen);
	case E_BOOL: return boolean(e->num != 0);
	case E_NULL: return json_null();
	case E_LIST: return list(x, e);
	case E_ROOT: return root(x, e);
	case E_ELEM:
		return x->nelem ? json_incref(x->elem[x->nelem - 1]) : fail(x, "[*] element outside a projection");
	case E_FIELD:
		b = ev(x, e->l);
		if (!b)
			return NULL;
		v = field(x, b, e->str);
		json_decref(b);
		return v;
	case E_INDEX:
		b = ev(x, e->l);
		if (!b)
			return NULL;
		i = ev(x, e->r);
		v = i ? index_of(x, b, i) : NULL;
		json_decref(b);
		json_decref(i);
		return v;
	case E_PROJECT: return project(x, e);
	case E_CALL: return call(x, e);
	case E_LAMBDA: return fail(x, "a lambda is only allowed as a function argument");
	case E_NOT:
		b = ev(x, e->l);
		if (!b)
			return NULL;
		v = boolean(!expr_truthy(b));
		json_decref(b);
		return v;
	case E_NEG:
		b = ev(x, e->l);
		if (!b)
			return NULL;
		v = json_is_number(b) ? num(x, -json_number_value(b))
				      : fail(x, "'-' negates a number, not a %s", kind(b));
		json_decref(b);
		return v;
	case E_BIN: return binary(x, e);
	}
	return fail(x, "unknown expression node");
}

int expr_eval(const struct expr *e, json_t *env, json_t **out, char **err)
{
	struct ev x = {.env = env};
	*out = NULL;
	if (err)
		*err = NULL;
	if (!e) {
		x.err = xstrdup("no expression to evaluate");
	} else {
		*out = ev(&x, e);
		if (!*out && !x.err)
			x.err = xstrdup("evaluation failed");
	}
	if (*out) {
		free(x.err);
		return 0;
	}
	if (err)
		*err = x.err;
	else
		free(x.err);
	return -1;
}
