#!/usr/bin/env bash
# bench/run.sh - `make bench`: opsplan's speed against baselines measured in
# the same run on the same bytes, printed as one table.
#
# Sections: each is a function section_NAME that measures something and adds
# rows with `row MEASURE VALUE TARGET VERDICT`.  To add one, define the
# function below the others and append NAME to SECTIONS.  Shared state:
#   $OPSPLAN  binary under test        $WORK    scratch directory (removed)
#   $CORPUS   1,000 plans (made by section_corpus, which runs first)
#   $WALL     bench/wall.c: `$WALL N CMD...` -> median_us min_us max_us maxrss_kib status cpu_us
set -u
cd "$(dirname "$0")/.."
OPSPLAN=${OPSPLAN:-$PWD/bin/opsplan}
BLD=${BUILD:-build}   # the build directory whose libcompiler.a the helpers link (make BUILD=...)
N_PLANS=${BENCH_PLANS:-1000}
[ -x "$OPSPLAN" ] || { echo "bench: $OPSPLAN is not built (make all)"; exit 2; }
B=$BLD/bench
mkdir -p "$B"
cc -O2 -Wall -Wextra -Werror -o "$B/yaml_events" bench/yaml_events.c $(pkg-config --cflags --libs yaml-0.1) || exit 2
cc -O2 -Wall -Wextra -Werror -o "$B/wall" bench/wall.c || exit 2
[ -f "$BLD/libcompiler.a" ] || { echo "bench: $BLD/libcompiler.a is missing (make all)"; exit 2; }
cc -O2 -Wall -Wextra -Werror -Icompiler -o "$B/load_only" bench/load_only.c "$BLD/libcompiler.a" \
	$(pkg-config --libs yaml-0.1 libcurl jansson libpcre2-8) -lm || exit 2
cc -O2 -Wall -Wextra -Werror -Icompiler -o "$B/compile_all" bench/compile_all.c "$BLD/libcompiler.a" \
	$(pkg-config --libs yaml-0.1 jansson libpcre2-8) -lm || exit 2
WALL=$B/wall
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CORPUS=$WORK/corpus

ROWS=()
row() { ROWS+=("$1|$2|$3|$4"); }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v + 0 <= t + 0) ? "ok" : "MISSED" }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

# ---- corpus ----------------------------------------------------------------
section_corpus() {
	local template=plans/patroni-hotfix.yaml src
	if [ -f "$template" ]; then src="copies of $template"; else src="generated Patroni-style plans ($template not there yet)"; template=""; fi
	python3 bench/gen_corpus.py "$CORPUS" "$N_PLANS" $template || exit 2
	CORPUS_BYTES=$(cat "$CORPUS"/*.yaml | wc -c)
	local findings
	findings=$("$OPSPLAN" lint --format json "$CORPUS" 2>/dev/null | python3 -c \
		'import json,sys; print(len({json.loads(l)["file"] for l in sys.stdin if l.strip()}))')
	echo "corpus: $N_PLANS $src, $CORPUS_BYTES bytes ($((CORPUS_BYTES / N_PLANS)) per plan), $findings with findings"
	row "corpus" "$N_PLANS plans, $(awk -v b="$CORPUS_BYTES" 'BEGIN{printf "%.1f", b/1048576}') MiB" "" ""
	row "plans with findings" "$findings" "0 (clean: every built stage runs)" "$([ "$findings" = 0 ] && echo ok || echo MISSED)"
}

# ---- lint throughput against a bare libyaml parse ---------------------------
# median_of N CMD...: one run at a time, so commands measured in turn share
# whatever else the machine is doing; prints "median_us maxrss_kib status cpu_us".
median_of() {
	local n=$1; shift
	"$WALL" "$n" "$@" | awk '{ print $1, $4, $5, $6 }'
}
med() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# cpu_row NAME A_US B_US TARGET: the same ratio in CPU time, which the other
# work on a shared machine does not inflate (wall time it does).
cpu_row() {
	local r
	r=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.2f", a / b }')
	row "$1" "${r}x ($(ms "$2") / $(ms "$3") ms CPU)" "<= ${4}x" "$(verdict "$r" "$4")"
}
section_lint() {
	local rounds=7 i b=() l=() t=() bc=() tc=() bare load lint one start
	# Interleaved rounds: the machine is shared, so each round measures the
	# three under the same load and the medians compare like with like.
	for i in $(seq "$rounds"); do
		read -r -a bare <<<"$(median_of 1 "$B/yaml_events" "$CORPUS"/*.yaml)"; b+=("${bare[0]}"); bc+=("${bare[3]}")
		read -r -a load <<<"$(median_of 1 "$B/load_only" "$CORPUS"/*.yaml)"; l+=("${load[0]}")
		read -r -a lint <<<"$(median_of 1 "$OPSPLAN" lint --quiet "$CORPUS")"; t+=("${lint[0]}"); tc+=("${lint[3]}")
	done
	local mb=$(med "${b[@]}") ml=$(med "${l[@]}") mt=$(med "${t[@]}")
	read -r -a one <<<"$("$WALL" 50 "$OPSPLAN" lint --quiet "$CORPUS/plan-0000.yaml")"
	read -r -a start <<<"$("$WALL" 50 "$OPSPLAN" --version)"
	local mbs_bare mbs_lint pps ratio
	mbs_bare=$(awk -v b="$CORPUS_BYTES" -v u="$mb" 'BEGIN { printf "%.1f", b / 1048576 / (u / 1e6) }')
	mbs_lint=$(awk -v b="$CORPUS_BYTES" -v u="$mt" 'BEGIN { printf "%.1f", b / 1048576 / (u / 1e6) }')
	pps=$(awk -v n="$N_PLANS" -v u="$mt" 'BEGIN { printf "%.0f", n / (u / 1e6) }')
	ratio=$(awk -v a="$mt" -v b="$mb" 'BEGIN { printf "%.2f", a / b }')
	row "libyaml events, corpus (median of $rounds)" "$(ms "$mb") ms, $mbs_bare MB/s" "baseline" ""
	row "yaml_load only: tree, locations, checks" "$(ms "$ml") ms, $(awk -v a="$ml" -v b="$mb" 'BEGIN { printf "%.2f", a / b }')x bare" "" ""
	row "opsplan lint, corpus (median of $rounds)" "$(ms "$mt") ms, $mbs_lint MB/s, $pps plans/s" "" "exit ${lint[2]}"
	row "lint / bare parse" "${ratio}x" "<= 3x" "$(verdict "$ratio" 3)"
	cpu_row "lint / bare parse, CPU time" "$(med "${tc[@]}")" "$(med "${bc[@]}")" 3
	# Freeing each plan's memory can shrink the heap below what the next plan
	# needs, so every plan faults its pages in again (63,000 page faults for
	# the corpus under a long directory name, 300 under a short one: the
	# layout decides).  A 1 MiB trim threshold keeps them: what a mallopt in
	# the lint loop would give.
	local trim
	read -r -a trim <<<"$(MALLOC_TRIM_THRESHOLD_=1048576 "$WALL" 3 "$OPSPLAN" lint --quiet "$CORPUS")"
	row "  the same with MALLOC_TRIM_THRESHOLD_=1048576" "$(awk -v a="${trim[5]}" -v b="$(med "${bc[@]}")" 'BEGIN { printf "%.2f", a / b }')x CPU, peak RSS $(awk -v k="${trim[3]}" 'BEGIN { printf "%.1f", k / 1024 }') MiB" "(not the default)" ""
	row "lint one plan, with process start (median of 50)" "$(ms "${one[0]}") ms (min $(ms "${one[1]}"), max $(ms "${one[2]}"))" "< 5 ms" "$(verdict "$(ms "${one[0]}")" 4.999)"
	row "  of which process start (opsplan --version)" "$(ms "${start[0]}") ms" "" ""
	row "peak RSS, lint of the corpus (one process)" "$(awk -v k="${lint[1]}" 'BEGIN { printf "%.1f", k / 1024 }') MiB (${lint[1]} KiB)" "< 8 MiB" "$(verdict "${lint[1]}" 8191)"
	row "peak RSS, bare parse of the corpus" "$(( bare[1] / 1024 )) MiB" "baseline" ""
}

# ---- compile throughput against the same bare parse --------------------------
# `opsplan compile` takes one plan per process, so bench/compile_all.c runs
# the same code (compile_file with -p, every stage, ir_emit with its hash, the
# IR written to /dev/null) over the whole corpus in one process: what a
# multi-file compile would cost, without 1,000 process starts.
section_compile() {
	local rounds=7 i b=() c=() bc=() cc=() bare comp out
	for i in $(seq "$rounds"); do
		read -r -a bare <<<"$(median_of 1 "$B/yaml_events" "$CORPUS"/*.yaml)"; b+=("${bare[0]}"); bc+=("${bare[3]}")
		read -r -a comp <<<"$(median_of 1 "$B/compile_all" -p cluster=patroni-001 "$CORPUS"/*.yaml)"; c+=("${comp[0]}"); cc+=("${comp[3]}")
	done
	local mb=$(med "${b[@]}") mc=$(med "${c[@]}") ratio mbs pps
	read -r -a out <<<"$("$B/compile_all" -p cluster=patroni-001 "$CORPUS"/*.yaml 2>/dev/null)"
	ratio=$(awk -v a="$mc" -v b="$mb" 'BEGIN { printf "%.2f", a / b }')
	mbs=$(awk -v b="$CORPUS_BYTES" -v u="$mc" 'BEGIN { printf "%.1f", b / 1048576 / (u / 1e6) }')
	pps=$(awk -v n="$N_PLANS" -v u="$mc" 'BEGIN { printf "%.0f", n / (u / 1e6) }')
	row "libyaml events, corpus (again, interleaved)" "$(ms "$mb") ms" "baseline" ""
	row "compile + IR, corpus, one process (median of $rounds)" "$(ms "$mc") ms, $mbs MB/s, $pps plans/s" "" \
		"${out[0]:-0} compiled, ${out[1]:-?} failed, IR $(awk -v b="${out[2]:-0}" 'BEGIN { printf "%.1f", b / 1048576 }') MiB"
	row "compile / bare parse" "${ratio}x" "<= 4x" "$(verdict "$ratio" 4)"
	cpu_row "compile / bare parse, CPU time" "$(med "${cc[@]}")" "$(med "${bc[@]}")" 4
	row "peak RSS, compile + IR of the corpus (one process)" "$(awk -v k="${comp[1]}" 'BEGIN { printf "%.1f", k / 1024 }') MiB (${comp[1]} KiB)" "< 8 MiB" "$(verdict "${comp[1]}" 8191)"
}

# ---- one very large plan -----------------------------------------------------
# bench/big_plan.py: N steps that each read earlier steps, groups, loops,
# needs, when, a bracket.  Catches anything quadratic in the plan's size
# (plan_scope_check once took 58 s on 5,000 steps).
section_scale() {
	local n t1 t5 big1 big5 lint5 ratio
	python3 bench/big_plan.py 1000 >"$WORK/big-1000.yaml" || exit 2
	python3 bench/big_plan.py 5000 >"$WORK/big-5000.yaml" || exit 2
	n=$(wc -c <"$WORK/big-5000.yaml")
	read -r -a big1 <<<"$("$WALL" 5 "$OPSPLAN" compile "$WORK/big-1000.yaml")"
	read -r -a big5 <<<"$("$WALL" 5 "$OPSPLAN" compile "$WORK/big-5000.yaml")"
	read -r -a lint5 <<<"$("$WALL" 5 "$OPSPLAN" lint --quiet "$WORK/big-5000.yaml")"
	t1=$(ms "${big1[0]}")
	t5=$(ms "${big5[0]}")
	ratio=$(awk -v a="${big5[0]}" -v b="${big1[0]}" 'BEGIN { printf "%.1f", a / b }')
	row "compile 1,000-step plan (median of 5)" "$t1 ms" "" "exit ${big1[4]}"
	row "compile 5,000-step plan, $(awk -v b="$n" 'BEGIN { printf "%.1f", b / 1048576 }') MiB (median of 5)" "$t5 ms, peak RSS $(( big5[3] / 1024 )) MiB" "< 1000 ms" "$(verdict "$t5" 999.99) (exit ${big5[4]})"
	row "  lint of the same" "$(ms "${lint5[0]}") ms" "" "exit ${lint5[4]}"
	row "  5,000 / 1,000 steps" "${ratio}x time" "<= 10x (linear: 5x)" "$(verdict "$ratio" 10)"
}

SECTIONS=(corpus lint compile scale)
source bench/executor.sh && SECTIONS+=(executor)   # section_executor is in bench/executor.sh
source bench/plan.sh && SECTIONS+=(plan)   # section_plan (the default plan against a sandbox) is in bench/plan.sh
source bench/report_html.sh && SECTIONS+=(report_html)   # section_report_html (issue 16: a 200-item loop's HTML report) is in bench/report_html.sh
# BENCH_SECTIONS="corpus lint" runs only those (corpus first: the others read it)
[ -z "${BENCH_SECTIONS:-}" ] || read -r -a SECTIONS <<<"$BENCH_SECTIONS"
for s in "${SECTIONS[@]}"; do
	"section_$s"
done

# ---- the table --------------------------------------------------------------
w1=7 w2=5 w3=6
for r in "${ROWS[@]}"; do
	IFS='|' read -r a b c d <<<"$r"
	[ ${#a} -gt $w1 ] && w1=${#a}
	[ ${#b} -gt $w2 ] && w2=${#b}
	[ ${#c} -gt $w3 ] && w3=${#c}
done
echo
printf "%-${w1}s  %-${w2}s  %-${w3}s  %s\n" measure value target verdict
printf "%-${w1}s  %-${w2}s  %-${w3}s  %s\n" "$(printf '%*s' "$w1" '' | tr ' ' -)" "$(printf '%*s' "$w2" '' | tr ' ' -)" "$(printf '%*s' "$w3" '' | tr ' ' -)" -------
for r in "${ROWS[@]}"; do
	IFS='|' read -r a b c d <<<"$r"
	printf "%-${w1}s  %-${w2}s  %-${w3}s  %s\n" "$a" "$b" "$c" "$d"
done
