/* expr_version.c - version strings compared the way people mean them.
 *
 * A version is a sequence of numeric and alphabetic runs; separators
 * (. - _) only split runs and a leading 'v' is dropped, so "v3.0.2" ==
 * "3.0.2".  Numbers compare by value whatever their length ("2.0.10" >
 * "2.0.9"), missing trailing numbers are zero ("2.0" == "2.0.0"), and an
 * alphabetic run where the other version has ended marks a pre-release
 * ("2.0.1rc1" < "2.0.1").  Build metadata after '+' is ignored (semver). */
#include "expr.h"

#include <ctype.h>
#include <string.h>

struct run {
	const char *s;
	size_t n;
	int numeric;
};

/* The next run at *p, or 0 at the end. */
static int next_run(const char **p, struct run *r)
{
	const char *s = *p;
	while (*s && *s != '+' && !isalnum((unsigned char)*s))
		s++;
	if (!*s || *s == '+') {
		*p = s;
		return 0;
	}
	r->numeric = isdigit((unsigned char)*s) != 0;
	r->s = s;
	while (*s && isalnum((unsigned char)*s) && (isdigit((unsigned char)*s) != 0) == r->numeric)
		s++;
	r->n = (size_t)(s - r->s);
	*p = s;
	if (r->numeric) {   /* leading zeros do not count */
		while (r->n > 1 && r->s[0] == '0') {
			r->s++;
			r->n--;
		}
	}
	return 1;
}

static int cmp_run(const struct run *a, const struct run *b)
{
	if (a->numeric != b->numeric)
		return a->numeric ? 1 : -1;   /* 1.0.1 > 1.0.rc */
	if (a->numeric && a->n != b->n)
		return a->n < b->n ? -1 : 1;
	size_t n = a->n < b->n ? a->n : b->n;
	int c = memcmp(a->s, b->s, n);
	if (c)
		return c < 0 ? -1 : 1;
	return a->n == b->n ? 0 : a->n < b->n ? -1 : 1;
}

/* The sign of "this version, which goes on with the runs at p" against one
 * that has ended: zeros change nothing, a number makes it newer, letters
 * make it a pre-release. */
static int tail_sign(const char *p)
{
	struct run r;
	while (next_run(&p, &r)) {
		if (!r.numeric)
			return -1;
		if (!(r.n == 1 && r.s[0] == '0'))
			return 1;
	}
	return 0;
}

static const char *skip_v(const char *s)
{
	while (*s == ' ')
		s++;
	if ((*s == 'v' || *s == 'V') && isdigit((unsigned char)s[1]))
		s++;
	return s;
}

int expr_version_cmp(const char *a, const char *b)
{
	const char *pa = skip_v(a ? a : ""), *pb = skip_v(b ? b : "");
	for (;;) {
		struct run ra, rb;
		const char *sa = pa, *sb = pb;
		int ha = next_run(&pa, &ra), hb = next_run(&pb, &rb);
		if (!ha && !hb)
			return 0;
		if (!hb)
			return tail_sign(sa);
		if (!ha)
			return -tail_sign(sb);
		int c = cmp_run(&ra, &rb);
		if (c)
			return c;
	}
}
