/* lint_params.c - see lint_params.h.
 *
 * A param is read when the source names it as `params.NAME`,
 * `params["NAME"]` or `params['NAME']`: every place a param can be read
 * (expressions, templates, `timeout: ${{ params.w }}`) is text in the file,
 * so one pass over the bytes finds them all without re-walking the ASTs.
 * A mention in a comment counts as a read: the lint may miss an unused
 * param, it never flags a used one. */
#include "lint_params.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "yaml_load.h"

static int ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Mark the param called name[0..len), if there is one. */
static void mark(const struct plan *p, unsigned char *used, const char *name, size_t len)
{
	for (size_t i = 0; i < p->nparams; i++)
		if (strlen(p->params[i].name) == len && !memcmp(p->params[i].name, name, len))
			used[i] = 1;
}

/* The name after `params` at s (s just past the word), or len 0. */
static size_t name_after(const char *s, const char *end, const char **name)
{
	if (s < end && *s == '.') {
		const char *n = ++s;
		while (s < end && ident_char(*s))
			s++;
		*name = n;
		return (size_t)(s - n);
	}
	if (s + 1 < end && *s == '[' && (s[1] == '"' || s[1] == '\'')) {
		char q = s[1];
		const char *n = s + 2, *close = memchr(n, q, (size_t)(end - n));
		*name = n;
		return close ? (size_t)(close - n) : 0;
	}
	return 0;
}

static int silenced(const struct plan *p)
{
	for (size_t i = 0; i < p->nsilence; i++)
		if (p->silence[i].code == OP106)
			return 1;
	return 0;
}

size_t lint_params_check(const struct plan *p, struct diag_list *d)
{
	if (!p->nparams || !p->doc || !p->doc->text || silenced(p))
		return 0;
	unsigned char used_small[64];
	unsigned char *used = p->nparams <= sizeof used_small ? used_small : calloc(p->nparams, 1);
	if (!used)
		return 0;
	memset(used, 0, p->nparams);
	const char *t = p->doc->text, *end = t + p->doc->len;
	/* strstr: a plan that loaded holds no NUL byte (libyaml refuses one). */
	const char *s = strstr(t, "params");
	while (s) {
		const char *name;
		size_t len = 0;
		if (s == t || (!ident_char(s[-1]) && s[-1] != '.'))
			len = name_after(s + 6, end, &name);
		if (len)
			mark(p, used, name, len);
		s = strstr(s + 6, "params");
	}
	size_t n = 0;
	for (size_t i = 0; i < p->nparams; i++) {
		if (used[i])
			continue;
		struct diag *g = diag_add(d, OP106, &p->params[i].loc, "param '%s' is declared and never read",
					  p->params[i].name);
		diag_hint(g, "remove it, or read it as 'params.%s'", p->params[i].name);
		n++;
	}
	if (used != used_small)
		free(used);
	return n;
}
