#!/usr/bin/env bash
# make test-crash: the default plan SIGKILLed after EVERY record of its
# journal, each an independent case (issue 9, "Must show"; not in make test:
# about 140 cases of a full hot fix each, most of an hour per sandbox).
#
# A reference run gives the number of records R.  For each N in 2..R-1 the
# case is: the cluster reset (healthy, management resumed; not restarted), a
# fresh run killed once record N is durable (OPSPLAN_TEST_KILL=record:N, exit
# 137, the journal's last record is N), then `--resume --yes` to the end,
# which must exit 0 and leave, as one clean run does: exactly one build
# (BuildConfig lastVersion +1), every member deleted exactly once and no
# replacement deleted (the sandbox's request trace), one switchover (timeline
# +1), every pod on the new digest, management resumed, every member running
# with lag 0, and a writer that lost no acknowledged row.
#
#   JOBS=2            two sandboxes, the cases shared between them
#   CASES="5 29 55"   only these record numbers (default: 2..R-1)
#   OPSPLAN=...       the binary (default bin/opsplan)
#
# Prints one verdict per case, then "N passed, N failed" and the wall time;
# exit 0 when every case passed.  Outputs of failed cases are kept under
# the printed directory.
set -u
cd "$(dirname "$0")/../.."
OPSPLAN=${OPSPLAN:-$PWD/bin/opsplan}
case $OPSPLAN in /*) ;; *) OPSPLAN=$PWD/$OPSPLAN ;; esac
export OPSPLAN
JOBS=${JOBS:-1}
TOP=$(mktemp -d /tmp/opsplan-crash.XXXXXX)
chmod 755 "$TOP"   # the pods run as user postgres and live under it
T0=$(date +%s)
worker_pids=()
cleanup() {
	local w
	for w in "${worker_pids[@]}"; do kill "$w" 2>/dev/null; done
	wait 2>/dev/null
	for w in "$TOP"/w*/sbx; do
		[ -d "$w" ] && { tests/sandbox/sandbox down --dir "$w" >/dev/null 2>&1 || echo "FAIL sandbox down left a process ($w)"; }
	done
	[ "${KEEP:-0}" = 1 ] || [ -e "$TOP/keep" ] || rm -rf "$TOP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# worker W: a sandbox of its own; reads case numbers from $TOP/w$W.cases,
# appends "pass N" / "fail N" to $TOP/w$W.verdicts
worker() {
	local W=$1
	SBX=$TOP/w$W/sbx J=$TOP/w$W/journal
	local OUT=$TOP/w$W/out
	mkdir -p "$OUT"
	. tests/e2e/lib.sh
	local KC
	KC=$(OPSPLAN_SANDBOX_TRACE=1 "$E2E_SB" up --dir "$SBX" 2>"$OUT/up.err" | tail -n 1)
	if [ ! -f "$KC" ]; then
		"$E2E_SB" down --dir "$SBX" >/dev/null 2>&1
		KC=$(OPSPLAN_SANDBOX_TRACE=1 "$E2E_SB" up --dir "$SBX" 2>"$OUT/up.err" | tail -n 1)
	fi
	if [ ! -f "$KC" ]; then echo "FAIL worker $W: sandbox up: $(tail -n 1 "$OUT/up.err")"; return 1; fi
	export KUBECONFIG=$KC
	local N V TL U M rc1 rc2 run got D why t
	for N in $(cat "$TOP/w$W.cases"); do
		t=$(date +%s)
		healthy_wait || { ensure_resumed; healthy_wait; } || echo "     (worker $W: the cluster is not healthy before case $N)"
		V=$(bc_version); TL=$(timeline); U=$(pod_uids); M=$(api_mark)
		writer_start "$OUT/$N.writer" || echo "     (worker $W: the writer did not start for case $N)"
		( OPSPLAN_TEST_KILL=record:$N timeout 600 "$OPSPLAN" run "${E2E_PARAMS[@]}" --journal "$J" --yes \
			</dev/null >"$OUT/$N.1.out" 2>"$OUT/$N.1.err"; exit $? ) 2>/dev/null   # no "Killed" from bash
		rc1=$?
		run=$(ls -t "$J"/*.jsonl 2>/dev/null | head -n 1)
		got=$(tail -n 1 "$run" | jq -r '"\(.seq) \(.kind) \(.data.step // "-")"')
		timeout 600 "$OPSPLAN" run --resume "$(run_id "$run")" --journal "$J" --yes </dev/null \
			>"$OUT/$N.2.out" 2>"$OUT/$N.2.err"
		rc2=$?
		writer_stop
		why=()
		[ $rc1 = 137 ] || why+=("the killed run exited $rc1")
		[ "${got%% *}" = "$N" ] || why+=("its last record is $got")
		[ $rc2 = 0 ] || why+=("--resume exited $rc2: $(grep -v '^ *$' "$OUT/$N.2.err" | tail -n 2 | tr '\n' ' ')")
		[ "$(bc_version)" = $(( V + 1 )) ] || why+=("builds +$(( $(bc_version) - V ))")
		[ "$(timeline)" = $(( TL + 1 )) ] || why+=("timeline +$(( $(timeline) - TL ))")
		deleted_once "$U" "$M" 2>"$OUT/$N.del" || why+=("$(cat "$OUT/$N.del")")
		D=$(jq_journal "$run" 'result("build").get("digest")')
		all_pods_on "$D" 2.0.1 || why+=("not every pod on the new digest")
		[ "$(paused)" = false ] || why+=("left paused")
		all_running_lag0 || why+=("not every member running with lag 0")
		writer_ok "$OUT/$N.writer" || why+=("writer: $(writer_says "$OUT/$N.writer" 2>/dev/null)")
		if [ ${#why[@]} = 0 ]; then
			echo "pass $N" >>"$TOP/w$W.verdicts"
			echo "ok   record $N (${got#* }): killed, resumed, one build, one delete per member, one switchover, resumed, writer ok ($(( $(date +%s) - t )) s)"
		else
			echo "fail $N" >>"$TOP/w$W.verdicts"
			touch "$TOP/keep"
			local IFS=';'
			echo "FAIL record $N (${got#* }): ${why[*]}"
			unset IFS
		fi
		ensure_resumed
	done
}

# ---- the reference run (worker 1's sandbox) -----------------------------------------
if [ -n "${CASES:-}" ]; then
	cases=($CASES)
else
	mkdir -p "$TOP/ref"
	(
		SBX=$TOP/w1/sbx J=$TOP/ref/journal
		. tests/e2e/lib.sh
		KC=$(OPSPLAN_SANDBOX_TRACE=1 "$E2E_SB" up --dir "$SBX" 2>"$TOP/ref/up.err" | tail -n 1)
		[ -f "$KC" ] || { echo "FAIL reference: sandbox up: $(tail -n 1 "$TOP/ref/up.err")"; exit 1; }
		export KUBECONFIG=$KC
		healthy_wait
		run_plan --yes >"$TOP/ref/out" 2>"$TOP/ref/err" || { echo "FAIL reference run: $(tail -n 3 "$TOP/ref/err")"; exit 1; }
	) || exit 1
	R=$(cat "$TOP"/ref/journal/*.jsonl | wc -l)
	cases=($(seq 2 $(( R - 1 ))))
	echo "     reference run: $R records; ${#cases[@]} cases (record 2..$(( R - 1 ))), JOBS=$JOBS"
fi
for (( w = 1; w <= JOBS; w++ )); do : >"$TOP/w$w.cases"; : >"$TOP/w$w.verdicts"; done
for (( k = 0; k < ${#cases[@]}; k++ )); do echo "${cases[k]}" >>"$TOP/w$(( k % JOBS + 1 )).cases"; done
for (( w = 1; w <= JOBS; w++ )); do
	worker $w &
	worker_pids+=($!)
done
wait "${worker_pids[@]}"
worker_pids=()
pass=$(cat "$TOP"/w*.verdicts | grep -c '^pass')
failn=$(cat "$TOP"/w*.verdicts | grep -c '^fail')
missing=$(( ${#cases[@]} - pass - failn ))
[ $missing = 0 ] || echo "FAIL $missing cases did not run (a worker died)"
echo "$pass passed, $(( failn + missing )) failed ($(( $(date +%s) - T0 )) s wall, JOBS=$JOBS)"
[ -e "$TOP/keep" ] && echo "     outputs of the failed cases: $TOP/w*/out"
[ $failn = 0 ] && [ $missing = 0 ]
