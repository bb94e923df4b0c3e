/* report.h - the run report: a pure function of a run's journal.
 *
 * Why a pure function: the report printed at the end of a run, the one
 * `opsplan runs show RUN` prints a week later and the one attached to a change
 * ticket must be the same document, provable from the journal alone.
 *
 * It lists every step (one row per step and loop item) with its status,
 * attempts, start, duration, result summary and the evidence behind each
 * assertion (expression, evaluated value, verdict); brackets opened and
 * closed (an unclosed one is flagged); the time spent in each window and in
 * maintenance; gates and their answers; signals; the final state and exit
 * code.  Field names come from the record contract in journal.h; a field
 * that is missing is printed as "-", never guessed. */
#ifndef OPSPLAN_REPORT_H
#define OPSPLAN_REPORT_H

#include <stdio.h>

#include "journal.h"

enum report_format {
	REPORT_TEXT,             /* for a terminal */
	REPORT_MARKDOWN,         /* for a ticket (--report FILE.md) */
	REPORT_JSON,             /* one JSON document, for machines */
	REPORT_HTML,             /* one self-contained page with a timeline (report_html.c) */
};

/* "text", "md" or "markdown", "json", "html"; 0 found, -1 unknown. */
int report_format_parse(const char *s, enum report_format *out);

/* Render the report of r to out.  r is borrowed.  Returns 0, or -1 when out
 * reports a write error. */
int report_render(const struct journal_records *r, enum report_format fmt, FILE *out);

/* The same report as a JSON object (what REPORT_JSON prints); the caller
 * owns the reference. */
json_t *report_json(const struct journal_records *r);

/* The report as one self-contained HTML page (what REPORT_HTML prints):
 * an SVG timeline of the run (steps, loop items, attempts, mutations, gates,
 * brackets, windows, resume points, the failure) with a table as its text
 * alternative, then the summary (parameters with secret-looking ones
 * redacted), the steps with their evidence, mutations in <details>, and the
 * SHA-256 of the journal file at r->path.  No script, no URL: the page loads
 * nothing.  Every journal string is HTML-escaped.  r is borrowed.  Returns
 * 0, or -1 when out reports a write error. */
int report_html(const struct journal_records *r, FILE *out);

/* A duration as people read it: "850ms", "1.2s", "4m12s", "1h02m03s"; "-"
 * when ms < 0.  out should hold 32 bytes. */
void report_duration(char *out, size_t n, long long ms);

#endif
