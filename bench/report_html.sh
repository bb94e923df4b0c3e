#!/usr/bin/env bash
# bench/report_html.sh - `make bench` section "report_html": the HTML report
# (`opsplan runs show RUN --report html`) of a run with a 200-item loop
# (tests/runtime/report_html_journals.py), against issue 16's bounds:
# under 100 ms and under 20 MB RSS.  bench/run.sh sources it.
section_report_html() {
	local n=${BENCH_REPORT_ITEMS:-200} d=$WORK/report-html r
	python3 tests/runtime/report_html_journals.py "$d" "$n" || { row "HTML report" "journal not written" "" "MISSED"; return 0; }
	read -r -a r <<<"$("$WALL" 20 "$OPSPLAN" runs show "$d/loop.jsonl" --journal "$d" --report "$d/loop.html")"
	row "HTML report, $n-item loop ($(wc -c <"$d/loop.jsonl") B journal)" "$(ms "${r[0]}") ms" "< 100 ms" \
		"$(verdict "$(ms "${r[0]}")" 100)"
	row "HTML report, peak RSS" "$((r[3] / 1024)) MiB ($(wc -c <"$d/loop.html") B page)" "< 20 MiB" \
		"$(verdict "${r[3]}" 20480)"
}
