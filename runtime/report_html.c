/* report_html.c - the run report as one self-contained HTML page (report.h).
 *
 * What a change board or an incident review looks at first: an SVG timeline
 * (one row per step, loop items as sub-rows folded when there are many,
 * attempts as segments, mutations as ticks, gates as diamonds, brackets as
 * shaded bands, windows with their bound, resume points, the failure), then
 * the same content as the text report: summary, steps with their evidence,
 * mutations in <details>, brackets, windows, gates, and the SHA-256 of the
 * journal file so the page can be tied to the journal it came from.
 *
 * Contract: a pure function of the records, like the other formats; the
 * summary and the step table come from report_json, so they cannot disagree
 * with the text report.  The page loads nothing: no script, no font, no
 * image, no URL (a Content-Security-Policy of default-src 'none' says so to
 * the browser as well).  Every string from the journal is attacker-
 * influenced (a step id, an error from an API server) and goes through
 * esc(); nothing from the journal is ever written unescaped. */
#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "journal_impl.h"
#include "mem.h"
#include "iso_time.h"

/* ---- escaping ------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/* Text or attribute value: &<>"' escaped; C0 controls other than tab and
 * newline (parse errors in HTML) and bytes that are not UTF-8 (a string cut
 * in the middle of a character) become U+FFFD. */
static void esc(FILE *o, const char *s)
{
	if (!s)
		s = "-";
	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t n = 1;
		switch (c) {
		case '&': fputs("&amp;", o); break;
		case '<': fputs("&lt;", o); break;
		case '>': fputs("&gt;", o); break;
		case '"': fputs("&quot;", o); break;
		case '\'': fputs("&#39;", o); break;
		default:
			if (c >= 0x80) {
				n = utf8_len((const unsigned char *)s);
				if (n)
					fwrite(s, 1, n, o);
				else
					fputs("\xef\xbf\xbd", o);
				n = n ? n : 1;
			} else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
				fputs("\xef\xbf\xbd", o);
			} else {
				fputc(c, o);
			}
		}
		s += n;
	}
}

/* At most max bytes of s (cut on a UTF-8 boundary, then an ellipsis), escaped. */
static void esc_cut(FILE *o, const char *s, size_t max)
{
	if (!s || strlen(s) <= max) {
		esc(o, s);
		return;
	}
	size_t n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	char *c = xstrndup(s, n);
	esc(o, c);
	fputs("\xe2\x80\xa6", o);
	free(c);
}

/* A JSON value as text: strings bare, the rest compact JSON; caller frees. */
static char *value_text(const json_t *v)
{
	if (!v)
		return xstrdup("-");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return s ? s : xstrdup("-");
}

static void esc_value(FILE *o, const json_t *v, size_t max)
{
	char *s = value_text(v);
	esc_cut(o, s, max);
	free(s);
}

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_int_t iget(const json_t *o, const char *k, json_int_t dflt)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* "09:30:12" (UTC) of an epoch-ms time. */
static const char *clock_ms(int64_t ms, char *buf, size_t n)
{
	char iso[40];
	iso_time(iso, sizeof iso, ms);
	snprintf(buf, n, "%.8s", iso + 11);
	return buf;
}

/* "09:30:12" of an ISO string member of o, or "-". */
static const char *clock_of(const json_t *o, const char *k, char *buf, size_t n)
{
	const char *s = sget(o, k);
	if (!s || strlen(s) < 19)
		return "-";
	snprintf(buf, n, "%.8s", s + 11);
	return buf;
}

/* ---- the timeline model: a second fold of the records --------------- */

/* Segment states.  ORDER SEG_STATE: seg_class, seg_word, seg_glyph. */
enum seg_state { SEG_OK, SEG_FAILED, SEG_RETRY, SEG_SKIPPED, SEG_CUT, SEG_OPEN, SEG_GATE };
static const char *const seg_class[] = {"ok", "failed", "retry", "skipped", "cut", "open", "gate"};
static const char *const seg_word[] = {"ok", "failed", "retried", "skipped", "interrupted", "unfinished",
				       "at a gate"};
static const char *const seg_glyph[] = {"\xe2\x9c\x93", "\xe2\x9c\x95", "\xe2\x86\xbb", "\xe2\x80\x93",
					"\xe2\x96\xa0", "\xe2\x80\xa6", "\xe2\x97\x87"};

struct seg {
	int64_t t0, t1;
	int attempt;
	enum seg_state st;
	const char *error;       /* borrowed from the records */
};

struct mut {
	int64_t t, t_out;        /* intent, outcome (0: none) */
	int ok;                  /* -1: no outcome recorded */
	const char *action, *why;
	json_int_t http;
};

struct trow {
	const char *step, *label;   /* borrowed */
	long long item;
	int loop;                   /* a for_each's own row */
	int owner;                  /* item row: its loop's row; nested step: its item row; -1 */
	int item_row;               /* an item of a loop (step is the loop's id) */
	int nested;                 /* has rows nested in it (drawn inside it) */
	long open;                  /* index of the open segment, -1 */
	int64_t t0, t1;
	struct seg *segs;
	size_t nsegs, capsegs;
	struct mut *muts;
	size_t nmuts, capmuts;
};

struct span {
	const char *name, *step, *close_step;
	int64_t t0, t1;
	json_int_t within, elapsed;
	int closed, exceeded;
};

struct tgate {
	const char *step, *question, *state, *by;
	int answer;                 /* -1 none, 0 no, 1 yes */
	int64_t asked, decided;     /* decided 0: no decision */
	long row;
};

enum mark_kind { MARK_RESUME, MARK_END, MARK_SIGNAL };
struct mark {
	enum mark_kind kind;
	int64_t t, from;            /* resume: from = the last record before it */
	const char *what, *detail;  /* borrowed */
	long row;                   /* MARK_END of a failed run: the failed step's row, or -1 */
};

struct tl {
	int64_t t0, t1;
	struct trow *rows;
	size_t nrows, caprows;
	json_t *index;              /* "step#item" -> row */
	struct span *brackets, *windows;
	size_t nbrackets, capbrackets, nwindows, capwindows;
	struct tgate *gates;
	size_t ngates, capgates;
	struct mark *marks;
	size_t nmarks, capmarks;
	long fail_row;              /* the last failed step-end: row, time, error */
	int64_t fail_t;
	const char *fail_err;
	int64_t prev_ms;            /* time of the record before the current one */
};

static long long item_of(const json_t *d)
{
	json_t *v = json_object_get(d, "item_index");
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

static long row_find(struct tl *t, const char *step, long long item, int create)
{
	char *key = xasprintf("%s#%lld", step, item);
	json_t *idx = json_object_get(t->index, key);
	long i = idx ? (long)json_integer_value(idx) : -1;
	if (i < 0 && create) {
		XGROW(t->rows, t->caprows, t->nrows + 1);
		struct trow *r = &t->rows[t->nrows];
		memset(r, 0, sizeof *r);
		r->step = step;
		r->item = item;
		r->owner = -1;
		r->open = -1;
		i = (long)t->nrows++;
		json_object_set_new(t->index, key, json_integer(i));
	}
	free(key);
	return i;
}

static struct trow *row_of(struct tl *t, const json_t *d)
{
	const char *step = sget(d, "step");
	long i = row_find(t, step ? step : "?", item_of(d), 1);   /* may move t->rows */
	return &t->rows[i];
}

static void seg_close(struct trow *r, int64_t at, enum seg_state st, const char *error)
{
	if (r->open < 0)
		return;
	struct seg *s = &r->segs[r->open];
	s->t1 = at < s->t0 ? s->t0 : at;
	s->st = st;
	s->error = error;
	r->open = -1;
}

static struct seg *seg_add(struct trow *r, int64_t t0, int64_t t1, int attempt, enum seg_state st)
{
	XGROW(r->segs, r->capsegs, r->nsegs + 1);
	struct seg *s = &r->segs[r->nsegs++];
	*s = (struct seg){t0, t1, attempt, st, NULL};
	return s;
}

static void on_step_start(struct tl *t, const struct journal_record *rec)
{
	struct trow *r = row_of(t, rec->data);
	int attempt = (int)iget(rec->data, "attempt", 1);
	/* an open attempt followed by a new one was retried */
	seg_close(r, rec->ms, SEG_RETRY, NULL);
	if (json_is_true(json_object_get(rec->data, "loop")))
		r->loop = 1;
	if (sget(rec->data, "item_label"))
		r->label = sget(rec->data, "item_label");
	seg_add(r, rec->ms, rec->ms, attempt, SEG_OPEN);
	r->open = (long)r->nsegs - 1;
}

static void on_step_end(struct tl *t, const struct journal_record *rec)
{
	struct trow *r = row_of(t, rec->data);
	const char *status = sget(rec->data, "status");
	enum seg_state st = !status ? SEG_CUT : !strcmp(status, "ok") ? SEG_OK
			    : !strcmp(status, "skipped") ? SEG_SKIPPED : SEG_FAILED;
	const char *error = sget(rec->data, "error");
	if (sget(rec->data, "item_label"))
		r->label = sget(rec->data, "item_label");
	if (r->open >= 0) {
		seg_close(r, rec->ms, st, error);
	} else {
		json_int_t dur = iget(rec->data, "duration_ms", 0);
		struct seg *s = seg_add(r, rec->ms - (dur > 0 ? dur : 0), rec->ms,
					(int)iget(rec->data, "attempts", 0), st);
		s->error = error;
	}
	if (st == SEG_FAILED && t->fail_row < 0) {   /* the first failure is the cause */
		t->fail_row = (long)(r - t->rows);
		t->fail_t = rec->ms;
		t->fail_err = error;
	}
}

static void on_mutation(struct tl *t, const struct journal_record *rec)
{
	struct trow *r = row_of(t, rec->data);
	if (rec->kind == JOURNAL_INTENT) {
		XGROW(r->muts, r->capmuts, r->nmuts + 1);
		r->muts[r->nmuts++] = (struct mut){rec->ms, 0, -1, sget(rec->data, "action"), NULL, -1};
		return;
	}
	for (size_t i = r->nmuts; i-- > 0;) {
		struct mut *m = &r->muts[i];
		if (m->ok < 0) {
			m->ok = json_is_true(json_object_get(rec->data, "ok"));
			m->t_out = rec->ms;
			m->http = iget(rec->data, "http_status", -1);
			m->why = sget(rec->data, "error") ? sget(rec->data, "error") : sget(rec->data, "summary");
			return;
		}
	}
}

static void on_gate(struct tl *t, const struct journal_record *rec)
{
	const char *step = sget(rec->data, "step"), *state = sget(rec->data, "state");
	if (!step)
		step = "?";
	if (state && strcmp(state, "asked") != 0) {
		for (size_t i = t->ngates; i-- > 0;) {
			struct tgate *g = &t->gates[i];
			if (!g->decided && !strcmp(g->step, step)) {
				g->decided = rec->ms;
				g->state = state;
				g->by = sget(rec->data, "by");
				json_t *a = json_object_get(rec->data, "answer");
				g->answer = json_is_boolean(a) ? json_is_true(a) : -1;
				return;
			}
		}
	}
	XGROW(t->gates, t->capgates, t->ngates + 1);
	struct tgate *g = &t->gates[t->ngates++];
	*g = (struct tgate){step, sget(rec->data, "question"), state ? state : "-", NULL, -1, rec->ms, 0,
			    row_find(t, step, -1, 1)};
	if (state && strcmp(state, "asked") != 0)
		g->decided = rec->ms;
}

static void span_open(struct span **v, size_t *n, size_t *cap, const char *name, const struct journal_record *rec)
{
	xgrow((void **)v, cap, *n + 1, sizeof **v);
	(*v)[(*n)++] = (struct span){name ? name : "?", sget(rec->data, "step"), NULL, rec->ms, rec->ms,
				     iget(rec->data, "within_ms", -1), -1, 0, 0};
}

static struct span *span_close(struct span *v, size_t n, const char *name, int64_t at)
{
	for (size_t i = n; name && i-- > 0;) {
		if (!v[i].closed && !strcmp(v[i].name, name)) {
			v[i].closed = 1;
			v[i].t1 = at;
			return &v[i];
		}
	}
	return NULL;
}

static void add_mark(struct tl *t, enum mark_kind k, int64_t at, const char *what, const char *detail)
{
	XGROW(t->marks, t->capmarks, t->nmarks + 1);
	t->marks[t->nmarks++] = (struct mark){k, at, t->prev_ms, what, detail, -1};
}

/* Every attempt still open when the run stopped or died ends there. */
static void cut_open(struct tl *t, int64_t at)
{
	for (size_t i = 0; i < t->nrows; i++)
		seg_close(&t->rows[i], at, SEG_CUT, NULL);
}

static void on_run_end(struct tl *t, const struct journal_record *rec)
{
	const char *state = sget(rec->data, "state");
	cut_open(t, rec->ms);
	if (state && !strcmp(state, "done"))
		return;
	add_mark(t, MARK_END, rec->ms, state ? state : "-", sget(rec->data, "error"));
	if (state && !strcmp(state, "failed") && t->fail_row >= 0) {
		struct mark *m = &t->marks[t->nmarks - 1];
		m->row = t->fail_row;
		m->t = t->fail_t;
		if (t->fail_err)
			m->detail = t->fail_err;
	}
}

static void tl_record(struct tl *t, const struct journal_record *rec)
{
	struct span *s;
	switch (rec->kind) {
	case JOURNAL_STEP_START: on_step_start(t, rec); break;
	case JOURNAL_STEP_END: on_step_end(t, rec); break;
	case JOURNAL_INTENT:
	case JOURNAL_OUTCOME: on_mutation(t, rec); break;
	case JOURNAL_GATE: on_gate(t, rec); break;
	case JOURNAL_BRACKET_OPEN:
		span_open(&t->brackets, &t->nbrackets, &t->capbrackets, sget(rec->data, "bracket"), rec);
		break;
	case JOURNAL_BRACKET_CLOSE:
		s = span_close(t->brackets, t->nbrackets, sget(rec->data, "bracket"), rec->ms);
		if (s)
			s->close_step = sget(rec->data, "step");
		break;
	case JOURNAL_WINDOW_OPEN:
		span_open(&t->windows, &t->nwindows, &t->capwindows, sget(rec->data, "window"), rec);
		break;
	case JOURNAL_WINDOW_CLOSE:
		s = span_close(t->windows, t->nwindows, sget(rec->data, "window"), rec->ms);
		if (s) {
			s->elapsed = iget(rec->data, "elapsed_ms", -1);
			s->exceeded = json_is_true(json_object_get(rec->data, "exceeded"));
		}
		break;
	case JOURNAL_RESUME:
		cut_open(t, t->prev_ms);
		t->fail_row = -1;
		add_mark(t, MARK_RESUME, rec->ms, "resumed", sget(rec->data, "host"));
		break;
	case JOURNAL_SIGNAL: add_mark(t, MARK_SIGNAL, rec->ms, sget(rec->data, "signal"), NULL); break;
	case JOURNAL_RUN_END: on_run_end(t, rec); break;
	case JOURNAL_RUN_START:
	case JOURNAL_KIND_COUNT: break;
	}
}

/* Which loop item each nested step ran in: rows whose item index is set but
 * whose step is not a loop's own id ran inside the item of the same index
 * whose time span holds their start (the latest such item: loops nest). */
static void tl_nest(struct tl *t)
{
	for (size_t i = 0; i < t->nrows; i++) {
		struct trow *r = &t->rows[i];
		long loop = r->item >= 0 ? row_find(t, r->step, -1, 0) : -1;
		if (loop >= 0 && t->rows[loop].loop) {
			r->owner = (int)loop;
			r->item_row = 1;
		}
	}
	for (size_t i = 0; i < t->nrows; i++) {
		struct trow *r = &t->rows[i];
		if (r->item < 0 || r->item_row)
			continue;
		long best = -1;
		for (size_t k = 0; k < t->nrows; k++) {
			struct trow *c = &t->rows[k];
			if (!c->item_row || c->item != r->item || c->t0 > r->t0 || c->t1 < r->t0)
				continue;
			if (best < 0 || c->t0 >= t->rows[best].t0)
				best = (long)k;
		}
		if (best >= 0) {
			r->owner = (int)best;
			t->rows[best].nested = 1;
		}
	}
}

static void tl_build(struct tl *t, const struct journal_records *r)
{
	memset(t, 0, sizeof *t);
	t->index = json_object();
	t->fail_row = -1;
	if (r->n) {
		t->t0 = t->t1 = r->items[0].ms;
		t->prev_ms = r->items[0].ms;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct journal_record *rec = &r->items[i];
		t->t0 = rec->ms < t->t0 ? rec->ms : t->t0;
		t->t1 = rec->ms > t->t1 ? rec->ms : t->t1;
		tl_record(t, rec);
		t->prev_ms = rec->ms;
	}
	for (size_t i = 0; i < t->nrows; i++) {
		struct trow *row = &t->rows[i];
		seg_close(row, t->t1, SEG_OPEN, NULL);   /* still running at the end of the journal */
		row->t0 = row->nsegs ? row->segs[0].t0 : t->t1;
		row->t1 = row->t0;
		for (size_t k = 0; k < row->nsegs; k++) {
			row->t0 = row->segs[k].t0 < row->t0 ? row->segs[k].t0 : row->t0;
			row->t1 = row->segs[k].t1 > row->t1 ? row->segs[k].t1 : row->t1;
		}
	}
	for (size_t i = 0; i < t->nbrackets; i++)
		if (!t->brackets[i].closed)
			t->brackets[i].t1 = t->t1;
	for (size_t i = 0; i < t->nwindows; i++)
		if (!t->windows[i].closed)
			t->windows[i].t1 = t->t1;
	if (t->t1 <= t->t0)
		t->t1 = t->t0 + 1;
	tl_nest(t);
}

static void tl_release(struct tl *t)
{
	for (size_t i = 0; i < t->nrows; i++) {
		free(t->rows[i].segs);
		free(t->rows[i].muts);
	}
	free(t->rows);
	free(t->brackets);
	free(t->windows);
	free(t->gates);
	free(t->marks);
	json_decref(t->index);
}

/* The state a row shows: its last segment's, a gate-only row's "at a gate". */
static enum seg_state row_state(const struct trow *r)
{
	if (!r->nsegs)
		return SEG_GATE;
	enum seg_state st = r->segs[r->nsegs - 1].st;
	return st == SEG_RETRY ? SEG_FAILED : st;
}

/* ---- the time axis: linear, with long idle gaps compressed ---------- */

#define SVG_W 1280          /* viewBox width; the page scales it to fit */
#define LBL_W 262           /* the step-name column */
#define PX0 (LBL_W + 12)
#define PX1 (SVG_W - 24)
#define ROW_H 20
#define LANE_H 20
#define GAP_W 28            /* width of a compressed idle gap */
#define GAPS_MAX 4
#define FOLD_ITEMS 8        /* a loop with more items is folded: */
#define FOLD_HEAD 3         /* its first items, */
#define FOLD_KEEP 5         /* its failed or unfinished ones, and one row for the rest */

struct axis {
	int64_t t0, t1;
	size_t ngaps;
	int64_t ga[GAPS_MAX], gb[GAPS_MAX];
	double k;               /* px per ms outside gaps */
};

/* The time nothing ran before a resume (the run stopped at a gate and was
 * resumed the next morning, or died and was resumed later), when longer than
 * a quarter of the journal's span and than a minute, is drawn GAP_W wide so
 * that the work on either side stays readable.  Time while steps run is
 * never compressed. */
static void axis_init(struct axis *a, const struct tl *t)
{
	memset(a, 0, sizeof *a);
	a->t0 = t->t0;
	a->t1 = t->t1;
	int64_t min_gap = (t->t1 - t->t0) / 4 > 60000 ? (t->t1 - t->t0) / 4 : 60000;
	for (size_t i = 0; i < t->nmarks && a->ngaps < GAPS_MAX; i++) {
		const struct mark *m = &t->marks[i];
		if (m->kind == MARK_RESUME && m->t - m->from > min_gap) {
			a->ga[a->ngaps] = m->from;
			a->gb[a->ngaps++] = m->t;
		}
	}
	int64_t active = t->t1 - t->t0;
	for (size_t g = 0; g < a->ngaps; g++)
		active -= a->gb[g] - a->ga[g];
	a->k = (double)(PX1 - PX0 - (double)a->ngaps * GAP_W) / (double)(active > 0 ? active : 1);
}

static double ax(const struct axis *a, int64_t t)
{
	t = t < a->t0 ? a->t0 : t > a->t1 ? a->t1 : t;
	double x = PX0;
	int64_t prev = a->t0;
	for (size_t g = 0; g < a->ngaps; g++) {
		if (t <= a->ga[g])
			return x + (double)(t - prev) * a->k;
		x += (double)(a->ga[g] - prev) * a->k;
		if (t < a->gb[g])
			return x + GAP_W * (double)(t - a->ga[g]) / (double)(a->gb[g] - a->ga[g]);
		x += GAP_W;
		prev = a->gb[g];
	}
	return x + (double)(t - prev) * a->k;
}

static int in_gap(const struct axis *a, int64_t t, size_t *g_out)
{
	for (size_t g = 0; g < a->ngaps; g++)
		if (t > a->ga[g] && t < a->gb[g]) {
			*g_out = g;
			return 1;
		}
	return 0;
}

/* "+1m30s" for an offset from the start of the run. */
static void offset_label(char *out, size_t n, int64_t ms, int64_t step)
{
	if (ms == 0)
		snprintf(out, n, "0");
	else if (step < 100)
		snprintf(out, n, "+%dms", (int)ms);
	else if (step < 1000)
		snprintf(out, n, "+%.1fs", (double)ms / 1000.0);
	else if (ms < 60000)
		snprintf(out, n, "+%ds", (int)(ms / 1000));
	else if (ms < 3600000)
		snprintf(out, n, "+%dm%02ds", (int)(ms / 60000), (int)(ms / 1000 % 60));
	else
		snprintf(out, n, "+%dh%02dm", (int)(ms / 3600000), (int)(ms / 60000 % 60));
}

static void svg_axis(FILE *o, const struct axis *a, double top, double bottom)
{
	static const int64_t nice[] = {10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000,
				       120000, 300000, 600000, 900000, 1800000, 3600000, 7200000, 21600000, 43200000,
				       86400000};
	int64_t active = (int64_t)((PX1 - PX0 - (double)a->ngaps * GAP_W) / a->k);
	int64_t step = nice[sizeof nice / sizeof *nice - 1];
	for (size_t i = 0; i < sizeof nice / sizeof *nice; i++)
		if (active / nice[i] <= 10) {
			step = nice[i];
			break;
		}
	char lbl[32], clk[16];
	fprintf(o, "<g class=\"axis\">\n");
	for (int64_t t = a->t0; t <= a->t1; t += step) {
		size_t g;
		if (in_gap(a, t, &g)) {
			t = a->t0 + ((a->gb[g] - a->t0 + step - 1) / step) * step - step;
			continue;
		}
		double x = ax(a, t);
		offset_label(lbl, sizeof lbl, t - a->t0, step);
		fprintf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, top - 4, x,
			bottom);
		fprintf(o, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s</text>\n", x, top - 8,
			t == a->t0 ? clock_ms(t, clk, sizeof clk) : lbl);
	}
	for (size_t g = 0; g < a->ngaps; g++) {
		char d[32];
		report_duration(d, sizeof d, a->gb[g] - a->ga[g]);
		double x = ax(a, a->ga[g]);
		fprintf(o, "<rect class=\"gap\" x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\">"
			   "<title>nothing recorded for %s</title></rect>", x, top, GAP_W, bottom - top, d);
		fprintf(o, "<text class=\"tick gapl\" x=\"%.1f\" y=\"%.1f\">\xe2\x89\x88%s</text>\n", x + GAP_W / 2.0,
			top - 8, d);
	}
	fprintf(o, "</g>\n");
}

/* ---- the timeline's rows -------------------------------------------- */

enum disp_kind { DISP_ROW, DISP_FOLD };
struct disp {
	enum disp_kind kind;
	long row;                /* DISP_ROW: the row; DISP_FOLD: the loop's row */
	int indent;
	size_t folded, ok, failed, other;   /* DISP_FOLD: what it holds */
};

struct disp_list {
	struct disp *v;
	size_t n, cap;
};

static void disp_add(struct disp_list *d, struct disp x)
{
	XGROW(d->v, d->cap, d->n + 1);
	d->v[d->n++] = x;
}

static int item_shown(const struct tl *t, const long *items, size_t n, size_t i, size_t *kept)
{
	if (n <= FOLD_ITEMS || i < FOLD_HEAD)
		return 1;
	enum seg_state st = row_state(&t->rows[items[i]]);
	if (st != SEG_OK && st != SEG_SKIPPED && *kept < FOLD_KEEP) {
		++*kept;
		return 1;
	}
	return 0;
}

/* A loop's items, folded when there are more than FOLD_ITEMS. */
static void disp_loop(const struct tl *t, long loop, struct disp_list *d)
{
	long *items = xmalloc((t->nrows + 1) * sizeof *items);
	size_t n = 0, kept = 0;
	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].item_row && t->rows[i].owner == loop)
			items[n++] = (long)i;
	struct disp fold = {DISP_FOLD, loop, 1, 0, 0, 0, 0};
	for (size_t i = 0; i < n; i++) {
		if (item_shown(t, items, n, i, &kept)) {
			disp_add(d, (struct disp){DISP_ROW, items[i], 1, 0, 0, 0, 0});
			continue;
		}
		enum seg_state st = row_state(&t->rows[items[i]]);
		fold.folded++;
		if (st == SEG_OK)
			fold.ok++;
		else if (st == SEG_FAILED)
			fold.failed++;
		else
			fold.other++;
	}
	if (fold.folded)
		disp_add(d, fold);
	free(items);
}

static void disp_build(const struct tl *t, struct disp_list *d)
{
	memset(d, 0, sizeof *d);
	for (size_t i = 0; i < t->nrows; i++) {
		if (t->rows[i].owner >= 0)
			continue;
		disp_add(d, (struct disp){DISP_ROW, (long)i, 0, 0, 0, 0, 0});
		if (t->rows[i].loop)
			disp_loop(t, (long)i, d);
	}
}

static void row_name(const struct trow *r, char *out, size_t n)
{
	if (r->item_row)
		snprintf(out, n, "[%lld] %s", r->item, r->label ? r->label : "");
	else if (r->item >= 0)
		snprintf(out, n, "%s[%lld]%s%s", r->step, r->item, r->label ? " " : "", r->label ? r->label : "");
	else
		snprintf(out, n, "%s", r->step);
}

static void svg_seg(FILE *o, const struct axis *a, const struct seg *s, const char *name, double y, double h)
{
	double x0 = ax(a, s->t0), x1 = ax(a, s->t1);
	double w = x1 - x0 < 2 ? 2 : x1 - x0;
	char d[32], c[16];
	report_duration(d, sizeof d, s->t1 - s->t0);
	fprintf(o, "<rect class=\"seg %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>",
		seg_class[s->st], x0, y, w, h);
	esc(o, name);
	fprintf(o, ": attempt %d %s, %s at %s", s->attempt, seg_word[s->st], d, clock_ms(s->t0, c, sizeof c));
	if (s->error) {
		fputs(": ", o);
		esc_cut(o, s->error, 300);
	}
	fputs("</title></rect>", o);
	if (s->st == SEG_FAILED || s->st == SEG_CUT)
		fprintf(o, "<text class=\"glyph %s\" x=\"%.1f\" y=\"%.1f\">%s</text>", seg_class[s->st], x0 + w + 2,
			y + h - 1, seg_glyph[s->st]);
}

static void svg_muts(FILE *o, const struct axis *a, const struct trow *r, double y)
{
	for (size_t i = 0; i < r->nmuts; i++) {
		const struct mut *m = &r->muts[i];
		double x = ax(a, m->t);
		fprintf(o, "<path class=\"mut %s\" d=\"M%.1f %.1fl-3.5 -5h7z\"><title>mutation ",
			m->ok < 0 ? "noout" : m->ok ? "" : "bad", x, y);
		esc(o, m->action ? m->action : "?");
		if (m->ok < 0)
			fputs(": no outcome recorded", o);
		else
			fprintf(o, " -> %s", m->ok ? "ok" : "failed");
		if (m->http > 0)
			fprintf(o, " %" JSON_INTEGER_FORMAT, m->http);
		if (m->why) {
			fputs(": ", o);
			esc_cut(o, m->why, 200);
		}
		fputs("</title></path>", o);
	}
}

/* Roughly how wide text is at 10-11px (for placing labels, not for layout). */
static double text_w(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return (double)n * 6.0 + 6;
}

static void gate_label(const struct tgate *g, char *out, size_t n)
{
	char c[16];
	snprintf(out, n, "%s%s%.24s \xc2\xb7 %s", g->answer >= 0 ? (g->answer ? "yes" : "no") : g->state,
		 g->by ? " \xc2\xb7 " : "", g->by ? g->by : "", clock_ms(g->decided ? g->decided : g->asked, c, sizeof c));
}

/* Gates of a row: a diamond where it was decided (filled: yes), a dashed
 * line back to when it was asked (the time waiting for a person), and for
 * the last gate of the row the answer, who gave it and when, put left of
 * the diamond where the row is still empty (a gate comes before its step). */
static void svg_gates(FILE *o, const struct tl *t, const struct axis *a, long row, double y)
{
	char c[16], lbl[128];
	const struct tgate *last = NULL;
	for (size_t i = 0; i < t->ngates; i++) {
		const struct tgate *g = &t->gates[i];
		if (g->row != row)
			continue;
		last = g;
		double xa = ax(a, g->asked), xd = g->decided ? ax(a, g->decided) : xa;
		if (xd - xa > 1)
			fprintf(o, "<line class=\"gatewait\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", xa, y, xd, y);
		fprintf(o, "<path class=\"gate %s\" d=\"M%.1f %.1fl5 5 -5 5 -5 -5z\"><title>gate: ",
			g->answer == 1 ? "yes" : "no", xd, y - 5);
		esc_cut(o, g->question, 300);
		fprintf(o, " - %s", g->state);
		if (g->answer >= 0)
			fprintf(o, " %s", g->answer ? "yes" : "no");
		if (g->by) {
			fputs(" by ", o);
			esc(o, g->by);
		}
		fprintf(o, " at %s</title></path>", clock_ms(g->decided ? g->decided : g->asked, c, sizeof c));
	}
	if (!last)
		return;
	gate_label(last, lbl, sizeof lbl);
	double xa = ax(a, last->asked), xd = last->decided ? ax(a, last->decided) : xa;
	int left = xa - PX0 > text_w(lbl) + 10;
	fprintf(o, "<text class=\"gatel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">\xe2\x97\x86 ", left ? xa - 8 : xd + 8,
		y + 4, left ? "end" : "start");
	esc(o, lbl);
	fputs("</text>", o);
}

/* One row: its label (status glyph and word for who cannot tell colours
 * apart), its attempts, the steps nested in a loop item, its mutations and gates. */
static void svg_row(FILE *o, const struct tl *t, const struct axis *a, const struct disp *dp, double y)
{
	const struct trow *r = &t->rows[dp->row];
	enum seg_state st = row_state(r);
	char name[512];
	row_name(r, name, sizeof name);
	fprintf(o, "<g class=\"row\" data-step=\"");
	esc(o, r->step);
	fprintf(o, "\"><text class=\"lbl %s\" x=\"%d\" y=\"%.1f\"><tspan class=\"g\">%s</tspan> ", seg_class[st],
		4 + dp->indent * 14, y + 14, seg_glyph[st]);
	esc_cut(o, name, (size_t)(36 - dp->indent * 3));
	fputs("<title>", o);
	esc(o, name);
	fprintf(o, ": %s</title></text>\n", seg_word[st]);
	double h = r->nested ? 12 : 10, by = y + (ROW_H - h) / 2;
	for (size_t k = 0; k < r->nsegs; k++)
		svg_seg(o, a, &r->segs[k], name, by, h);
	if (r->nested) {
		/* the item's own bar is the frame; what ran in it is drawn inside */
		for (size_t i = 0; i < t->nrows; i++) {
			if (t->rows[i].owner != dp->row || t->rows[i].item_row)
				continue;
			char nn[512];
			row_name(&t->rows[i], nn, sizeof nn);
			fputs("<g class=\"in\">", o);
			for (size_t k = 0; k < t->rows[i].nsegs; k++)
				svg_seg(o, a, &t->rows[i].segs[k], nn, by + 2, h - 4);
			fputs("</g>", o);
			svg_muts(o, a, &t->rows[i], by);
		}
	}
	svg_muts(o, a, r, by);
	svg_gates(o, t, a, dp->row, y + ROW_H / 2.0);
	fputs("</g>\n", o);
}

static void svg_fold(FILE *o, const struct tl *t, const struct axis *a, const struct disp *dp, double y)
{
	fprintf(o, "<g class=\"row fold\"><text class=\"lbl\" x=\"%d\" y=\"%.1f\">\xe2\x80\xa6 %zu more items"
		   "<title>%zu items folded (%zu ok, %zu failed, %zu other): every one is in the table below"
		   "</title></text>\n", 4 + dp->indent * 14, y + 14, dp->folded, dp->folded, dp->ok, dp->failed,
		dp->other);
	size_t shown = 0, kept = 0;
	long *items = xmalloc((t->nrows + 1) * sizeof *items);
	size_t n = 0;
	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].item_row && t->rows[i].owner == dp->row)
			items[n++] = (long)i;
	for (size_t i = 0; i < n; i++) {
		if (item_shown(t, items, n, i, &kept))
			continue;
		const struct trow *r = &t->rows[items[i]];
		double x0 = ax(a, r->t0), x1 = ax(a, r->t1);
		fprintf(o, "<rect class=\"seg thin %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"6\"/>",
			seg_class[row_state(r)], x0, y + 7, x1 - x0 < 1 ? 1 : x1 - x0);
		shown++;
	}
	free(items);
	fprintf(o, "<text class=\"gatel\" x=\"%d\" y=\"%.1f\">%zu ok", PX1 - 150, y + 14, dp->ok);
	if (dp->failed)
		fprintf(o, ", %zu failed", dp->failed);
	if (dp->other)
		fprintf(o, ", %zu other", dp->other);
	fputs("</text></g>\n", o);
	(void)shown;
}

/* ---- the timeline's lanes: brackets, windows, resumes, the end ------ */

static void svg_brackets(FILE *o, const struct tl *t, const struct axis *a, double lane, double bottom)
{
	char d[32];
	for (size_t i = 0; i < t->nbrackets; i++) {
		const struct span *s = &t->brackets[i];
		double x0 = ax(a, s->t0), x1 = ax(a, s->t1), w = x1 - x0 < 2 ? 2 : x1 - x0;
		report_duration(d, sizeof d, s->t1 - s->t0);
		fprintf(o, "<rect class=\"band%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>",
			s->closed ? "" : " unclosed", x0, lane, w, bottom - lane);
		esc(o, s->name);
		fprintf(o, " %s: %s</title></rect>", s->closed ? "bracket" : "bracket NOT CLOSED", d);
		int right = x0 > PX1 - 220;
		fprintf(o, "<text class=\"bandl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", right ? x1 : x0 + 3,
			lane + 14, right ? "end" : "start");
		esc_cut(o, s->name, 40);
		fprintf(o, " %s%s</text>\n", d, s->closed ? "" : " \xe2\x80\x94 NOT CLOSED");
	}
}

static void svg_window(FILE *o, const struct span *s, const struct axis *a, double y)
{
	char took[32], bound[32];
	double x0 = ax(a, s->t0), x1 = ax(a, s->t1);
	report_duration(took, sizeof took, s->elapsed >= 0 ? s->elapsed : s->t1 - s->t0);
	report_duration(bound, sizeof bound, s->within);
	const char *cls = !s->closed ? "unclosed" : s->exceeded ? "exceeded" : "met";
	fprintf(o, "<g class=\"window %s\"><path d=\"M%.1f %.1fv-6H%.1fv6\"/>", cls, x0, y + 16, x1 < x0 + 2 ? x0 + 2 : x1);
	if (s->within >= 0) {
		int64_t tb = s->t0 + s->within;
		if (tb <= a->t1)
			fprintf(o, "<line class=\"bound\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", ax(a, tb),
				y + 2, ax(a, tb), y + 18);
	}
	int right = x0 > PX1 - 260;
	fprintf(o, "<text class=\"winl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">window ", right ? x1 : x0 + 3,
		y + 7, right ? "end" : "start");
	esc_cut(o, s->name, 40);
	fprintf(o, ": %s of %s%s%s</text>", took, bound, s->within >= 0 && s->t0 + s->within > a->t1 ? " (bound off the chart)" : "",
		!s->closed ? " \xe2\x80\x94 NOT CLOSED" : s->exceeded ? " \xe2\x80\x94 EXCEEDED" : "");
	fputs("<title>", o);
	esc(o, s->name);
	fprintf(o, ": within %s, took %s, %s</title></g>\n", bound, took, cls);
}

#define MARK_LANES 4

static void mark_label(const struct mark *m, char *out, size_t n)
{
	char c[16];
	snprintf(out, n, "%s %.40s %s%s%.70s",
		 m->kind == MARK_RESUME ? "\xe2\x86\xbb" : m->kind == MARK_SIGNAL ? "\xe2\x9a\xa1" : "\xe2\x9c\x95",
		 m->what ? m->what : "-", clock_ms(m->t, c, sizeof c), m->detail && m->kind == MARK_END ? ": " : "",
		 m->detail && m->kind == MARK_END ? m->detail : "");
}

/* Event labels packed into as few lines as keep them apart; returns the
 * number of lines.  lane[i] and end[i] (anchored at its end) per mark. */
static int marks_layout(const struct tl *t, const struct axis *a, int *lane, int *end)
{
	double last[MARK_LANES];
	int used = 0;
	char lbl[192];
	for (int k = 0; k < MARK_LANES; k++)
		last[k] = -1e9;
	for (size_t i = 0; i < t->nmarks; i++) {
		double x = ax(a, t->marks[i].t);
		mark_label(&t->marks[i], lbl, sizeof lbl);
		double w = text_w(lbl);
		end[i] = x + w > PX1 + 20;
		double x0 = end[i] ? x - w : x, x1 = end[i] ? x : x + w;
		int k = 0;
		while (k < MARK_LANES - 1 && last[k] > x0 - 4)
			k++;
		lane[i] = k;
		last[k] = x1;
		used = k + 1 > used ? k + 1 : used;
	}
	return used;
}

static void svg_marks(FILE *o, const struct tl *t, const struct axis *a, double lane_y, double top, double bottom,
		      const int *lane, const int *end)
{
	char lbl[192];
	for (size_t i = 0; i < t->nmarks; i++) {
		const struct mark *m = &t->marks[i];
		double x = ax(a, m->t), ly = lane_y + lane[i] * LANE_H;
		const char *cls = m->kind == MARK_RESUME ? "resume" : m->kind == MARK_SIGNAL ? "signal"
				  : !strcmp(m->what, "failed") ? "failure" : "stop";
		if (m->kind == MARK_RESUME && ax(a, m->from) < x - 1)
			fprintf(o, "<rect class=\"down\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
				   "<title>not running</title></rect>", ax(a, m->from), top, x - ax(a, m->from), bottom - top);
		fprintf(o, "<line class=\"mark %s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", cls, x, ly + 2, x,
			bottom);
		mark_label(m, lbl, sizeof lbl);
		fprintf(o, "<text class=\"markl %s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", cls,
			end[i] ? x - 3 : x + 3, ly + 14, end[i] ? "end" : "start");
		esc(o, lbl);
		fputs("<title>", o);
		esc(o, m->what);
		if (m->detail) {
			fputs(": ", o);
			esc_cut(o, m->detail, 400);
		}
		fputs("</title></text>\n", o);
	}
}

static void svg_defs(FILE *o)
{
	fputs("<defs>"
	      "<pattern id=\"p-failed\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#c53030\"/>"
	      "<rect width=\"2\" height=\"6\" fill=\"#fff\" opacity=\".55\"/></pattern>"
	      "<pattern id=\"p-retry\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\">"
	      "<rect width=\"5\" height=\"5\" fill=\"#ed8936\"/><path d=\"M0 0L5 5M5 0L0 5\" stroke=\"#fff\" "
	      "stroke-width=\".9\" opacity=\".7\"/></pattern>"
	      "<pattern id=\"p-cut\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\">"
	      "<rect width=\"4\" height=\"4\" fill=\"#d69e2e\"/><rect width=\"1.5\" height=\"4\" fill=\"#fff\" "
	      "opacity=\".6\"/></pattern>"
	      "<pattern id=\"p-band\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(-45)\"><rect width=\"8\" height=\"8\" fill=\"#805ad5\" opacity=\".10\"/>"
	      "<rect width=\"2\" height=\"8\" fill=\"#805ad5\" opacity=\".25\"/></pattern>"
	      "<pattern id=\"p-down\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(45)\"><rect width=\"1\" height=\"6\" fill=\"#718096\" opacity=\".35\"/>"
	      "</pattern></defs>\n", o);
}

static void svg_timeline(FILE *o, const struct tl *t, const struct disp_list *d)
{
	struct axis a;
	axis_init(&a, t);
	int *mlane = xcalloc(t->nmarks + 1, sizeof *mlane), *mend = xcalloc(t->nmarks + 1, sizeof *mend);
	int nlanes = marks_layout(t, &a, mlane, mend);
	double top = 30, lane_b = top, lane_w = lane_b + (t->nbrackets ? LANE_H : 0);
	double lane_m = lane_w + (double)t->nwindows * LANE_H;
	double rows_y = lane_m + nlanes * LANE_H + 4;
	double bottom = rows_y + (double)d->n * ROW_H + 4;
	fprintf(o, "<svg id=\"timeline\" class=\"timeline\" viewBox=\"0 0 %d %.0f\" role=\"img\" "
		   "aria-label=\"Timeline of the run: one row per step, bars from start to end; the same content "
		   "is in the table below the chart\" data-rows=\"%zu\">\n",
		SVG_W, bottom + 6, d->n);
	svg_defs(o);
	for (size_t i = 0; i < d->n; i++)
		if (i % 2)
			fprintf(o, "<rect class=\"zebra\" x=\"0\" y=\"%.1f\" width=\"%d\" height=\"%d\"/>",
				rows_y + (double)i * ROW_H, SVG_W, ROW_H);
	svg_axis(o, &a, top, bottom);
	svg_brackets(o, t, &a, lane_b, bottom);
	for (size_t i = 0; i < t->nwindows; i++)
		svg_window(o, &t->windows[i], &a, lane_w + (double)i * LANE_H);
	if (t->nbrackets)
		fprintf(o, "<text class=\"lane\" x=\"4\" y=\"%.1f\">brackets</text>", lane_b + 14);
	if (t->nwindows)
		fprintf(o, "<text class=\"lane\" x=\"4\" y=\"%.1f\">windows</text>", lane_w + 14);
	if (nlanes)
		fprintf(o, "<text class=\"lane\" x=\"4\" y=\"%.1f\">events</text>", lane_m + 14);
	fprintf(o, "<line class=\"sep\" x1=\"0\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", rows_y - 2, SVG_W, rows_y - 2);
	for (size_t i = 0; i < d->n; i++) {
		double y = rows_y + (double)i * ROW_H;
		if (d->v[i].kind == DISP_ROW)
			svg_row(o, t, &a, &d->v[i], y);
		else
			svg_fold(o, t, &a, &d->v[i], y);
	}
	svg_marks(o, t, &a, lane_m, rows_y, bottom, mlane, mend);
	fputs("</svg>\n", o);
	free(mlane);
	free(mend);
}

/* ---- the text alternative of the timeline --------------------------- */

static void tl_table(FILE *o, const struct tl *t)
{
	char a[16], b[16], d[32], name[512];
	fputs("<details class=\"alt\"><summary>The timeline as a table (text alternative)</summary>\n"
	      "<table class=\"grid\" id=\"timeline-table\"><thead><tr><th scope=\"col\">step</th>"
	      "<th scope=\"col\">status</th><th scope=\"col\">attempts</th><th scope=\"col\">from</th>"
	      "<th scope=\"col\">to</th><th scope=\"col\">time</th><th scope=\"col\">mutations</th></tr></thead><tbody>\n", o);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct trow *r = &t->rows[i];
		enum seg_state st = row_state(r);
		row_name(r, name, sizeof name);
		report_duration(d, sizeof d, r->t1 - r->t0);
		fputs("<tr><td>", o);
		esc(o, name);
		fprintf(o, "</td><td class=\"st %s\">%s %s</td><td class=\"n\">%zu</td><td>%s</td><td>%s</td>"
			   "<td class=\"n\">%s</td><td class=\"n\">%zu</td></tr>\n", seg_class[st], seg_glyph[st],
			seg_word[st], r->nsegs, clock_ms(r->t0, a, sizeof a), clock_ms(r->t1, b, sizeof b), d, r->nmuts);
	}
	fputs("</tbody></table>\n<ul class=\"events\">\n", o);
	for (size_t i = 0; i < t->nbrackets; i++) {
		const struct span *s = &t->brackets[i];
		report_duration(d, sizeof d, s->t1 - s->t0);
		fputs("<li>bracket <code>", o);
		esc(o, s->name);
		fprintf(o, "</code> from %s to %s: %s%s</li>\n", clock_ms(s->t0, a, sizeof a), clock_ms(s->t1, b, sizeof b),
			d, s->closed ? "" : ", not closed");
	}
	for (size_t i = 0; i < t->ngates; i++) {
		const struct tgate *g = &t->gates[i];
		fputs("<li>gate at <code>", o);
		esc(o, g->step);
		fprintf(o, "</code>: asked %s, %s", clock_ms(g->asked, a, sizeof a), g->state);
		if (g->answer >= 0)
			fprintf(o, " %s", g->answer ? "yes" : "no");
		if (g->by) {
			fputs(" by ", o);
			esc(o, g->by);
		}
		fprintf(o, " at %s</li>\n", clock_ms(g->decided ? g->decided : g->asked, b, sizeof b));
	}
	for (size_t i = 0; i < t->nmarks; i++) {
		const struct mark *m = &t->marks[i];
		fputs("<li>", o);
		esc(o, m->what);
		fprintf(o, " at %s", clock_ms(m->t, a, sizeof a));
		if (m->row >= 0) {
			row_name(&t->rows[m->row], name, sizeof name);
			fputs(" in <code>", o);
			esc(o, name);
			fputs("</code>", o);
		}
		if (m->detail) {
			fputs(": ", o);
			esc(o, m->detail);
		}
		fputs("</li>\n", o);
	}
	fputs("</ul></details>\n", o);
}

static void legend(FILE *o)
{
	static const struct {
		const char *cls, *glyph, *word;
	} k[] = {
		{"ok", "\xe2\x9c\x93", "ok"},
		{"failed", "\xe2\x9c\x95", "failed"},
		{"retry", "\xe2\x86\xbb", "attempt retried"},
		{"skipped", "\xe2\x80\x93", "skipped"},
		{"cut", "\xe2\x96\xa0", "interrupted"},
		{"open", "\xe2\x80\xa6", "unfinished"},
	};
	fputs("<ul class=\"legend\" aria-label=\"legend\">", o);
	for (size_t i = 0; i < sizeof k / sizeof *k; i++)
		fprintf(o, "<li><svg width=\"22\" height=\"12\" aria-hidden=\"true\"><rect class=\"seg %s\" x=\"1\" "
			   "y=\"1\" width=\"20\" height=\"10\"/></svg> %s %s</li>", k[i].cls, k[i].glyph, k[i].word);
	fputs("<li><svg width=\"12\" height=\"12\" aria-hidden=\"true\"><path class=\"mut\" d=\"M6 11l-4 -6h8z\"/>"
	      "</svg> mutation</li><li><svg width=\"12\" height=\"12\" aria-hidden=\"true\"><path class=\"gate yes\" "
	      "d=\"M6 1l5 5 -5 5 -5 -5z\"/></svg> gate (answer, by whom, when)</li><li><svg width=\"22\" height=\"12\" "
	      "aria-hidden=\"true\"><rect class=\"band\" width=\"22\" height=\"12\"/></svg> bracket "
	      "(maintenance)</li><li><svg width=\"22\" height=\"12\" aria-hidden=\"true\"><path class=\"wl\" "
	      "d=\"M1 11v-6h20v6\"/></svg> window, dashed: its bound</li><li>\xe2\x86\xbb resumed</li></ul>\n", o);
}

/* ---- summary, steps, events, journal -------------------------------- */

static const char *run_str(const json_t *doc, const char *k)
{
	const char *s = sget(json_object_get(doc, "run"), k);
	return s ? s : "-";
}

static void kv(FILE *o, const char *k, const char *v)
{
	fprintf(o, "<tr><th scope=\"row\">%s</th><td>", k);
	esc(o, v);
	fputs("</td></tr>\n", o);
}

/* Parameters, with those whose names look secret blanked the way the
 * journal blanks them (journal_redact: password, token, secret, ...). */
static void params_table(FILE *o, const json_t *run)
{
	json_t *p = json_deep_copy(json_object_get(run, "params"));
	if (!json_object_size(p)) {
		json_decref(p);
		return;
	}
	journal_redact(p);
	const char *k;
	json_t *v;
	fputs("<h3>Parameters</h3>\n<table class=\"grid params\"><tbody>\n", o);
	json_object_foreach(p, k, v) {
		fputs("<tr><th scope=\"row\"><code>", o);
		esc(o, k);
		fputs("</code></th><td><code>", o);
		esc_value(o, v, 400);
		fputs("</code></td></tr>\n", o);
	}
	fputs("</tbody></table>\n", o);
	json_decref(p);
}

static const char *outcome_class(const char *state)
{
	if (!strcmp(state, "done"))
		return "ok";
	if (!strcmp(state, "failed"))
		return "failed";
	return "cut";
}

static void summary(FILE *o, const json_t *doc)
{
	char d[32], line[512];
	const json_t *run = json_object_get(doc, "run");
	const char *state = sget(doc, "state") ? sget(doc, "state") : "-";
	fputs("<section id=\"summary\"><h2>Summary</h2>\n<table class=\"kv\"><tbody>\n", o);
	kv(o, "plan", run_str(doc, "plan"));
	kv(o, "IR", run_str(doc, "ir_hash"));
	snprintf(line, sizeof line, "namespace %s, cluster %s, context %s", run_str(doc, "namespace"),
		 run_str(doc, "cluster"), run_str(doc, "context"));
	kv(o, "target", line);
	json_t *dry = json_object_get(run, "dry_run");
	snprintf(line, sizeof line, "%s, opsplan %s, by %s on %s",
		 json_is_true(dry) ? "dry run (nothing was changed)" : json_is_false(dry) ? "live" : "-",
		 run_str(doc, "version"), run_str(doc, "user"), run_str(doc, "host"));
	kv(o, "mode", line);
	kv(o, "started", sget(doc, "started"));
	report_duration(d, sizeof d, iget(doc, "duration_ms", -1));
	snprintf(line, sizeof line, "%s (%s)", sget(doc, "ended") ? sget(doc, "ended") : "not recorded", d);
	kv(o, "ended", line);
	json_t *ec = json_object_get(doc, "exit_code");
	fprintf(o, "<tr><th scope=\"row\">outcome</th><td><span class=\"st %s\">", outcome_class(state));
	esc(o, state);
	if (json_is_integer(ec))
		fprintf(o, "</span>, exit %" JSON_INTEGER_FORMAT "</td></tr>\n", json_integer_value(ec));
	else
		fputs("</span>, no exit code recorded</td></tr>\n", o);
	if (sget(doc, "error"))
		kv(o, "error", sget(doc, "error"));
	report_duration(d, sizeof d, iget(doc, "maintenance_ms", 0));
	kv(o, "time in maintenance", d);
	size_t nres = json_array_size(json_object_get(doc, "resumes"));
	if (nres) {
		snprintf(line, sizeof line, "%zu time%s", nres, nres == 1 ? "" : "s");
		kv(o, "resumed", line);
	}
	fputs("</tbody></table>\n", o);
	params_table(o, run);
	fputs("</section>\n", o);
}

static void evidence(FILE *o, const json_t *as)
{
	size_t i;
	json_t *a;
	fputs("<table class=\"ev\"><tbody>\n", o);
	json_array_foreach(as, i, a) {
		const char *verdict = sget(a, "verdict") ? sget(a, "verdict") : "-";
		fputs("<tr><td class=\"k\">", o);
		esc(o, sget(a, "kind") ? sget(a, "kind") : "expect");
		fputs("</td><td><code>", o);
		esc(o, sget(a, "that"));
		fputs("</code></td><td>= <code>", o);
		esc_value(o, json_object_get(a, "value"), 300);
		fprintf(o, "</code></td><td class=\"st %s\">%s ", !strcmp(verdict, "pass") ? "ok" : "failed",
			!strcmp(verdict, "pass") ? "\xe2\x9c\x93" : "\xe2\x9c\x95");
		esc(o, verdict);
		fputs("</td><td>", o);
		if (sget(a, "message"))
			esc(o, sget(a, "message"));
		fputs("</td></tr>\n", o);
	}
	fputs("</tbody></table>\n", o);
}

static void mutations(FILE *o, const json_t *ms)
{
	size_t i;
	json_t *m;
	fprintf(o, "<details class=\"muts\"><summary>%zu mutation%s</summary>\n<table class=\"grid\"><thead><tr>"
		   "<th>attempt</th><th>time</th><th>action</th><th>request</th><th>precondition</th><th>outcome</th>"
		   "</tr></thead><tbody>\n", json_array_size(ms), json_array_size(ms) == 1 ? "" : "s");
	json_array_foreach(ms, i, m) {
		char c[16];
		json_t *req = json_object_get(m, "request"), *ok = json_object_get(m, "ok");
		fprintf(o, "<tr><td class=\"n\">%" JSON_INTEGER_FORMAT "</td><td>%s</td><td><code>", iget(m, "attempt", 1),
			clock_of(m, "time", c, sizeof c));
		esc(o, sget(m, "action"));
		fputs("</code></td><td><code>", o);
		if (sget(req, "method"))
			esc(o, sget(req, "method"));
		fputs(" ", o);
		esc_cut(o, sget(req, "path") ? sget(req, "path") : sget(req, "pod"), 200);
		fputs("</code></td><td><code>", o);
		esc_value(o, json_object_get(m, "precondition"), 200);
		fprintf(o, "</code></td><td class=\"st %s\">", !ok ? "cut" : json_is_true(ok) ? "ok" : "failed");
		if (!ok) {
			fputs("\xe2\x96\xa0 no outcome recorded", o);
		} else {
			fputs(json_is_true(ok) ? "\xe2\x9c\x93 ok" : "\xe2\x9c\x95 failed", o);
			if (iget(m, "http_status", 0) > 0)
				fprintf(o, " %" JSON_INTEGER_FORMAT, iget(m, "http_status", 0));
			const char *why = sget(m, "error") ? sget(m, "error") : sget(m, "summary");
			if (why) {
				fputs(": ", o);
				esc_cut(o, why, 300);
			}
		}
		fputs("</td></tr>\n", o);
	}
	fputs("</tbody></table></details>\n", o);
}

static const char *status_class(const char *s)
{
	return !strcmp(s, "ok") ? "ok" : !strcmp(s, "failed") ? "failed" : !strcmp(s, "skipped") ? "skipped" : "open";
}

static const char *status_glyph(const char *s)
{
	return !strcmp(s, "ok") ? "\xe2\x9c\x93" : !strcmp(s, "failed") ? "\xe2\x9c\x95"
	       : !strcmp(s, "skipped") ? "\xe2\x80\x93" : "\xe2\x80\xa6";
}

static void step_row(FILE *o, const json_t *row, size_t i)
{
	char st[16], d[32];
	const char *status = sget(row, "status") ? sget(row, "status") : "-";
	json_int_t item = iget(row, "item_index", -1);
	report_duration(d, sizeof d, iget(row, "duration_ms", -1));
	fprintf(o, "<tr class=\"step %s\" id=\"step-%zu\"><td class=\"st %s\">%s ", status_class(status), i,
		status_class(status), status_glyph(status));
	esc(o, status);
	fputs("</td><td><code>", o);
	esc(o, sget(row, "step"));
	if (item >= 0)
		fprintf(o, "[%" JSON_INTEGER_FORMAT "]", item);
	fputs("</code>", o);
	if (sget(row, "item_label")) {
		fputs(" ", o);
		esc(o, sget(row, "item_label"));
	}
	if (sget(row, "title")) {
		fputs("<div class=\"title\">", o);
		esc(o, sget(row, "title"));
		fputs("</div>", o);
	}
	fprintf(o, "</td><td class=\"n\">%" JSON_INTEGER_FORMAT "</td><td>%s</td><td class=\"n\">%s</td><td>",
		iget(row, "attempts", 0), clock_of(row, "start", st, sizeof st), d);
	if (sget(row, "summary"))
		esc_cut(o, sget(row, "summary"), 400);
	if (sget(row, "error")) {
		fputs("<div class=\"err\">\xe2\x9c\x95 ", o);
		esc_cut(o, sget(row, "error"), 2000);
		fputs("</div>", o);
	}
	json_t *as = json_object_get(row, "assertions"), *ms = json_object_get(row, "mutations");
	if (json_array_size(as))
		evidence(o, as);
	if (json_array_size(ms))
		mutations(o, ms);
	fputs("</td></tr>\n", o);
}

static void steps(FILE *o, const json_t *doc)
{
	json_t *steps = json_object_get(doc, "steps"), *row;
	size_t i;
	fputs("<section id=\"steps\"><h2>Steps</h2>\n", o);
	if (!json_array_size(steps)) {
		fputs("<p>No step started.</p></section>\n", o);
		return;
	}
	fputs("<table class=\"grid steps\"><thead><tr><th scope=\"col\">status</th><th scope=\"col\">step</th>"
	      "<th scope=\"col\">attempts</th><th scope=\"col\">start</th><th scope=\"col\">duration</th>"
	      "<th scope=\"col\">result, evidence and mutations</th></tr></thead><tbody>\n", o);
	json_array_foreach(steps, i, row)
		step_row(o, row, i);
	fputs("</tbody></table></section>\n", o);
}

static void spans(FILE *o, const json_t *doc)
{
	char a[16], b[16], d[32], w[32];
	size_t i;
	json_t *s, *br = json_object_get(doc, "brackets"), *wi = json_object_get(doc, "windows");
	if (!json_array_size(br) && !json_array_size(wi))
		return;
	fputs("<section id=\"spans\"><h2>Brackets and windows</h2>\n<table class=\"grid\"><thead><tr>"
	      "<th>kind</th><th>name</th><th>from</th><th>to</th><th>took</th><th>bound</th><th>verdict</th>"
	      "</tr></thead><tbody>\n", o);
	json_array_foreach(br, i, s) {
		int open = json_is_true(json_object_get(s, "unclosed"));
		report_duration(d, sizeof d, iget(s, "duration_ms", -1));
		fputs("<tr><td>bracket</td><td><code>", o);
		esc(o, sget(s, "bracket"));
		fputs("</code></td><td>", o);
		fprintf(o, "%s ", clock_of(s, "opened", a, sizeof a));
		esc(o, sget(s, "step"));
		fprintf(o, "</td><td>%s ", open ? "-" : clock_of(s, "closed", b, sizeof b));
		esc(o, open ? "" : sget(s, "close_step"));
		fprintf(o, "</td><td class=\"n\">%s</td><td>-</td><td class=\"st %s\">%s</td></tr>\n", d,
			open ? "failed" : "ok", open ? "\xe2\x9c\x95 not closed" : "\xe2\x9c\x93 closed");
	}
	json_array_foreach(wi, i, s) {
		int open = json_is_true(json_object_get(s, "unclosed")), ex = json_is_true(json_object_get(s, "exceeded"));
		report_duration(d, sizeof d, iget(s, "elapsed_ms", iget(s, "duration_ms", -1)));
		report_duration(w, sizeof w, iget(s, "within_ms", -1));
		fputs("<tr><td>window</td><td><code>", o);
		esc(o, sget(s, "window"));
		fprintf(o, "</code></td><td>%s</td><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
			   "<td class=\"st %s\">%s</td></tr>\n", clock_of(s, "opened", a, sizeof a),
			open ? "-" : clock_of(s, "closed", b, sizeof b), d, w, open || ex ? "failed" : "ok",
			open ? "\xe2\x9c\x95 not closed" : ex ? "\xe2\x9c\x95 exceeded" : "\xe2\x9c\x93 met");
	}
	fputs("</tbody></table></section>\n", o);
}

static void events(FILE *o, const json_t *doc)
{
	char a[16];
	size_t i;
	json_t *g, *gates = json_object_get(doc, "gates"), *sigs = json_object_get(doc, "signals"),
		   *res = json_object_get(doc, "resumes");
	if (!json_array_size(gates) && !json_array_size(sigs) && !json_array_size(res))
		return;
	fputs("<section id=\"events\"><h2>Gates, signals and resumes</h2>\n<table class=\"grid\"><thead><tr>"
	      "<th>time</th><th>what</th><th>detail</th></tr></thead><tbody>\n", o);
	json_array_foreach(gates, i, g) {
		json_t *ans = json_object_get(g, "answer");
		fprintf(o, "<tr><td>%s</td><td>gate <code>", clock_of(g, sget(g, "decided") ? "decided" : "asked", a, sizeof a));
		esc(o, sget(g, "step"));
		fputs("</code>: ", o);
		esc(o, sget(g, "state"));
		if (json_is_boolean(ans))
			fputs(json_is_true(ans) ? " yes" : " no", o);
		else if (sget(g, "answer"))
			esc(o, sget(g, "answer"));
		if (sget(g, "by")) {
			fputs(" by ", o);
			esc(o, sget(g, "by"));
		}
		fputs("</td><td>", o);
		esc(o, sget(g, "question") ? sget(g, "question") : "");
		fputs("</td></tr>\n", o);
	}
	json_array_foreach(sigs, i, g) {
		fprintf(o, "<tr><td>%s</td><td>signal ", clock_of(g, "time", a, sizeof a));
		esc(o, sget(g, "signal"));
		fprintf(o, "</td><td>#%" JSON_INTEGER_FORMAT "</td></tr>\n", iget(g, "count", 1));
	}
	json_array_foreach(res, i, g) {
		fprintf(o, "<tr><td>%s</td><td>\xe2\x86\xbb resumed</td><td>host ", clock_of(g, "time", a, sizeof a));
		esc(o, sget(g, "host"));
		fprintf(o, ", pid %" JSON_INTEGER_FORMAT ", torn tail cut: %" JSON_INTEGER_FORMAT " bytes</td></tr>\n",
			iget(g, "pid", 0), iget(g, "cut_bytes", 0));
	}
	fputs("</tbody></table></section>\n", o);
}

/* SHA-256 of the journal file as it is now, in hex; "" when it cannot be
 * read (a journal built in memory has no file). */
static void journal_sha256(const char *path, char hex[65], long long *size)
{
	hex[0] = '\0';
	*size = -1;
	FILE *f = path ? fopen(path, "rb") : NULL;
	if (!f)
		return;
	struct strbuf b = {0};
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0 && b.len <= JOURNAL_FILE_MAX)
		sb_add(&b, buf, n);
	if (!ferror(f) && b.len <= JOURNAL_FILE_MAX) {
		uint8_t h[32];
		ir_sha256(b.s ? b.s : "", b.len, h);
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", h[i]);
		*size = (long long)b.len;
	}
	fclose(f);
	sb_release(&b);
}

static void journal_section(FILE *o, const json_t *doc, const struct journal_records *r)
{
	char hex[65];
	long long size;
	json_t *jr = json_object_get(doc, "journal");
	journal_sha256(r->path, hex, &size);
	fputs("<section id=\"journal\"><h2>Journal</h2>\n<table class=\"kv\"><tbody>\n", o);
	kv(o, "file", sget(jr, "path") ? sget(jr, "path") : "(built in memory)");
	fprintf(o, "<tr><th scope=\"row\">records</th><td>%" JSON_INTEGER_FORMAT, iget(jr, "records", 0));
	if (iget(jr, "cut_bytes", 0))
		fprintf(o, ", torn tail of %" JSON_INTEGER_FORMAT " bytes ignored", iget(jr, "cut_bytes", 0));
	fputs("</td></tr>\n<tr><th scope=\"row\">SHA-256</th><td>", o);
	if (hex[0])
		fprintf(o, "<code id=\"journal-sha256\">%s</code> (%lld bytes; check with <code>sha256sum</code>)", hex, size);
	else
		fputs("not computed: no journal file", o);
	fputs("</td></tr>\n</tbody></table>\n", o);
	fputs("<p class=\"foot\">Made by opsplan from the journal alone: the same journal gives the same "
	      "page.</p></section>\n", o);
}

/* The page's only style: system fonts, no URL.  Colour is never the only
 * cue: every state also has a glyph, a word or a pattern. */
static const char report_html_css[] =
	":root{--ok:#2f855a;--bad:#c53030;--warn:#975a16;--muted:#718096;--line:#e2e8f0;--ink:#1a202c}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0 auto;max-width:1340px;padding:14px 22px 40px;color:var(--ink);background:#fff;"
	"font:14px/1.45 system-ui,-apple-system,'Segoe UI','DejaVu Sans','Liberation Sans',sans-serif}\n"
	"code{font-family:ui-monospace,'DejaVu Sans Mono','Liberation Mono',monospace;font-size:12px;"
	"overflow-wrap:anywhere}\n"
	"h1{font-size:22px;margin:6px 0 2px}h2{font-size:17px;margin:26px 0 8px;padding-bottom:3px;"
	"border-bottom:2px solid var(--line)}h3{font-size:14px;margin:14px 0 6px}\n"
	".runid{font:13px ui-monospace,'DejaVu Sans Mono',monospace;color:var(--muted);font-weight:400;"
	"margin-left:8px}\n"
	".outcome{margin:4px 0 0;color:#4a5568}.outcome .err{color:var(--bad)}\n"
	".badge{display:inline-block;padding:1px 10px;border-radius:10px;font-weight:700;margin-right:6px;"
	"border:1px solid}\n"
	".badge.ok{color:#1e6b3a;background:#e6f4ea}.badge.failed{color:#9b2c2c;background:#fde8e8}"
	".badge.cut{color:#7b4f0e;background:#fdf3d8}\n"
	".dryrun{margin:0 0 8px;padding:6px 12px;font-weight:700;letter-spacing:.04em;color:#5f370e;"
	"border:2px dashed #b7791f;background:repeating-linear-gradient(-45deg,#fefcbf 0 12px,#fff8d6 12px 24px)}\n"
	"figure{margin:0}figcaption{font-size:12px;color:#4a5568;margin-top:4px}\n"
	".legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 16px;padding:0;margin:4px 0}"
	".legend li{display:flex;align-items:center;gap:4px}\n"
	"svg.timeline{width:100%;height:auto;display:block;font-size:11px;"
	"font-family:system-ui,'DejaVu Sans','Liberation Sans',sans-serif}\n"
	"svg text{fill:#2d3748}.tick{font-size:10px;fill:var(--muted);text-anchor:middle}"
	".grid line,line.grid{stroke:#edf2f7}.gap{fill:#f7fafc;stroke:#cbd5e0;stroke-dasharray:2 3}\n"
	".zebra{fill:#f7fafc}.sep{stroke:#cbd5e0}"
	".lane{font-size:10px;fill:var(--muted);text-transform:uppercase;letter-spacing:.06em}\n"
	".lbl .g{font-weight:700}.lbl.ok .g{fill:var(--ok)}.lbl.failed{fill:var(--bad);font-weight:600}"
	".lbl.cut,.lbl.open{fill:var(--warn)}.lbl.skipped{fill:var(--muted)}.fold .lbl{fill:var(--muted);"
	"font-style:italic}\n"
	".seg.ok{fill:var(--ok)}.seg.failed{fill:url(#p-failed);stroke:var(--bad)}"
	".seg.retry{fill:url(#p-retry);stroke:#c05621}"
	".seg.skipped{fill:#fff;stroke:#a0aec0;stroke-dasharray:2 2}.seg.cut{fill:url(#p-cut);stroke:#b7791f}"
	".seg.open{fill:#fefcbf;stroke:#b7791f;stroke-dasharray:3 2}.seg.thin{opacity:.55}"
	".in .seg{stroke:#fff;stroke-width:.8}.in .seg.ok{fill:#48bb78}\n"
	".glyph{font-weight:700;font-size:12px}.glyph.failed{fill:var(--bad)}.glyph.cut{fill:var(--warn)}\n"
	".band{fill:url(#p-band)}.band.unclosed{stroke:#805ad5;stroke-dasharray:4 3}"
	".bandl{fill:#553c9a;font-weight:600}\n"
	".window path,path.wl{fill:none;stroke:#2b6cb0;stroke-width:1.5}.window.exceeded path,"
	".window.unclosed path{stroke:var(--bad)}.bound{stroke:#2b6cb0;stroke-dasharray:3 2}"
	".winl{fill:#2b6cb0;font-size:10.5px}.window.exceeded .winl{fill:var(--bad);font-weight:600}\n"
	".mut{fill:#2c5282}.mut.bad{fill:var(--bad)}.mut.noout{fill:#fff;stroke:var(--bad)}\n"
	".gate.yes{fill:#2b6cb0;stroke:#fff;stroke-width:.8}.gate.no{fill:#fff;stroke:var(--bad);stroke-width:1.5}"
	".gatewait{stroke:#2b6cb0;stroke-dasharray:2 2}\n"
	".gatel,.markl,.bandl,.winl{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}"
	".gatel{font-size:10px;fill:#2a4365}\n"
	".mark{stroke-width:1.5}.mark.resume{stroke:#3182ce;stroke-dasharray:5 3}.mark.failure{stroke:var(--bad);"
	"stroke-width:2}.mark.stop{stroke:#b7791f;stroke-width:2}.mark.signal{stroke:#b7791f;stroke-dasharray:1 3}\n"
	".markl{font-weight:600}.markl.resume{fill:#2b6cb0}.markl.failure{fill:var(--bad)}"
	".markl.stop,.markl.signal{fill:var(--warn)}.down{fill:url(#p-down)}\n"
	"table{border-collapse:collapse}table.grid{width:100%;font-size:13px}"
	".grid th{background:#edf2f7;text-align:left;font-weight:600;padding:5px 8px;border-bottom:1px solid #cbd5e0}"
	".grid td{padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}\n"
	"td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	".steps td:first-child,.steps td:nth-child(4){white-space:nowrap}\n"
	".kv th{text-align:left;font-weight:600;color:#4a5568;padding:3px 18px 3px 0;vertical-align:top;"
	"white-space:nowrap}.kv td{padding:3px 0}table.params{width:auto;min-width:40%}"
	".params th{white-space:nowrap;background:none;padding-right:24px}\n"
	".st.ok{color:#1e6b3a}.st.failed{color:var(--bad);font-weight:600}.st.cut,.st.open{color:var(--warn);"
	"font-weight:600}.st.skipped{color:var(--muted)}\n"
	"tr.step.failed{background:#fff5f5}tr.step.skipped{color:#4a5568}"
	".title{color:var(--muted);font-size:12px}.err{color:var(--bad)}\n"
	"table.ev{margin:4px 0 2px;font-size:12px}.ev td{padding:1px 8px 1px 0;vertical-align:top;border:0}"
	".ev td.k{color:var(--muted)}\n"
	"details{margin:4px 0}summary{cursor:pointer;color:#2b6cb0}.alt{margin-top:10px}"
	".events{font-size:13px}.foot{color:var(--muted);font-size:12px}\n"
	"@media print{@page{size:A4 landscape;margin:10mm}"
	"body{max-width:none;padding:0;font-size:10pt}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	"details::details-content{content-visibility:visible;display:contents}"
	"summary{color:var(--ink)}tr,figure,.ev{break-inside:avoid}h2{break-after:avoid}}\n";

static void head(FILE *o, const json_t *doc)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"opsplan\">\n<title>", o);
	if (json_is_true(json_object_get(json_object_get(doc, "run"), "dry_run")))
		fputs("[dry run] ", o);
	esc(o, run_str(doc, "plan"));
	fputs(" \xe2\x80\x94 run ", o);
	esc(o, run_str(doc, "run_id"));
	fputs("</title>\n<style>\n", o);
	fputs(report_html_css, o);
	fputs("</style>\n</head>\n", o);
}

static void banner(FILE *o, const json_t *doc)
{
	const char *state = sget(doc, "state") ? sget(doc, "state") : "-";
	int dry = json_is_true(json_object_get(json_object_get(doc, "run"), "dry_run"));
	char d[32];
	report_duration(d, sizeof d, iget(doc, "duration_ms", -1));
	fprintf(o, "<body class=\"%s%s\">\n<header>\n", outcome_class(state), dry ? " dry" : "");
	if (dry)
		fputs("<p class=\"dryrun\" role=\"note\">DRY RUN \xe2\x80\x94 nothing was changed: mutations were "
		      "sent with dryRun or only described</p>\n", o);
	fputs("<h1>", o);
	esc(o, run_str(doc, "plan"));
	fputs(" <span class=\"runid\">", o);
	esc(o, run_str(doc, "run_id"));
	fprintf(o, "</span></h1>\n<p class=\"outcome\"><span class=\"badge %s\">%s ", outcome_class(state),
		!strcmp(state, "done") ? "\xe2\x9c\x93" : !strcmp(state, "failed") ? "\xe2\x9c\x95" : "\xe2\x96\xa0");
	esc(o, state);
	fputs("</span> ", o);
	esc(o, run_str(doc, "namespace"));
	fputs(" / ", o);
	esc(o, run_str(doc, "cluster"));
	fprintf(o, " \xc2\xb7 started %s \xc2\xb7 %s", sget(doc, "started") ? sget(doc, "started") : "-", d);
	if (sget(doc, "error")) {
		fputs(" \xc2\xb7 <span class=\"err\">", o);
		esc_cut(o, sget(doc, "error"), 300);
		fputs("</span>", o);
	}
	fputs("</p>\n</header>\n<main>\n", o);
}

int report_html(const struct journal_records *r, FILE *out)
{
	json_t *doc = report_json(r);
	struct tl t;
	struct disp_list d;
	tl_build(&t, r);
	disp_build(&t, &d);
	head(out, doc);
	banner(out, doc);
	fputs("<section id=\"timeline-section\"><h2>Timeline</h2>\n<figure>\n", out);
	svg_timeline(out, &t, &d);
	fputs("<figcaption>", out);
	legend(out);
	fputs("Times are UTC; hover a bar for its details.</figcaption>\n</figure>\n", out);
	tl_table(out, &t);
	fputs("</section>\n", out);
	summary(out, doc);
	steps(out, doc);
	spans(out, doc);
	events(out, doc);
	journal_section(out, doc, r);
	fputs("</main>\n</body>\n</html>\n", out);
	free(d.v);
	tl_release(&t);
	json_decref(doc);
	fflush(out);
	return ferror(out) ? -1 : 0;
}
