/* test_report.c - the run report from a synthetic journal, in text,
 * Markdown and JSON: steps, attempts, durations, evidence, mutations,
 * brackets (one left open), windows, gates, signals, the final state; and
 * the HTML page (report_html.c) of the same journal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "mem.h"
#include "report.h"

#define T0 1795685412000LL   /* 2026-11-26T09:30:12.000Z */

static uint64_t seq;

static void add(struct journal_records *r, enum journal_kind k, int64_t at, json_t *data)
{
	journal_records_add(r, ++seq, k, T0 + at, data);
}

/* A Patroni hot fix interrupted at the switchover gate, maintenance left open. */
static void synthetic(struct journal_records *r)
{
	seq = 0;
	memset(r, 0, sizeof *r);
	add(r, JOURNAL_RUN_START, 0,
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:{s:s}}", "run_id",
		      "20261126T093012Z-patroni-hotfix-3f2a", "plan", "patroni-hotfix", "ir_hash", "sha256:ab12",
		      "namespace", "ns1", "cluster", "patroni-001", "context", "lab", "dry_run", 0, "version",
		      "0.1.0", "user", "alice", "host", "h1", "ir", "opsplan_ir", "SHOULD-NOT-APPEAR"));
	add(r, JOURNAL_STEP_START, 100,
	    json_pack("{s:s, s:s, s:s, s:i}", "step", "healthy", "title", "every member is running",
		      "action", "patroni.cluster", "attempt", 1));
	add(r, JOURNAL_STEP_END, 1300,
	    json_pack("{s:s, s:s, s:i, s:i, s:s, s:[{s:s, s:s, s:b, s:s}, {s:s, s:s, s:f, s:s, s:s}]}", "step",
		      "healthy", "status", "ok", "attempts", 1, "duration_ms", 1200, "summary",
		      "2 members running", "assertions", "kind", "expect", "that",
		      "all(result.members, m => m.state == \"running\")", "value", 1, "verdict", "pass", "kind",
		      "expect", "that", "max(result.members[*].lag_mb) <= params.max_lag_mb", "value", 0.0,
		      "verdict", "pass", "message", "lag | 0 MB"));
	add(r, JOURNAL_STEP_START, 2000, json_pack("{s:s, s:i}", "step", "pause", "attempt", 1));
	add(r, JOURNAL_INTENT, 2100,
	    json_pack("{s:s, s:i, s:s, s:{s:s, s:s}, s:{s:s}}", "step", "pause", "attempt", 1, "action",
		      "patroni.pause", "request", "method", "PATCH", "path", "/config", "precondition",
		      "leader", "patroni-001-0"));
	add(r, JOURNAL_OUTCOME, 2400, json_pack("{s:s, s:i, s:b, s:i}", "step", "pause", "attempt", 1, "ok", 1,
						"http_status", 200));
	add(r, JOURNAL_BRACKET_OPEN, 2500, json_pack("{s:s, s:s}", "bracket", "maintenance", "step", "pause"));
	add(r, JOURNAL_STEP_END, 2500,
	    json_pack("{s:s, s:s, s:i, s:i}", "step", "pause", "status", "ok", "attempts", 1, "duration_ms", 500));
	add(r, JOURNAL_WINDOW_OPEN, 3000, json_pack("{s:s, s:i}", "window", "replicas", "within_ms", 600000));
	for (int a = 1; a <= 2; a++) {
		add(r, JOURNAL_STEP_START, 3000 + a,
		    json_pack("{s:s, s:i, s:s, s:i}", "step", "replicas.delete", "item_index", 0, "item_label",
			      "patroni-001-1", "attempt", a));
		add(r, JOURNAL_INTENT, 3100 + a,
		    json_pack("{s:s, s:i, s:i, s:s, s:{s:s}}", "step", "replicas.delete", "item_index", 0,
			      "attempt", a, "action", "k8s.delete", "precondition", "uid", a == 1 ? "u-1" : "u-2"));
		if (a == 1)
			add(r, JOURNAL_OUTCOME, 3200,
			    json_pack("{s:s, s:i, s:i, s:b, s:i, s:s}", "step", "replicas.delete", "item_index", 0,
				      "attempt", 1, "ok", 0, "http_status", 409, "error", "uid precondition failed"));
		else
			add(r, JOURNAL_OUTCOME, 3300,
			    json_pack("{s:s, s:i, s:i, s:b, s:i}", "step", "replicas.delete", "item_index", 0,
				      "attempt", 2, "ok", 1, "http_status", 200));
	}
	add(r, JOURNAL_STEP_END, 68000,
	    json_pack("{s:s, s:i, s:s, s:i, s:i, s:s}", "step", "replicas.delete", "item_index", 0, "status", "ok",
		      "attempts", 2, "duration_ms", 65000, "summary", "pod replaced"));
	add(r, JOURNAL_WINDOW_CLOSE, 68000,
	    json_pack("{s:s, s:i, s:b}", "window", "replicas", "elapsed_ms", 65000, "exceeded", 0));
	add(r, JOURNAL_GATE, 69000,
	    json_pack("{s:s, s:s, s:s}", "step", "switchover", "state", "asked", "question",
		      "Switch the leader over to patroni-001-1?"));
	add(r, JOURNAL_GATE, 75000,
	    json_pack("{s:s, s:s, s:s, s:s}", "step", "switchover", "state", "answered", "answer", "yes", "by",
		      "user"));
	add(r, JOURNAL_SIGNAL, 80000, json_pack("{s:s, s:i}", "signal", "SIGINT", "count", 1));
	/* a step-end without its step-start: the start comes from the duration */
	add(r, JOURNAL_STEP_END, 80000,
	    json_pack("{s:s, s:s, s:i, s:i, s:s}", "step", "switchover", "status", "failed", "attempts", 1,
		      "duration_ms", 4000, "error", "switchover refused: lag 12 MB"));
	add(r, JOURNAL_RUN_END, 81000,
	    json_pack("{s:s, s:i, s:s}", "state", "interrupted", "exit_code", 4, "error", "interrupted by SIGINT"));
}

static char *render(const struct journal_records *r, enum report_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	assert_int_equal(report_render(r, fmt, fp), 0);
	fclose(fp);
	return buf;
}

static void has(const char *text, const char *want)
{
	if (!strstr(text, want)) {
		fprintf(stderr, "---- report ----\n%s---- end ----\n", text);
		fail_msg("missing '%s' in the report above", want);
	}
}

static void test_text(void **state)
{
	(void)state;
	struct journal_records r;
	synthetic(&r);
	char *t = render(&r, REPORT_TEXT);
	has(t, "run 20261126T093012Z-patroni-hotfix-3f2a\n");
	has(t, "namespace 'ns1' cluster 'patroni-001' context 'lab'");
	has(t, "mode      live, opsplan 0.1.0, by alice on h1");
	has(t, "ended     2026-11-26T09:31:33.000Z (1m21s)");
	has(t, "state     interrupted, exit 4");
	has(t, "error     interrupted by SIGINT");
	/* step rows: status, name, attempts, start, duration, summary */
	has(t, "  STATUS     STEP                             ATTEMPTS  START     DURATION  SUMMARY\n");
	has(t, "  ok         healthy                                 1  09:30:12      1.2s  2 members running\n");
	has(t, "  ok         pause                                   1  09:30:14     500ms\n");
	has(t, "  ok         replicas.delete[0] patroni-001-1        2  09:30:15     1m05s  pod replaced\n");
	has(t, "  failed     switchover                              1  09:31:28      4.0s  switchover refused: lag 12 MB\n");
	/* evidence: expression, evaluated value, verdict */
	has(t, "expect all(result.members, m => m.state == \"running\")\n               = true -> pass");
	has(t, "= 0.0 -> pass\n               lag | 0 MB");
	/* mutations with their preconditions and outcomes, both attempts */
	has(t, "attempt 1 patroni.pause PATCH /config, precondition {\"leader\":\"patroni-001-0\"} -> 200 ok");
	has(t, "attempt 1 k8s.delete, precondition {\"uid\":\"u-1\"} -> 409 failed: uid precondition failed");
	has(t, "attempt 2 k8s.delete, precondition {\"uid\":\"u-2\"} -> 200 ok");
	/* maintenance never closed: flagged, and counted to the end of the journal */
	has(t, "maintenance  opened 09:30:14 by pause, NOT CLOSED (open 1m18s at the end of the journal)");
	has(t, "time in maintenance: 1m18s");
	has(t, "replicas     within 10m00s, took 1m05s, ok");
	has(t, "switchover   \"Switch the leader over to patroni-001-1?\" answered 'yes' by user at 09:31:27");
	has(t, "SIGINT (#1) at 09:31:32");
	has(t, "journal -: 22 records");
	assert_null(strstr(t, "SHOULD-NOT-APPEAR"));
	free(t);
	journal_records_release(&r);
}

static void test_markdown(void **state)
{
	(void)state;
	struct journal_records r;
	synthetic(&r);
	char *t = render(&r, REPORT_MARKDOWN);
	has(t, "# Run `20261126T093012Z-patroni-hotfix-3f2a`\n");
	has(t, "| state | **interrupted**, exit 4 |");
	has(t, "| status | step | attempts | start | duration | summary |");
	has(t, "| ok | `replicas.delete[0] patroni-001-1` | 2 | 09:30:15 | 1m05s | pod replaced |");
	has(t, "| failed | `switchover` | 1 | 09:31:28 | 4.0s | switchover refused: lag 12 MB |");
	has(t, "- **healthy** (ok)\n  - expect `all(result.members, m => m.state == \"running\")` = `true`: **pass**");
	has(t, "  - `attempt 1 k8s.delete, precondition {\"uid\":\"u-1\"} -> 409 failed: uid precondition failed`");
	has(t, "Time in maintenance: **1m18s**");
	has(t, "**not closed** (open 1m18s at the end of the journal)");
	has(t, "| `replicas` | 10m00s | 1m05s | ok |");
	has(t, "- `switchover`: \"Switch the leader over to patroni-001-1?\" answered 'yes' by user at 09:31:27");
	free(t);
	journal_records_release(&r);
}

static void test_json(void **state)
{
	(void)state;
	struct journal_records r;
	synthetic(&r);
	char *t = render(&r, REPORT_JSON);
	json_error_t je;
	json_t *doc = json_loads(t, 0, &je);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "state")), "interrupted");
	assert_int_equal(json_integer_value(json_object_get(doc, "exit_code")), 4);
	assert_int_equal(json_integer_value(json_object_get(doc, "duration_ms")), 81000);
	assert_int_equal(json_integer_value(json_object_get(doc, "maintenance_ms")), 78500);
	assert_null(json_object_get(json_object_get(doc, "run"), "ir"));
	json_t *steps = json_object_get(doc, "steps");
	assert_int_equal(json_array_size(steps), 4);
	json_t *rep = json_array_get(steps, 2);
	assert_string_equal(json_string_value(json_object_get(rep, "step")), "replicas.delete");
	assert_int_equal(json_integer_value(json_object_get(rep, "attempts")), 2);
	assert_int_equal(json_integer_value(json_object_get(rep, "duration_ms")), 65000);
	assert_string_equal(json_string_value(json_object_get(rep, "start")), "2026-11-26T09:30:15.001Z");
	json_t *muts = json_object_get(rep, "mutations");
	assert_int_equal(json_array_size(muts), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(muts, 0), "http_status")), 409);
	assert_true(json_is_true(json_object_get(json_array_get(muts, 1), "ok")));
	json_t *ev = json_array_get(json_object_get(json_array_get(steps, 0), "assertions"), 0);
	assert_string_equal(json_string_value(json_object_get(ev, "verdict")), "pass");
	json_t *br = json_array_get(json_object_get(doc, "brackets"), 0);
	assert_true(json_is_true(json_object_get(br, "unclosed")));
	assert_null(json_object_get(br, "_open_ms"));
	json_t *gate = json_array_get(json_object_get(doc, "gates"), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "gates")), 1);
	assert_string_equal(json_string_value(json_object_get(gate, "state")), "answered");
	assert_string_equal(json_string_value(json_object_get(gate, "asked")), "2026-11-26T09:31:21.000Z");
	json_decref(doc);
	free(t);
	journal_records_release(&r);
}

/* Through a real file: a run that was resumed after a torn tail, closed
 * its bracket and finished; and an empty journal says what it lacks. */
static void test_from_file_and_empty(void **state)
{
	(void)state;
	char dir[] = "/tmp/opsplan-report-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct journal *j;
	struct journal_err err = {0};
	assert_int_equal(journal_create(&j, dir, "r1", &err), 0);
	assert_int_equal(journal_append(j, JOURNAL_RUN_START,
					json_pack("{s:s, s:s, s:b}", "run_id", "r1", "plan", "p", "dry_run", 1), &err), 0);
	assert_int_equal(journal_append(j, JOURNAL_BRACKET_OPEN, json_pack("{s:s}", "bracket", "maintenance"), &err), 0);
	char *path = xstrdup(journal_path(j));
	journal_close(j);
	FILE *fp = fopen(path, "ab");
	fputs("{\"seq\":3,\"kind\":\"brack", fp);   /* a crash mid-write */
	fclose(fp);
	struct journal_records r = {0};
	assert_int_equal(journal_open_resume(&j, path, &r, &err), 0);
	assert_int_equal(r.cut_bytes, 22);
	assert_int_equal(journal_append(j, JOURNAL_RESUME, json_pack("{s:i}", "cut_bytes", 22), &err), 0);
	assert_int_equal(journal_append(j, JOURNAL_BRACKET_CLOSE, json_pack("{s:s}", "bracket", "maintenance"), &err), 0);
	assert_int_equal(journal_append(j, JOURNAL_RUN_END, json_pack("{s:s, s:i}", "state", "done", "exit_code", 0), &err), 0);
	journal_close(j);
	journal_records_release(&r);
	assert_int_equal(journal_load(path, &r, &err), 0);
	char *t = render(&r, REPORT_TEXT);
	has(t, "mode      dry run");
	has(t, "state     done, exit 0");
	has(t, "resumed   1 time\n");
	has(t, "(no step started)");
	has(t, "maintenance  opened");
	assert_null(strstr(t, "NOT CLOSED"));
	has(t, "records\n");
	free(t);
	journal_records_release(&r);

	struct journal_records empty = {0};
	t = render(&empty, REPORT_TEXT);
	has(t, "state     incomplete, no exit code recorded");
	free(t);
	t = render(&empty, REPORT_MARKDOWN);
	has(t, "No step started.");
	free(t);
	unlink(path);
	rmdir(dir);
	free(path);
}

/* A truncated result still says what it was; a '|' cannot break a table. */
static void test_truncated_and_escaping(void **state)
{
	(void)state;
	struct journal_records r = {0};
	seq = 0;
	add(&r, JOURNAL_STEP_END, 10,
	    json_pack("{s:s, s:s, s:{s:b, s:i, s:s}}", "step", "dump", "status", "ok", "result", "truncated", 1,
		      "bytes", 2097154, "head", "\"xxxxxxxx"));
	add(&r, JOURNAL_STEP_END, 20,
	    json_pack("{s:s, s:s, s:s}", "step", "pipe", "status", "ok", "summary", "a | b"));
	char *t = render(&r, REPORT_TEXT);
	has(t, "\"xxxxxxxx (truncated, 2097154 bytes)");
	free(t);
	t = render(&r, REPORT_MARKDOWN);
	has(t, "| ok | `pipe` | 0 | 09:30:12 | - | a \\| b |");
	free(t);
	journal_records_release(&r);
}

static void test_format_parse(void **state)
{
	(void)state;
	enum report_format f;
	assert_int_equal(report_format_parse("md", &f), 0);
	assert_int_equal(f, REPORT_MARKDOWN);
	assert_int_equal(report_format_parse("json", &f), 0);
	assert_int_equal(f, REPORT_JSON);
	assert_int_equal(report_format_parse("text", &f), 0);
	assert_int_equal(f, REPORT_TEXT);
	assert_int_equal(report_format_parse("html", &f), 0);
	assert_int_equal(f, REPORT_HTML);
	assert_int_equal(report_format_parse("pdf", &f), -1);
}

/* The HTML page of the synthetic run: the timeline with its rows, the
 * evidence, an open bracket flagged, every journal string escaped. */
static void test_html(void **state)
{
	(void)state;
	struct journal_records r;
	synthetic(&r);
	add(&r, JOURNAL_STEP_END, 70000,
	    json_pack("{s:s, s:s, s:i, s:i, s:s}", "step", "<img src=x onerror=alert(1)>", "status", "failed",
		      "attempts", 1, "duration_ms", 5, "error", "</script>\"'&"));
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(report_html(&r, out), 0);
	fclose(out);
	assert_non_null(strstr(buf, "<!DOCTYPE html>"));
	assert_non_null(strstr(buf, "default-src 'none'"));
	assert_non_null(strstr(buf, "<svg id=\"timeline\""));
	assert_non_null(strstr(buf, "id=\"timeline-table\""));
	assert_non_null(strstr(buf, "NOT CLOSED"));
	assert_non_null(strstr(buf, "lag | 0 MB"));
	assert_non_null(strstr(buf, "&lt;img src=x onerror=alert(1)&gt;"));
	assert_non_null(strstr(buf, "&lt;/script&gt;&quot;&#39;&amp;"));
	assert_null(strstr(buf, "<img"));
	assert_null(strstr(buf, "</script>"));
	assert_null(strstr(buf, "SHOULD-NOT-APPEAR"));
	assert_non_null(strstr(buf, "not computed: no journal file"));
	free(buf);
	journal_records_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_from_file_and_empty),
		cmocka_unit_test(test_truncated_and_escaping),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_html),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
