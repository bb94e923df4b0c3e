/* regexp.h - PCRE2 regular expressions with bounds: the one way opsplan
 * compiles and matches a pattern.
 *
 * Patterns come from plans and subjects from the command line or the
 * cluster, so a catastrophic pair ('^(a+)+$' against "aaa...a!") must fail,
 * not hang: every match runs with a backtracking limit (REGEXP_MATCH_LIMIT)
 * and a nesting limit (REGEXP_DEPTH_LIMIT), and running into either is an
 * answer of its own ("could not tell"), never a guess of "no match". */
#ifndef OPSPLAN_REGEXP_H
#define OPSPLAN_REGEXP_H

#include <stddef.h>

#define REGEXP_MATCH_LIMIT 1000000   /* backtracking steps: a bad regex fails, not hangs */
#define REGEXP_DEPTH_LIMIT 10000     /* nested backtracking points */

struct regexp;   /* a compiled pattern with its match data and limits */

/* Compile pattern (len bytes of UTF-8; PCRE2 syntax).  0 and *out (the
 * caller's, regexp_free) on success; -1 with PCRE2's message in err
 * ("missing closing parenthesis") and the byte offset of the problem in
 * *erroff (may be NULL). */
int regexp_compile(struct regexp **out, const char *pattern, size_t len, char *err, size_t errsz,
		   size_t *erroff);

/* Match s (len bytes) anywhere, within the limits: 1 it matches, 0 it does
 * not; otherwise it could not tell, with PCRE2's message in err ("match limit
 * exceeded"): REGEXP_LIMIT when a limit was reached, REGEXP_FAILED for any
 * other failure (invalid UTF-8 in s). */
#define REGEXP_LIMIT  (-1)
#define REGEXP_FAILED (-2)
int regexp_match(struct regexp *re, const char *s, size_t len, char *err, size_t errsz);

void regexp_free(struct regexp *re);

#endif
