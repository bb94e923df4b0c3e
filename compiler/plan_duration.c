/* plan_duration.c - durations and ids, the two small lexical forms of plans.
 *
 *   duration := part+ ;  part := DIGITS ('.' DIGITS)? unit ;  unit := 'd' | 'h' | 'm' | 's' | 'ms'
 *
 * Units go from larger to smaller and each appears once ("1h30m", not
 * "30m1h"), so a duration reads one way only.  The units are those of
 * duration literals in expressions (expr_lex.c), so both read the same text.  A bare number has no unit and
 * is malformed: "5" could mean seconds or minutes, and a plan must not guess. */
#include "plan.h"

#include <stdio.h>
#include <string.h>

/* A window longer than this is a typo ("1000h"), and the bound keeps every
 * sum of timeouts x attempts far from overflowing int64. */
#define DURATION_MAX_MS (31LL * 24 * 3600 * 1000)

static int unit_at(const char *s, int64_t *scale, size_t *len)
{
	if (s[0] == 'm' && s[1] == 's') {
		*scale = 1;
		*len = 2;
		return 0;
	}
	switch (s[0]) {
	case 'd': *scale = 86400000; break;
	case 'h': *scale = 3600000; break;
	case 'm': *scale = 60000; break;
	case 's': *scale = 1000; break;
	default: return -1;
	}
	*len = 1;
	return 0;
}

int64_t plan_duration_parse(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return -1;
	double total = 0;
	int64_t last_scale = INT64_MAX;
	while (*s) {
		double v = 0;
		size_t digits = 0;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (*s++ - '0');
			digits++;
		}
		if (*s == '.') {
			s++;
			double f = 0.1;
			size_t frac = 0;
			while (*s >= '0' && *s <= '9') {
				v += (*s++ - '0') * f;
				f /= 10;
				frac++;
			}
			if (!frac)
				return -1;
		}
		if (!digits)
			return -1;
		int64_t scale;
		size_t ulen;
		if (unit_at(s, &scale, &ulen) < 0 || scale >= last_scale)
			return -1;
		last_scale = scale;
		s += ulen;
		total += v * (double)scale;
		if (total > (double)DURATION_MAX_MS)
			return -1;
	}
	/* Sub-millisecond fractions round to the nearest millisecond. */
	return (int64_t)(total + 0.5);
}

void plan_duration_format(int64_t ms, char *buf, size_t n)
{
	if (!buf || n == 0)
		return;
	if (ms < 0) {
		snprintf(buf, n, "-");
		return;
	}
	if (ms < 1000) {
		snprintf(buf, n, "%lldms", (long long)ms);
		return;
	}
	long long h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60, rest = ms % 1000;
	size_t len = 0;
	buf[0] = '\0';
	if (h && len < n)
		len += (size_t)snprintf(buf + len, n - len, "%lldh", h);
	if (m && len < n)
		len += (size_t)snprintf(buf + len, n - len, "%lldm", m);
	if ((s || rest) && len < n) {
		if (rest) {
			/* "1.5s", "1.25s", "1.005s": trailing zeros dropped */
			char frac[8];
			snprintf(frac, sizeof frac, "%03lld", rest);
			for (int i = 2; i > 0 && frac[i] == '0'; i--)
				frac[i] = '\0';
			snprintf(buf + len, n - len, "%lld.%ss", s, frac);
		} else {
			snprintf(buf + len, n - len, "%llds", s);
		}
	}
}

int plan_id_valid(const char *id)
{
	if (!id || !(id[0] >= 'a' && id[0] <= 'z'))
		return 0;
	size_t n = 1;
	for (const char *p = id + 1; *p; p++, n++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return n <= 63;
}
