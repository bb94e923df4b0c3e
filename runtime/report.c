/* report.c - the run report, a pure function of the journal (report.h).
 *
 * One model, three renderings: report_json folds the records into a JSON
 * document; text and Markdown are printed from that document, so the three
 * can never disagree about what happened.  HTML (report_html.c) prints its
 * tables from the same document and adds a timeline. */
#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal_impl.h"
#include "mem.h"
#include "iso_time.h"

int report_format_parse(const char *s, enum report_format *out)
{
	if (!strcmp(s, "text"))
		*out = REPORT_TEXT;
	else if (!strcmp(s, "md") || !strcmp(s, "markdown"))
		*out = REPORT_MARKDOWN;
	else if (!strcmp(s, "json"))
		*out = REPORT_JSON;
	else if (!strcmp(s, "html"))
		*out = REPORT_HTML;
	else
		return -1;
	return 0;
}

/* ---- folding the records into the model ----------------------------- */

/* Keys starting with '_' are the fold's scratch (epoch ms); stripped at the end. */
static json_t *iso(int64_t ms)
{
	char buf[40];
	iso_time(buf, sizeof buf, ms);
	return json_string(buf);
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

/* Copy member k of src into dst when present. */
static void copy_key(json_t *dst, const json_t *src, const char *k)
{
	json_t *v = json_object_get(src, k);
	if (v)
		json_object_set(dst, k, v);
}

struct fold {
	json_t *doc, *steps, *index, *brackets, *windows, *gates, *signals, *resumes;
};

/* The row of a step (and loop item), created on first sight in journal order. */
static json_t *row_of(struct fold *f, const json_t *data)
{
	const char *step = sget(data, "step");
	json_int_t item = iget(data, "item_index", -1);
	char *key = xasprintf("%s#%" JSON_INTEGER_FORMAT, step ? step : "?", item);
	json_t *idx = json_object_get(f->index, key);
	json_t *row;
	if (idx) {
		row = json_array_get(f->steps, (size_t)json_integer_value(idx));
	} else {
		row = json_pack("{s:s, s:s, s:i}", "step", step ? step : "?", "status", "unfinished",
				"attempts", 0);
		if (item >= 0)
			json_object_set_new(row, "item_index", json_integer(item));
		json_object_set_new(f->index, key, json_integer((json_int_t)json_array_size(f->steps)));
		json_array_append_new(f->steps, row);
	}
	free(key);
	return row;
}

static void bump_attempts(json_t *row, json_int_t n)
{
	if (n > iget(row, "attempts", 0))
		json_object_set_new(row, "attempts", json_integer(n));
}

static void fold_step_start(struct fold *f, const struct journal_record *rec)
{
	json_t *row = row_of(f, rec->data);
	if (!json_object_get(row, "_start_ms")) {
		json_object_set_new(row, "_start_ms", json_integer(rec->ms));
		json_object_set_new(row, "start", iso(rec->ms));
	}
	copy_key(row, rec->data, "title");
	copy_key(row, rec->data, "action");
	copy_key(row, rec->data, "item_label");
	bump_attempts(row, iget(rec->data, "attempt", 1));
	json_object_set_new(row, "status", json_string("unfinished"));
}

static void fold_intent(struct fold *f, const struct journal_record *rec)
{
	json_t *row = row_of(f, rec->data);
	json_t *muts = json_object_get(row, "mutations");
	if (!muts) {
		muts = json_array();
		json_object_set_new(row, "mutations", muts);
	}
	json_t *m = json_pack("{s:I, s:o}", "attempt", iget(rec->data, "attempt", 1), "time", iso(rec->ms));
	copy_key(m, rec->data, "action");
	copy_key(m, rec->data, "request");
	copy_key(m, rec->data, "precondition");
	copy_key(m, rec->data, "idempotent");
	json_array_append_new(muts, m);
}

static void fold_outcome(struct fold *f, const struct journal_record *rec)
{
	json_t *row = row_of(f, rec->data);
	json_t *muts = json_object_get(row, "mutations");
	json_int_t attempt = iget(rec->data, "attempt", 1);
	json_t *m = NULL;
	/* the latest intent of this attempt still waiting for its outcome */
	for (size_t i = json_array_size(muts); i-- > 0;) {
		json_t *c = json_array_get(muts, i);
		if (iget(c, "attempt", 1) == attempt && !json_object_get(c, "ok")) {
			m = c;
			break;
		}
	}
	if (!m) {
		if (!muts) {
			muts = json_array();
			json_object_set_new(row, "mutations", muts);
		}
		m = json_pack("{s:I}", "attempt", attempt);
		json_array_append_new(muts, m);
	}
	json_object_set_new(m, "ok", json_boolean(json_is_true(json_object_get(rec->data, "ok"))));
	copy_key(m, rec->data, "http_status");
	copy_key(m, rec->data, "summary");
	copy_key(m, rec->data, "error");
}

static void fold_step_end(struct fold *f, const struct journal_record *rec)
{
	json_t *row = row_of(f, rec->data);
	const char *status = sget(rec->data, "status");
	json_object_set_new(row, "status", json_string(status ? status : "-"));
	bump_attempts(row, iget(rec->data, "attempts", 0));
	json_int_t dur = iget(rec->data, "duration_ms", -1);
	json_int_t start = iget(row, "_start_ms", -1);
	if (dur < 0 && start >= 0)
		dur = rec->ms - start;
	if (dur >= 0)
		json_object_set_new(row, "duration_ms", json_integer(dur));
	if (start < 0) {
		json_object_set_new(row, "_start_ms", json_integer(rec->ms - (dur > 0 ? dur : 0)));
		json_object_set_new(row, "start", iso(rec->ms - (dur > 0 ? dur : 0)));
	}
	/* every time a step's evidence was taken: a resume, or a long gate,
	 * takes the reads a mutation depends on again */
	if (status && !strcmp(status, "ok")) {
		json_t *taken = json_object_get(row, "taken");
		if (!taken) {
			taken = json_array();
			json_object_set_new(row, "taken", taken);
		}
		json_array_append_new(taken, iso(rec->ms));
	}
	copy_key(row, rec->data, "summary");
	copy_key(row, rec->data, "error");
	copy_key(row, rec->data, "result");
	copy_key(row, rec->data, "assertions");
	copy_key(row, rec->data, "title");
}

static void fold_gate(struct fold *f, const struct journal_record *rec)
{
	const char *state = sget(rec->data, "state");
	const char *step = sget(rec->data, "step");
	json_t *g = NULL;
	if (state && strcmp(state, "asked") != 0) {
		for (size_t i = json_array_size(f->gates); i-- > 0;) {
			json_t *c = json_array_get(f->gates, i);
			const char *cs = sget(c, "step");
			if (!strcmp(sget(c, "state"), "asked") && cs && step && !strcmp(cs, step)) {
				g = c;
				break;
			}
		}
	}
	if (!g) {
		g = json_pack("{s:s, s:o}", "step", step ? step : "?", "asked", iso(rec->ms));
		copy_key(g, rec->data, "question");
		json_array_append_new(f->gates, g);
	}
	json_object_set_new(g, "state", json_string(state ? state : "-"));
	if (state && strcmp(state, "asked") != 0)
		json_object_set_new(g, "decided", iso(rec->ms));
	copy_key(g, rec->data, "answer");
	copy_key(g, rec->data, "by");
}

/* Open a bracket or window span. */
static void span_open(json_t *list, const char *namekey, const struct journal_record *rec)
{
	const char *name = sget(rec->data, namekey);
	json_t *s = json_pack("{s:s, s:o, s:I}", namekey, name ? name : "?", "opened", iso(rec->ms),
			      "_open_ms", (json_int_t)rec->ms);
	copy_key(s, rec->data, "step");
	copy_key(s, rec->data, "within_ms");
	json_array_append_new(list, s);
}

/* Close the latest open span of the same name; NULL when none was open. */
static json_t *span_close(json_t *list, const char *namekey, const struct journal_record *rec)
{
	const char *name = sget(rec->data, namekey);
	for (size_t i = json_array_size(list); i-- > 0;) {
		json_t *s = json_array_get(list, i);
		if (json_object_get(s, "closed") || !name || strcmp(sget(s, namekey), name) != 0)
			continue;
		json_object_set_new(s, "closed", iso(rec->ms));
		json_object_set_new(s, "duration_ms", json_integer(rec->ms - iget(s, "_open_ms", rec->ms)));
		const char *step = sget(rec->data, "step");
		if (step)
			json_object_set_new(s, "close_step", json_string(step));
		return s;
	}
	return NULL;
}

static void fold_record(struct fold *f, const struct journal_record *rec)
{
	json_t *d = rec->data, *s;
	switch (rec->kind) {
	case JOURNAL_RUN_START:
		if (!json_object_get(f->doc, "run")) {
			json_t *run = json_deep_copy(d);
			json_object_del(run, "ir");   /* the report names the IR by hash, not by copy */
			json_object_set_new(f->doc, "run", run);
		}
		break;
	case JOURNAL_RESUME:
		s = json_pack("{s:o}", "time", iso(rec->ms));
		copy_key(s, d, "cut_bytes");
		copy_key(s, d, "pid");
		copy_key(s, d, "host");
		json_array_append_new(f->resumes, s);
		json_object_del(f->doc, "state");   /* a resumed run is open again */
		json_object_del(f->doc, "exit_code");
		json_object_del(f->doc, "error");
		json_object_del(f->doc, "ended");
		break;
	case JOURNAL_STEP_START:
		fold_step_start(f, rec);
		break;
	case JOURNAL_INTENT:
		fold_intent(f, rec);
		break;
	case JOURNAL_OUTCOME:
		fold_outcome(f, rec);
		break;
	case JOURNAL_STEP_END:
		fold_step_end(f, rec);
		break;
	case JOURNAL_GATE:
		fold_gate(f, rec);
		break;
	case JOURNAL_WINDOW_OPEN:
		span_open(f->windows, "window", rec);
		break;
	case JOURNAL_WINDOW_CLOSE:
		s = span_close(f->windows, "window", rec);
		if (s) {
			copy_key(s, d, "elapsed_ms");
			copy_key(s, d, "exceeded");
		}
		break;
	case JOURNAL_BRACKET_OPEN:
		span_open(f->brackets, "bracket", rec);
		break;
	case JOURNAL_BRACKET_CLOSE:
		span_close(f->brackets, "bracket", rec);
		break;
	case JOURNAL_SIGNAL:
		s = json_pack("{s:o}", "time", iso(rec->ms));
		copy_key(s, d, "signal");
		copy_key(s, d, "count");
		json_array_append_new(f->signals, s);
		break;
	case JOURNAL_RUN_END:
		json_object_set_new(f->doc, "state", json_string(sget(d, "state") ? sget(d, "state") : "-"));
		copy_key(f->doc, d, "exit_code");
		copy_key(f->doc, d, "error");
		json_object_set_new(f->doc, "ended", iso(rec->ms));
		break;
	case JOURNAL_KIND_COUNT:
		break;
	}
}

/* Spans still open at the end of the journal: open until its last record. */
static int64_t close_open_spans(json_t *list, const char *namekey, int64_t last_ms, const char *only)
{
	int64_t total = 0;
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s) {
		if (!json_object_get(s, "closed")) {
			json_object_set_new(s, "closed", json_null());
			json_object_set_new(s, "unclosed", json_true());
			json_object_set_new(s, "duration_ms", json_integer(last_ms - iget(s, "_open_ms", last_ms)));
		}
		if (only && !strcmp(sget(s, namekey), only))
			total += iget(s, "duration_ms", 0);
		json_object_del(s, "_open_ms");
	}
	return total;
}

json_t *report_json(const struct journal_records *r)
{
	struct fold f;
	f.doc = json_object();
	f.steps = json_array();
	f.index = json_object();
	f.brackets = json_array();
	f.windows = json_array();
	f.gates = json_array();
	f.signals = json_array();
	f.resumes = json_array();
	for (size_t i = 0; i < r->n; i++)
		fold_record(&f, &r->items[i]);
	int64_t first = r->n ? r->items[0].ms : 0, last = r->n ? r->items[r->n - 1].ms : 0;
	if (!json_object_get(f.doc, "run"))
		json_object_set_new(f.doc, "run", json_object());
	if (r->n)
		json_object_set_new(f.doc, "started", iso(first));
	json_object_set_new(f.doc, "duration_ms", json_integer(last - first));
	if (!json_object_get(f.doc, "state"))
		json_object_set_new(f.doc, "state", json_string("incomplete"));
	size_t i;
	json_t *row;
	json_array_foreach(f.steps, i, row)
		json_object_del(row, "_start_ms");
	int64_t maint = close_open_spans(f.brackets, "bracket", last, "maintenance");
	close_open_spans(f.windows, "window", last, NULL);
	json_object_set_new(f.doc, "maintenance_ms", json_integer(maint));
	json_object_set_new(f.doc, "steps", f.steps);
	json_object_set_new(f.doc, "brackets", f.brackets);
	json_object_set_new(f.doc, "windows", f.windows);
	json_object_set_new(f.doc, "gates", f.gates);
	json_object_set_new(f.doc, "signals", f.signals);
	json_object_set_new(f.doc, "resumes", f.resumes);
	json_object_set_new(f.doc, "journal",
			    json_pack("{s:s?, s:I, s:I}", "path", r->path, "records", (json_int_t)r->n,
				      "cut_bytes", (json_int_t)r->cut_bytes));
	json_decref(f.index);
	return f.doc;
}

/* ---- rendering helpers ---------------------------------------------- */

void report_duration(char *out, size_t n, long long ms)
{
	if (ms < 0)
		snprintf(out, n, "-");
	else if (ms < 1000)
		snprintf(out, n, "%lldms", ms);
	else if (ms < 60000)
		snprintf(out, n, "%d.%ds", (int)(ms / 1000), (int)(ms % 1000 / 100));
	else if (ms < 3600000)
		snprintf(out, n, "%dm%02ds", (int)(ms / 60000), (int)(ms / 1000 % 60));
	else
		snprintf(out, n, "%dh%02dm%02ds", (int)(ms / 3600000), (int)(ms / 60000 % 60),
			 (int)(ms / 1000 % 60));
}

/* "2026-11-26T09:30:12.345Z" -> "09:30:12" (clock time within the run). */
static const char *clock_of(const json_t *o, const char *k, char *buf, size_t n)
{
	const char *s = sget(o, k);
	if (!s || strlen(s) < 19)
		return "-";
	snprintf(buf, n, "%.8s", s + 11);
	return buf;
}

/* A JSON value as one short line: strings bare, the rest compact JSON. */
static char *short_value(const json_t *v, size_t max)
{
	char *s = json_is_string(v) ? xstrdup(json_string_value(v))
				    : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		s = xstrdup("-");
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	if (strlen(s) > max) {
		size_t cut = max - 3;
		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		strcpy(s + cut, "...");
	}
	return s;
}

/* The summary of a step row: its summary, or its error, or a cut of its result. */
static char *row_summary(const json_t *row, size_t max)
{
	const json_t *v = json_object_get(row, "summary");
	if (!v || json_is_null(v))
		v = json_object_get(row, "error");
	if (!v || json_is_null(v)) {
		v = json_object_get(row, "result");
		if (json_is_object(v) && json_is_true(json_object_get(v, "truncated"))) {
			char *h = short_value(json_object_get(v, "head"), max > 40 ? max - 30 : max);
			char *s = xasprintf("%s (truncated, %" JSON_INTEGER_FORMAT " bytes)", h, iget(v, "bytes", 0));
			free(h);
			return s;
		}
	}
	return v ? short_value(v, max) : xstrdup("");
}

static char *step_name(const json_t *row)
{
	json_int_t item = iget(row, "item_index", -1);
	const char *label = sget(row, "item_label");
	if (item < 0)
		return xstrdup(sget(row, "step"));
	if (label)
		return xasprintf("%s[%" JSON_INTEGER_FORMAT "] %s", sget(row, "step"), item, label);
	return xasprintf("%s[%" JSON_INTEGER_FORMAT "]", sget(row, "step"), item);
}

/* One evidence line per assertion: kind, expression, value, verdict. */
struct evidence {
	char *kind, *that, *value, *verdict, *message;
};

static void evidence_of(const json_t *a, struct evidence *e, size_t max)
{
	e->kind = xstrdup(sget(a, "kind") ? sget(a, "kind") : "expect");
	e->that = xstrdup(sget(a, "that") ? sget(a, "that") : "-");
	json_t *v = json_object_get(a, "value");
	e->value = v ? short_value(v, max) : xstrdup("-");
	e->verdict = xstrdup(sget(a, "verdict") ? sget(a, "verdict") : "-");
	e->message = sget(a, "message") ? xstrdup(sget(a, "message")) : NULL;
}

static void evidence_free(struct evidence *e)
{
	free(e->kind);
	free(e->that);
	free(e->value);
	free(e->verdict);
	free(e->message);
}

/* One line per mutation: attempt, action, request line, precondition, outcome. */
static char *mutation_line(const json_t *m)
{
	struct strbuf b = {0};
	sb_printf(&b, "attempt %" JSON_INTEGER_FORMAT " %s", iget(m, "attempt", 1),
		  sget(m, "action") ? sget(m, "action") : "mutation");
	json_t *req = json_object_get(m, "request");
	if (sget(req, "method") && sget(req, "path"))
		sb_printf(&b, " %s %s", sget(req, "method"), sget(req, "path"));
	json_t *pre = json_object_get(m, "precondition");
	if (pre) {
		char *p = short_value(pre, 100);
		sb_printf(&b, ", precondition %s", p);
		free(p);
	}
	json_t *ok = json_object_get(m, "ok");
	if (!ok) {
		sb_puts(&b, " -> no outcome recorded");
	} else {
		sb_puts(&b, " ->");
		if (json_object_get(m, "http_status"))
			sb_printf(&b, " %" JSON_INTEGER_FORMAT, iget(m, "http_status", 0));
		sb_puts(&b, json_is_true(ok) ? " ok" : " failed");
		const char *why = sget(m, "error") ? sget(m, "error") : sget(m, "summary");
		if (why)
			sb_printf(&b, ": %s", why);
	}
	return sb_detach(&b);
}

static const char *run_str(const json_t *doc, const char *k)
{
	const char *s = sget(json_object_get(doc, "run"), k);
	return s ? s : "-";
}

static char *exit_str(const json_t *doc)
{
	json_t *c = json_object_get(doc, "exit_code");
	return json_is_integer(c) ? xasprintf("exit %" JSON_INTEGER_FORMAT, json_integer_value(c))
				  : xstrdup("no exit code recorded");
}

static const char *mode_str(const json_t *doc)
{
	json_t *d = json_object_get(json_object_get(doc, "run"), "dry_run");
	return json_is_true(d) ? "dry run" : json_is_false(d) ? "live" : "-";
}

/* ---- text ----------------------------------------------------------- */

static void text_spans(const json_t *doc, FILE *out)
{
	char a[16], b[16], d[32];
	size_t i;
	json_t *s;
	json_t *brackets = json_object_get(doc, "brackets");
	if (json_array_size(brackets))
		fprintf(out, "\nbrackets\n");
	json_array_foreach(brackets, i, s) {
		report_duration(d, sizeof d, iget(s, "duration_ms", -1));
		fprintf(out, "  %-12s opened %s", sget(s, "bracket"), clock_of(s, "opened", a, sizeof a));
		if (sget(s, "step"))
			fprintf(out, " by %s", sget(s, "step"));
		if (json_is_true(json_object_get(s, "unclosed")))
			fprintf(out, ", NOT CLOSED (open %s at the end of the journal)\n", d);
		else
			fprintf(out, ", closed %s%s%s (%s)\n", clock_of(s, "closed", b, sizeof b),
				sget(s, "close_step") ? " by " : "",
				sget(s, "close_step") ? sget(s, "close_step") : "", d);
	}
	json_t *windows = json_object_get(doc, "windows");
	if (json_array_size(windows))
		fprintf(out, "\nwindows\n");
	json_array_foreach(windows, i, s) {
		json_int_t el = iget(s, "elapsed_ms", iget(s, "duration_ms", -1));
		report_duration(d, sizeof d, el);
		char w[32];
		report_duration(w, sizeof w, iget(s, "within_ms", -1));
		const char *verdict = json_is_true(json_object_get(s, "unclosed")) ? "NOT CLOSED"
				      : json_is_true(json_object_get(s, "exceeded")) ? "EXCEEDED"
				      : "ok";
		fprintf(out, "  %-12s within %s, took %s, %s\n", sget(s, "window"), w, d, verdict);
	}
	if (json_array_size(brackets)) {
		report_duration(d, sizeof d, iget(doc, "maintenance_ms", 0));
		fprintf(out, "\ntime in maintenance: %s\n", d);
	}
}

static void text_events(const json_t *doc, FILE *out)
{
	char a[16];
	size_t i;
	json_t *g;
	json_t *gates = json_object_get(doc, "gates");
	if (json_array_size(gates))
		fprintf(out, "\ngates\n");
	json_array_foreach(gates, i, g) {
		fprintf(out, "  %-12s \"%s\" %s", sget(g, "step"), sget(g, "question") ? sget(g, "question") : "",
			sget(g, "state"));
		if (sget(g, "answer"))
			fprintf(out, " '%s'", sget(g, "answer"));
		if (sget(g, "by"))
			fprintf(out, " by %s", sget(g, "by"));
		fprintf(out, " at %s\n", clock_of(g, sget(g, "decided") ? "decided" : "asked", a, sizeof a));
	}
	json_t *sigs = json_object_get(doc, "signals");
	if (json_array_size(sigs))
		fprintf(out, "\nsignals\n");
	json_array_foreach(sigs, i, g)
		fprintf(out, "  %s (#%" JSON_INTEGER_FORMAT ") at %s\n", sget(g, "signal") ? sget(g, "signal") : "?",
			iget(g, "count", 1), clock_of(g, "time", a, sizeof a));
}

static void text_steps(const json_t *doc, FILE *out)
{
	json_t *steps = json_object_get(doc, "steps");
	fprintf(out, "\nsteps\n");
	if (!json_array_size(steps)) {
		fprintf(out, "  (no step started)\n");
		return;
	}
	size_t i, k;
	json_t *row, *a;
	int w = 20;   /* the step column fits the longest name, within reason */
	json_array_foreach(steps, i, row) {
		char *name = step_name(row);
		int n = (int)strlen(name);
		w = n > w ? (n < 48 ? n : 48) : w;
		free(name);
	}
	fprintf(out, "  %-10s %-*s %8s  %-8s  %8s  %s\n", "STATUS", w, "STEP", "ATTEMPTS", "START", "DURATION",
		"SUMMARY");
	json_array_foreach(steps, i, row) {
		char st[16], d[32];
		char *name = step_name(row);
		char *sum = row_summary(row, 60);
		report_duration(d, sizeof d, iget(row, "duration_ms", -1));
		fprintf(out, "  %-10s %-*s %8" JSON_INTEGER_FORMAT "  %-8s  %8s%s%s\n", sget(row, "status"), w, name,
			iget(row, "attempts", 0), clock_of(row, "start", st, sizeof st), d, *sum ? "  " : "", sum);
		free(name);
		free(sum);
		json_t *taken = json_object_get(row, "taken");
		if (json_array_size(taken) > 1) {
			fprintf(out, "             evidence taken at %s", json_string_value(json_array_get(taken, 0)));
			for (k = 1; k < json_array_size(taken); k++)
				fprintf(out, ", re-taken at %s", json_string_value(json_array_get(taken, k)));
			fputc('\n', out);
		}
		json_array_foreach(json_object_get(row, "assertions"), k, a) {
			struct evidence e;
			evidence_of(a, &e, 80);
			fprintf(out, "             %s %s\n               = %s -> %s\n", e.kind, e.that, e.value,
				e.verdict);
			if (e.message)
				fprintf(out, "               %s\n", e.message);
			evidence_free(&e);
		}
		json_array_foreach(json_object_get(row, "mutations"), k, a) {
			char *m = mutation_line(a);
			fprintf(out, "             %s\n", m);
			free(m);
		}
		if (sget(row, "error") && sget(row, "summary"))
			fprintf(out, "             error: %s\n", sget(row, "error"));
	}
}

static void render_text(const json_t *doc, FILE *out)
{
	char d[32];
	report_duration(d, sizeof d, iget(doc, "duration_ms", 0));
	char *ex = exit_str(doc);
	fprintf(out, "run %s\n", run_str(doc, "run_id"));
	fprintf(out, "  plan      %s (ir %s)\n", run_str(doc, "plan"), run_str(doc, "ir_hash"));
	fprintf(out, "  target    namespace '%s' cluster '%s' context '%s'\n", run_str(doc, "namespace"),
		run_str(doc, "cluster"), run_str(doc, "context"));
	fprintf(out, "  mode      %s, opsplan %s, by %s on %s\n", mode_str(doc), run_str(doc, "version"),
		run_str(doc, "user"), run_str(doc, "host"));
	fprintf(out, "  started   %s\n", sget(doc, "started") ? sget(doc, "started") : "-");
	fprintf(out, "  ended     %s (%s)\n", sget(doc, "ended") ? sget(doc, "ended") : "-", d);
	fprintf(out, "  state     %s, %s\n", sget(doc, "state"), ex);
	if (sget(doc, "error"))
		fprintf(out, "  error     %s\n", sget(doc, "error"));
	size_t nres = json_array_size(json_object_get(doc, "resumes"));
	if (nres)
		fprintf(out, "  resumed   %zu time%s\n", nres, nres == 1 ? "" : "s");
	free(ex);
	text_steps(doc, out);
	text_spans(doc, out);
	text_events(doc, out);
	json_t *jr = json_object_get(doc, "journal");
	fprintf(out, "\njournal %s: %" JSON_INTEGER_FORMAT " records", sget(jr, "path") ? sget(jr, "path") : "-",
		iget(jr, "records", 0));
	if (iget(jr, "cut_bytes", 0))
		fprintf(out, ", torn tail of %" JSON_INTEGER_FORMAT " bytes ignored", iget(jr, "cut_bytes", 0));
	fprintf(out, "\n");
}

/* ---- Markdown ------------------------------------------------------- */

/* Inline code that survives backticks inside s. */
static void md_code(FILE *out, const char *s)
{
	if (strchr(s, '`'))
		fprintf(out, "`` %s ``", s);
	else
		fprintf(out, "`%s`", s);
}

/* Table cell text: a '|' would end the cell. */
static void md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else
			fputc(*s, out);
	}
}

static void md_code_cell(FILE *out, const char *s)
{
	char *c = xstrdup(s);
	struct strbuf b = {0};
	for (char *p = c; *p; p++) {
		if (*p == '|')
			sb_puts(&b, "\\|");
		else
			sb_putc(&b, *p);
	}
	md_code(out, b.s ? b.s : "");
	sb_release(&b);
	free(c);
}

static void md_evidence(const json_t *doc, FILE *out)
{
	size_t i, k;
	json_t *row, *a;
	int any = 0;
	json_array_foreach(json_object_get(doc, "steps"), i, row) {
		json_t *as = json_object_get(row, "assertions"), *ms = json_object_get(row, "mutations");
		if (!json_array_size(as) && !json_array_size(ms) && !sget(row, "error"))
			continue;
		if (!any++)
			fprintf(out, "\n### Evidence\n");
		char *name = step_name(row);
		fprintf(out, "\n- **");
		md_cell(out, name);
		fprintf(out, "** (%s)\n", sget(row, "status"));
		free(name);
		json_array_foreach(as, k, a) {
			struct evidence e;
			evidence_of(a, &e, 200);
			fprintf(out, "  - %s ", e.kind);
			md_code(out, e.that);
			fprintf(out, " = ");
			md_code(out, e.value);
			fprintf(out, ": **%s**%s%s\n", e.verdict, e.message ? " - " : "", e.message ? e.message : "");
			evidence_free(&e);
		}
		json_array_foreach(ms, k, a) {
			char *m = mutation_line(a);
			fprintf(out, "  - ");
			md_code(out, m);
			fprintf(out, "\n");
			free(m);
		}
		if (sget(row, "error"))
			fprintf(out, "  - error: %s\n", sget(row, "error"));
	}
}

static void md_steps(const json_t *doc, FILE *out)
{
	fprintf(out, "\n## Steps\n\n");
	json_t *steps = json_object_get(doc, "steps");
	if (!json_array_size(steps)) {
		fprintf(out, "No step started.\n");
		return;
	}
	fprintf(out, "| status | step | attempts | start | duration | summary |\n"
		     "|---|---|---:|---|---:|---|\n");
	size_t i;
	json_t *row;
	json_array_foreach(steps, i, row) {
		char st[16], d[32];
		char *name = step_name(row);
		char *sum = row_summary(row, 120);
		report_duration(d, sizeof d, iget(row, "duration_ms", -1));
		fprintf(out, "| %s | ", sget(row, "status"));
		md_code_cell(out, name);
		fprintf(out, " | %" JSON_INTEGER_FORMAT " | %s | %s | ", iget(row, "attempts", 0),
			clock_of(row, "start", st, sizeof st), d);
		md_cell(out, sum);
		fprintf(out, " |\n");
		free(name);
		free(sum);
	}
	md_evidence(doc, out);
}

static void md_spans(const json_t *doc, FILE *out)
{
	char a[16], b[16], d[32], w[32];
	size_t i;
	json_t *s;
	json_t *brackets = json_object_get(doc, "brackets"), *windows = json_object_get(doc, "windows");
	if (json_array_size(brackets)) {
		report_duration(d, sizeof d, iget(doc, "maintenance_ms", 0));
		fprintf(out, "\n## Brackets\n\nTime in maintenance: **%s**\n\n", d);
	}
	json_array_foreach(brackets, i, s) {
		report_duration(d, sizeof d, iget(s, "duration_ms", -1));
		fprintf(out, "- ");
		md_code(out, sget(s, "bracket"));
		fprintf(out, ": opened %s", clock_of(s, "opened", a, sizeof a));
		if (sget(s, "step"))
			fprintf(out, " by `%s`", sget(s, "step"));
		if (json_is_true(json_object_get(s, "unclosed")))
			fprintf(out, ", **not closed** (open %s at the end of the journal)\n", d);
		else
			fprintf(out, ", closed %s%s%s%s (%s)\n", clock_of(s, "closed", b, sizeof b),
				sget(s, "close_step") ? " by `" : "", sget(s, "close_step") ? sget(s, "close_step") : "",
				sget(s, "close_step") ? "`" : "", d);
	}
	if (json_array_size(windows))
		fprintf(out, "\n## Windows\n\n| window | within | took | verdict |\n|---|---:|---:|---|\n");
	json_array_foreach(windows, i, s) {
		report_duration(d, sizeof d, iget(s, "elapsed_ms", iget(s, "duration_ms", -1)));
		report_duration(w, sizeof w, iget(s, "within_ms", -1));
		const char *verdict = json_is_true(json_object_get(s, "unclosed")) ? "not closed"
				      : json_is_true(json_object_get(s, "exceeded")) ? "**exceeded**"
				      : "ok";
		fprintf(out, "| ");
		md_code_cell(out, sget(s, "window"));
		fprintf(out, " | %s | %s | %s |\n", w, d, verdict);
	}
}

static void md_events(const json_t *doc, FILE *out)
{
	char a[16];
	size_t i;
	json_t *g;
	json_t *gates = json_object_get(doc, "gates"), *sigs = json_object_get(doc, "signals");
	if (json_array_size(gates))
		fprintf(out, "\n## Gates\n\n");
	json_array_foreach(gates, i, g) {
		fprintf(out, "- ");
		md_code(out, sget(g, "step"));
		fprintf(out, ": \"%s\" %s", sget(g, "question") ? sget(g, "question") : "", sget(g, "state"));
		if (sget(g, "answer"))
			fprintf(out, " '%s'", sget(g, "answer"));
		if (sget(g, "by"))
			fprintf(out, " by %s", sget(g, "by"));
		fprintf(out, " at %s\n", clock_of(g, sget(g, "decided") ? "decided" : "asked", a, sizeof a));
	}
	if (json_array_size(sigs))
		fprintf(out, "\n## Signals\n\n");
	json_array_foreach(sigs, i, g)
		fprintf(out, "- %s (#%" JSON_INTEGER_FORMAT ") at %s\n", sget(g, "signal") ? sget(g, "signal") : "?",
			iget(g, "count", 1), clock_of(g, "time", a, sizeof a));
}

static void render_md(const json_t *doc, FILE *out)
{
	char d[32];
	report_duration(d, sizeof d, iget(doc, "duration_ms", 0));
	char *ex = exit_str(doc);
	fprintf(out, "# Run `%s`\n\n", run_str(doc, "run_id"));
	fprintf(out, "| | |\n|---|---|\n");
	fprintf(out, "| plan | `%s` (IR `%s`) |\n", run_str(doc, "plan"), run_str(doc, "ir_hash"));
	fprintf(out, "| namespace / cluster | `%s` / `%s` (context `%s`) |\n", run_str(doc, "namespace"),
		run_str(doc, "cluster"), run_str(doc, "context"));
	fprintf(out, "| mode | %s, opsplan %s |\n", mode_str(doc), run_str(doc, "version"));
	fprintf(out, "| by | %s on %s |\n", run_str(doc, "user"), run_str(doc, "host"));
	fprintf(out, "| started | %s |\n", sget(doc, "started") ? sget(doc, "started") : "-");
	fprintf(out, "| ended | %s (%s) |\n", sget(doc, "ended") ? sget(doc, "ended") : "-", d);
	fprintf(out, "| state | **%s**, %s |\n", sget(doc, "state"), ex);
	if (sget(doc, "error")) {
		fprintf(out, "| error | ");
		md_cell(out, sget(doc, "error"));
		fprintf(out, " |\n");
	}
	size_t nres = json_array_size(json_object_get(doc, "resumes"));
	if (nres)
		fprintf(out, "| resumed | %zu time%s |\n", nres, nres == 1 ? "" : "s");
	free(ex);
	md_steps(doc, out);
	md_spans(doc, out);
	md_events(doc, out);
	json_t *jr = json_object_get(doc, "journal");
	fprintf(out, "\n---\nJournal `%s`: %" JSON_INTEGER_FORMAT " records", sget(jr, "path") ? sget(jr, "path") : "-",
		iget(jr, "records", 0));
	if (iget(jr, "cut_bytes", 0))
		fprintf(out, ", torn tail of %" JSON_INTEGER_FORMAT " bytes ignored", iget(jr, "cut_bytes", 0));
	fprintf(out, ".\n");
}

int report_render(const struct journal_records *r, enum report_format fmt, FILE *out)
{
	if (fmt == REPORT_HTML)
		return report_html(r, out);
	json_t *doc = report_json(r);
	switch (fmt) {
	case REPORT_TEXT:
		render_text(doc, out);
		break;
	case REPORT_MARKDOWN:
		render_md(doc, out);
		break;
	case REPORT_JSON:
		json_dumpf(doc, out, JSON_INDENT(2));
		fputc('\n', out);
		break;
	case REPORT_HTML:
		break;
	}
	json_decref(doc);
	fflush(out);
	return ferror(out) ? -1 : 0;
}
