/* diag.h - diagnostics: collected, counted, printed like a compiler's.
 *
 * The compiler never stops at the first problem: every stage adds what it
 * finds to a diag_list and the caller looks at diag_errors() (SQLite's nErr).
 * Messages are lowercase, with no trailing period, the subject in quotes
 * ("unknown key 'tiemout'"); hints are separate lines ("did you mean 'timeout'").
 * The list owns every string in it. */
#ifndef OPSPLAN_DIAG_H
#define OPSPLAN_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include "loc.h"

enum diag_severity { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

enum diag_code {
#define X(code, sev, slug, summary) code,
#include "diag_codes.h"
#undef X
	DIAG_CODE_COUNT
};

struct diag {
	enum diag_code code;
	enum diag_severity sev;
	struct loc loc;          /* loc.file NULL: no location (whole run) */
	char *msg;
	char **hints;            /* nhints strings */
	size_t nhints;
};

struct diag_list {
	struct diag *items;
	size_t n, cap;
	size_t errors, warnings;
	int werror;              /* -W error: warnings count as errors */
	/* sources registered for snippets: file name -> text (borrowed) */
	struct diag_source { const char *file; const char *text; size_t len; } *src;
	size_t nsrc, srccap;
};

void diag_init(struct diag_list *d);
void diag_release(struct diag_list *d);

/* Register the text of file so that printing can show the line and a caret.
 * text is borrowed and must outlive the list's printing. */
void diag_source(struct diag_list *d, const char *file, const char *text, size_t len);

/* Add a diagnostic with its code's default severity; returns it so hints can
 * follow.  loc may be NULL. */
struct diag *diag_add(struct diag_list *d, enum diag_code code, const struct loc *loc,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
struct diag *diag_addv(struct diag_list *d, enum diag_code code, const struct loc *loc,
		       const char *fmt, va_list ap);
void diag_hint(struct diag *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "did you mean" from edit distance: the closest of cands (ncands strings) to
 * word, or NULL when none is close enough to be a plausible typo. */
const char *diag_suggest(const char *word, const char *const *cands, size_t ncands);

size_t diag_errors(const struct diag_list *d);   /* with werror, warnings too */
void diag_sort(struct diag_list *d);             /* by file, line, col, code */

const char *diag_code_name(enum diag_code c);    /* "OP002" */
const char *diag_code_slug(enum diag_code c);    /* "yaml-duplicate-key" */
enum diag_severity diag_code_severity(enum diag_code c);
int diag_code_lookup(const char *name, enum diag_code *out); /* 0 found, -1 not */

enum diag_format { DIAG_TEXT, DIAG_JSON, DIAG_SARIF, DIAG_GITHUB };
int diag_format_parse(const char *s, enum diag_format *out);

/* Print every diagnostic.  color: 1 forces ANSI colour (caller decides from
 * isatty and NO_COLOR).  For SARIF the whole log is one JSON document. */
void diag_print(const struct diag_list *d, enum diag_format fmt, int color, FILE *out);

#endif
