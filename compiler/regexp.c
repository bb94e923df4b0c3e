/* regexp.c - see regexp.h. */
#include "regexp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "mem.h"

struct regexp {
	pcre2_code *code;
	pcre2_match_data *md;      /* sized for the pattern's groups */
	pcre2_match_context *mc;   /* holds the limits */
};

static void message(int code, char *err, size_t errsz)
{
	PCRE2_UCHAR msg[256];
	if (!err || !errsz)
		return;
	if (pcre2_get_error_message(code, msg, sizeof msg) < 0)
		snprintf((char *)msg, sizeof msg, "unknown error %d", code);
	snprintf(err, errsz, "%s", (const char *)msg);
}

int regexp_compile(struct regexp **out, const char *pattern, size_t len, char *err, size_t errsz,
		   size_t *erroff)
{
	int code;
	PCRE2_SIZE off = 0;
	*out = NULL;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)pattern, len, PCRE2_UTF, &code, &off, NULL);
	if (!c) {
		message(code, err, errsz);
		if (erroff)
			*erroff = (size_t)off;
		return -1;
	}
	struct regexp *re = xcalloc(1, sizeof *re);
	re->code = c;
	re->md = pcre2_match_data_create_from_pattern(c, NULL);
	re->mc = pcre2_match_context_create(NULL);
	if (!re->md || !re->mc)
		abort();   /* out of memory: like xmalloc */
	pcre2_set_match_limit(re->mc, REGEXP_MATCH_LIMIT);
	pcre2_set_depth_limit(re->mc, REGEXP_DEPTH_LIMIT);
	*out = re;
	return 0;
}

int regexp_match(struct regexp *re, const char *s, size_t len, char *err, size_t errsz)
{
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, re->md, re->mc);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	message(rc, err, errsz);
	return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT
		       ? REGEXP_LIMIT : REGEXP_FAILED;
}

void regexp_free(struct regexp *re)
{
	if (!re)
		return;
	pcre2_match_context_free(re->mc);
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}
