#!/usr/bin/env bash
# Suite 63-resume-scenarios: resuming the default plan correctly (issue 9,
# "Must show"), against one sandbox (a second one only for scenario b).
#
#   sigterm   SIGTERM inside maintenance (after the first replica's delete):
#             finally resumes Patroni, exit 4; --resume --yes pauses again
#             before the next replica delete (the sandbox's request trace:
#             PATCH /config before DELETE), ends 0, one build, one delete per
#             member, one switchover, resumed, lag 0, the writer lost nothing
#   other     a run killed inside maintenance, resumed with the kubeconfig of
#             another sandbox: refused (exit $REFUSED_EXIT) naming both
#             clusters, before any request that changes anything on the other
#             one; then resumed on its own cluster: done
#   gate      no --yes, KUBECONFIG unset and --kubeconfig given: stops at the
#             backup gate (exit 4) after the build; a replica then lags: the
#             resume with --yes re-takes the health check, fails (exit 1),
#             mutates nothing; healed, the printed 'continue with' command run
#             verbatim resumes (stops at the gate again, exit 4), and with
#             --yes finishes
#   outage    API outages scoped to the executor starting inside maintenance
#             (30 s of 503, 90 s of dropped connections): the run completes,
#             or ends exit 3 with management resumed; never exit 1 with
#             maintenance open
#   exec      tests/executor/exec-once.yaml: an exec killed after it was sent
#             (before its outcome) is not repeated on resume, which fails
#             saying so; an exec whose first attempt is cut mid-exec (its
#             pod's processes killed) is not retried by attempt 2;
#             exec-once-idempotent.yaml (idempotent: true) is
#
# RESUME63_ONLY="sigterm gate" runs a subset.
set -u
cd "$(dirname "$0")/../.."
: "${OPSPLAN:?set OPSPLAN to the binary under test}"
export OPSPLAN
REFUSED_EXIT=6
DIR=$(mktemp -d /tmp/opsplan-rs63.XXXXXX)
chmod 755 "$DIR"   # the pods run as user postgres and live under it
SBX=$DIR/sbx
SBXA=$SBX
SBXB=$DIR/sbxb
J=$DIR/journal
OUT=$DIR/out
mkdir -p "$OUT" "$DIR/marks"
chmod 1777 "$DIR/marks"   # exec-once's marker files, written by postgres in the pods
. tests/e2e/lib.sh
fail=0
ok()   { echo "ok   $*"; }
bad()  { echo "FAIL $*"; fail=1; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
figure() { echo "     $*"; }
cleanup() {
	writer_stop
	[ -n "${thaw:-}" ] && SBX=$SBXA walreceiver_signal "$thaw" CONT 2>/dev/null
	[ -n "${bgpid:-}" ] && kill "$bgpid" 2>/dev/null
	"$E2E_SB" down --dir "$SBXB" >/dev/null 2>&1 || echo "FAIL sandbox B down left a process"
	"$E2E_SB" down --dir "$SBXA" >/dev/null 2>&1 || echo "FAIL sandbox down left a process"
	[ -n "${KEEP:-}" ] || rm -rf "$DIR"
}
trap cleanup EXIT
want() { [ -z "${RESUME63_ONLY:-}" ] || [[ " $RESUME63_ONLY " == *" $1 "* ]]; }
newest_run() { ls -t "$J"/*.jsonl 2>/dev/null | head -n 1; }
n_resumes() { jq -s '[.[] | select(.kind == "resume")] | length' "$1"; }
# invariants TAG V TL U M WRITERFILE RUN: what one clean hot fix leaves
invariants() {
	local tag=$1 V=$2 TL=$3 U=$4 M=$5 W=$6 R=$7 D c
	D=$(jq_journal "$R" 'result("build").get("digest")')
	check "$tag: exactly one build ($V -> $(bc_version)) and one switchover (timeline $TL -> $(timeline))" \
		[ "$(bc_version)" = $(( V + 1 )) -a "$(timeline)" = $(( TL + 1 )) ]
	check "$tag: every member deleted exactly once, no replacement deleted" deleted_once "$U" "$M"
	c=false
	all_pods_on "$D" 2.0.1 && [ "$(paused)" = false ] && all_running_lag0 && c=true
	check "$tag: every pod on the new digest, management resumed, every member running with lag 0" $c
	[ $c = true ] || echo "       digest ${D:7:12}; pods: $(pods_digests | sed 's/sha256://g'); paused: $(paused);" \
		"members: $(cluster_json | jq -c '[.members[] | "\(.name) \(.role) \(.state) lag \(.lag)"]')"
	[ -z "$W" ] || check "$tag: the writer lost no acknowledged row ($(writer_says "$W"))" writer_ok "$W"
}
# tail_err FILE: the last lines of a run's stderr, indented
tail_err() { grep -v '^ *$' "$1" | tail -n "${2:-8}" | sed 's/^/       /'; }
# recover: after a failed scenario, leave the cluster healthy and resumed for the next one
recover() { "$E2E_SB" fault --dir "$SBX" --clear >/dev/null 2>&1; ensure_resumed; healthy_wait; }
T0=$(date +%s)
sandbox_up() {   # DIR -> kubeconfig path on stdout
	local kc
	kc=$(OPSPLAN_SANDBOX_TRACE=1 "$E2E_SB" up --dir "$1" 2>"$OUT/up.err" | tail -n 1)
	if [ ! -f "$kc" ]; then
		"$E2E_SB" down --dir "$1" >/dev/null 2>&1
		kc=$(OPSPLAN_SANDBOX_TRACE=1 "$E2E_SB" up --dir "$1" 2>"$OUT/up.err" | tail -n 1)
	fi
	[ -f "$kc" ] && echo "$kc"
}
KC=$(sandbox_up "$SBXA") || { bad "sandbox up: $(tail -n 2 "$OUT/up.err")"; exit 1; }
export KUBECONFIG=$KC
ok "sandbox up"

# ---- sigterm: SIGTERM inside maintenance, then --resume --yes ---------------------------
if want sigterm; then
	t=$(date +%s)
	healthy_wait || bad "sigterm: not healthy before"
	V=$(bc_version); TL=$(timeline); U=$(pod_uids); M=$(api_mark)
	writer_start "$OUT/sigterm.writer" || bad "sigterm: the writer did not start"
	# opsplan itself in the background (not run_plan: a function is a subshell, the signal would not reach opsplan)
	touch "$OUT/sigterm.t0"; sleep 0.01
	"$OPSPLAN" run "${E2E_PARAMS[@]}" --journal "$J" --yes </dev/null >"$OUT/sigterm.1.out" 2>"$OUT/sigterm.1.err" &
	bgpid=$!
	R=$(wait_record "$J" step-end delete-replica 120 "$OUT/sigterm.t0")
	kill -TERM $bgpid
	wait $bgpid
	rc1=$?; bgpid=
	p1=$(paused)
	check "sigterm: SIGTERM after the first replica's delete: exit 4, interrupted, finally resumed Patroni (paused: $p1)" \
		[ $rc1 = 4 -a "$(jq_journal "$R" 'run_end()')" = interrupted -a "$p1" = false ]
	[ $rc1 = 4 ] || tail_err "$OUT/sigterm.1.err"
	M2=$(api_mark)
	resume_run "$(run_id "$R")" --yes >"$OUT/sigterm.out" 2>"$OUT/sigterm.err"
	rc=$?
	writer_stop
	check "sigterm: --resume --yes exits 0" [ $rc = 0 ]
	[ $rc = 0 ] || tail_err "$OUT/sigterm.err"
	api_mutations_since "$M2" opsplan >"$OUT/sigterm.mut"
	first_patch=$(grep -n ' PATCH .*/proxy/config ' "$OUT/sigterm.mut" | head -n 1 | cut -d: -f1)
	first_delete=$(grep -n ' DELETE .*/pods/' "$OUT/sigterm.mut" | head -n 1 | cut -d: -f1)
	c=false
	[ -n "$first_patch" ] && [ -n "$first_delete" ] && [ "$first_patch" -lt "$first_delete" ] && c=true
	check "sigterm: the resumed run PATCHes Patroni's /config (pause) before its next pod DELETE (request trace: PATCH #${first_patch:-none}, DELETE #${first_delete:-none})" $c
	[ $c = true ] || sed 's/^/       /' "$OUT/sigterm.mut" | head -n 8
	# the journal agrees: after the resume record, a pause outcome, then the next delete's intent
	order=$($E2E_PY - "$R" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
last_resume = max([i for i, r in enumerate(recs) if r["kind"] == "resume"] or [len(recs)])
after = recs[last_resume:]
pause = [i for i, r in enumerate(after) if r["kind"] == "outcome" and r["data"].get("step") == "pause" and r["data"].get("ok")]
dele = [i for i, r in enumerate(after) if r["kind"] == "intent" and r["data"].get("step") == "delete-replica"]
print("pause@%s delete@%s" % (pause[0] if pause else None, dele[0] if dele else None))
sys.exit(0 if pause and dele and pause[0] < dele[0] else 1)
PYEOF
)
	check "sigterm: the journal shows the pause re-taken before the next delete-replica intent ($order)" [ $? = 0 ]
	invariants sigterm "$V" "$TL" "$U" "$M" "$OUT/sigterm.writer" "$R"
	[ $rc = 0 ] || recover
	figure "sigterm took $(( $(date +%s) - t )) s"
fi

# ---- other: resume against another cluster -----------------------------------------------
if want other; then
	t=$(date +%s)
	healthy_wait || bad "other: not healthy before"
	V=$(bc_version); TL=$(timeline); U=$(pod_uids); M=$(api_mark)
	# killed inside maintenance, right before the first replica's delete: A is left paused
	( OPSPLAN_TEST_KILL=at:step-end:still-replica run_plan --yes >"$OUT/other.1.out" 2>"$OUT/other.1.err"; exit $? ) 2>/dev/null
	rc1=$?
	R=$(newest_run)
	check "other: killed inside maintenance on A (exit $rc1, A paused: $(paused))" [ $rc1 = 137 ]
	if KCB=$(sandbox_up "$SBXB"); then
		SBX=$SBXB KUBECONFIG=$KCB healthy_wait || bad "other: sandbox B not healthy"
		UB=$(SBX=$SBXB KUBECONFIG=$KCB pod_uids); MB=$(SBX=$SBXB api_mark)
		SA=$(kubectl config view --minify --kubeconfig "$KC" -o jsonpath='{.clusters[0].cluster.server}')
		SB=$(kubectl config view --minify --kubeconfig "$KCB" -o jsonpath='{.clusters[0].cluster.server}')
		env -u KUBECONFIG "$OPSPLAN" run --resume "$(run_id "$R")" --journal "$J" --yes --kubeconfig "$KCB" \
			</dev/null >"$OUT/other.2.out" 2>"$OUT/other.2.err"
		rc=$?
		check "other: --resume with B's kubeconfig is refused (exit $rc, want $REFUSED_EXIT)" [ $rc = "$REFUSED_EXIT" ]
		[ $rc = "$REFUSED_EXIT" ] || tail_err "$OUT/other.2.err"
		check "other: the refusal names both clusters ($SA, $SB)" \
			sh -c "grep -qF '${SA#https://}' '$OUT/other.2.err' && grep -qF '${SB#https://}' '$OUT/other.2.err'"
		SBX=$SBXB api_mutations_since "$MB" opsplan >"$OUT/other.mutb"
		check "other: B's request log shows no PATCH/POST/PUT/DELETE from opsplan ($(wc -l <"$OUT/other.mutb") found)" \
			[ ! -s "$OUT/other.mutb" ]
		[ -s "$OUT/other.mutb" ] && sed 's/^/       /' "$OUT/other.mutb" | head -n 5
		check "other: B untouched: same pods, not paused" \
			[ "$(SBX=$SBXB KUBECONFIG=$KCB pod_uids)" = "$UB" -a "$(KUBECONFIG=$KCB paused)" = false ]
		"$E2E_SB" down --dir "$SBXB" >/dev/null 2>&1 || bad "other: sandbox B down left a process"
	else
		bad "other: sandbox B up: $(tail -n 2 "$OUT/up.err")"
	fi
	resume_run "$(run_id "$R")" --yes >"$OUT/other.3.out" 2>"$OUT/other.3.err"
	rc=$?
	check "other: then --resume on A (its own cluster) exits 0" [ $rc = 0 ]
	[ $rc = 0 ] || tail_err "$OUT/other.3.err"
	invariants other "$V" "$TL" "$U" "$M" "" "$R"
	[ $rc = 0 ] || recover
	figure "other took $(( $(date +%s) - t )) s"
fi

# ---- gate: stop at the backup gate, a member unhealthy, the check re-taken ---------------
if want gate; then
	t=$(date +%s)
	healthy_wait || bad "gate: not healthy before"
	V=$(bc_version); TL=$(timeline); U=$(pod_uids); M=$(api_mark)
	env -u KUBECONFIG "$OPSPLAN" run "${E2E_PARAMS[@]}" --kubeconfig "$KC" --journal "$J" \
		</dev/null >"$OUT/gate.1.out" 2>"$OUT/gate.1.err"
	rc1=$?
	R=$(newest_run)
	check "gate: without --yes (KUBECONFIG unset, --kubeconfig given): stops at the backup gate, exit 4, after the build" \
		[ $rc1 = 4 -a "$(jq_journal "$R" 'any(r["kind"] == "gate" and r["data"].get("step") == "pause" and r["data"].get("state") == "stopped" for r in recs)')" = True \
		  -a "$(bc_version)" = $(( V + 1 )) ]
	[ $rc1 = 4 ] || tail_err "$OUT/gate.1.err"
	c1=$(continue_cmd "$OUT/gate.1.err")
	check "gate: the stop prints a resume command with --kubeconfig ($c1)" [ "${c1#*--kubeconfig }" != "$c1" ]
	V1=$(bc_version); S1=$(istag_digest patroni-postgres:15-stable)
	# a replica lags: its walreceiver frozen, 8 MB of WAL on the leader
	L=$(leader)
	RL=$(cluster_json | jq -r '[.members[] | select(.role != "leader" and .role != "master") | .name][0]')
	if walreceiver_signal "$RL" STOP; then
		thaw=$RL
		make_wal "$L" 8
		for _ in $(seq 30); do
			[ "$(cluster_json | jq -r --arg r "$RL" '.members[] | select(.name == $r) | .lag // 0')" -ge 4194304 ] && break
			sleep 0.5
		done
		lag=$(cluster_json | jq -r --arg r "$RL" '.members[] | select(.name == $r) | .lag')
		M2=$(api_mark)
		resume_run "$(run_id "$R")" --yes >"$OUT/gate.2.out" 2>"$OUT/gate.2.err"
		rc=$?
		api_mutations_since "$M2" opsplan >"$OUT/gate.mut"
		check "gate: $RL lags $lag bytes; --resume --yes re-takes the health check, which fails: exit 1 (got $rc)" [ $rc = 1 ]
		[ $rc = 1 ] || tail_err "$OUT/gate.2.err"
		check "gate: nothing mutated by the resume: no request that changes anything ($(wc -l <"$OUT/gate.mut")), not paused, no pod deleted, no build, tag unmoved" \
			[ ! -s "$OUT/gate.mut" -a "$(paused)" = false -a "$(pod_uids)" = "$U" -a "$(bc_version)" = "$V1" \
			  -a "$(istag_digest patroni-postgres:15-stable)" = "$S1" ]
		[ -s "$OUT/gate.mut" ] && sed 's/^/       /' "$OUT/gate.mut" | head -n 5
		walreceiver_signal "$RL" CONT; thaw=
	else
		bad "gate: could not find $RL's walreceiver to freeze"
	fi
	kubectl exec -n $E2E_NS "$(leader)" -- psql -q -d postgres -c 'drop table if exists e2e_lagfill' >/dev/null 2>&1
	ensure_resumed
	healthy_wait || bad "gate: not healthy after healing $RL"
	c2=$(continue_cmd "$OUT/gate.2.err")
	[ -n "$c2" ] || c2=$c1
	before=$(n_resumes "$R")
	writer_start "$OUT/gate.writer" || bad "gate: the writer did not start"
	# verbatim, with opsplan on PATH and KUBECONFIG unset: the command alone must reach the cluster
	( export PATH="$(dirname "$OPSPLAN"):$PATH"; unset KUBECONFIG; eval "$c2" </dev/null >"$OUT/gate.3.out" 2>"$OUT/gate.3.err" )
	rc=$?
	check "gate: the printed command run verbatim ($c2) resumes: a resume record, stops at the gate again (exit $rc, want 4)" \
		[ $rc = 4 -a "$(n_resumes "$R")" -gt "$before" ]
	[ $rc = 4 ] || tail_err "$OUT/gate.3.err"
	( export PATH="$(dirname "$OPSPLAN"):$PATH"; unset KUBECONFIG; eval "$c2 --yes" </dev/null >"$OUT/gate.4.out" 2>"$OUT/gate.4.err" )
	rc=$?
	writer_stop
	check "gate: the same with --yes finishes (exit $rc)" [ $rc = 0 ]
	[ $rc = 0 ] || tail_err "$OUT/gate.4.err"
	invariants gate "$V" "$TL" "$U" "$M" "$OUT/gate.writer" "$R"
	[ $rc = 0 ] || recover
	figure "gate took $(( $(date +%s) - t )) s"
fi

# ---- outage: the API goes away for the executor inside maintenance ------------------------
outage() {   # NAME SECONDS MODE
	local name=$1 secs=$2 mode=$3 rc rc2=- p V TL U M R tend
	healthy_wait || bad "$name: not healthy before"
	V=$(bc_version); TL=$(timeline); U=$(pod_uids); M=$(api_mark)
	writer_start "$OUT/$name.writer" || bad "$name: the writer did not start"
	touch "$OUT/$name.t0"; sleep 0.01
	"$OPSPLAN" run "${E2E_PARAMS[@]}" --journal "$J" --yes </dev/null >"$OUT/$name.1.out" 2>"$OUT/$name.1.err" &
	bgpid=$!
	R=$(wait_record "$J" step-end delete-replica 120 "$OUT/$name.t0")
	"$E2E_SB" fault --dir "$SBX" --outage "$secs" --outage-mode "$mode" --agent opsplan >"$OUT/$name.fault" 2>&1 ||
		bad "$name: sandbox fault --outage: $(tail -n 1 "$OUT/$name.fault")"
	tend=$(( $(date +%s) + secs ))
	wait $bgpid
	rc=$?; bgpid=
	p=$(paused)
	c=false
	{ [ $rc = 0 ] || { [ $rc = 3 ] && [ "$p" = false ]; }; } && c=true
	check "$name: a ${secs} s outage ($mode) after the first replica's delete: the run completes or ends exit 3 with management resumed (exit $rc, paused: $p, $(( $(date +%s) - tend )) s after the outage)" $c
	open=$(grep -c 'brackets still open' "$OUT/$name.1.err")
	check "$name: never exit 1 with maintenance open (exit $rc, paused: $p, $open 'brackets still open')" \
		[ ! \( $rc = 1 -a \( "$p" = true -o "$open" != 0 \) \) ]
	[ $rc = 0 ] || tail_err "$OUT/$name.1.err"
	if [ $rc != 0 ]; then
		# finish it, to leave the cluster as one hot fix would (and check it does)
		now=$(date +%s); [ $now -lt $tend ] && sleep $(( tend - now + 1 ))
		resume_run "$(run_id "$R")" --yes >"$OUT/$name.2.out" 2>"$OUT/$name.2.err"
		rc2=$?
		check "$name: then --resume --yes finishes (exit $rc2)" [ $rc2 = 0 ]
		[ $rc2 = 0 ] || tail_err "$OUT/$name.2.err"
	fi
	writer_stop
	invariants "$name" "$V" "$TL" "$U" "$M" "$OUT/$name.writer" "$R"
	{ [ $rc = 0 ] || [ "$rc2" = 0 ]; } || recover
}
if want outage; then
	if "$E2E_SB" fault --help 2>&1 | grep -q -- --outage; then
		t=$(date +%s); outage outage-503 30 503; figure "outage-503 took $(( $(date +%s) - t )) s"
		t=$(date +%s); outage outage-drop 90 drop; figure "outage-drop took $(( $(date +%s) - t )) s"
	else
		bad "outage: 'sandbox fault' has no --outage option yet"
	fi
fi

# ---- exec: an exec that may have run is neither retried nor repeated ---------------------
if want exec; then
	t=$(date +%s)
	healthy_wait || bad "exec: not healthy before"
	P=$E2E_CL-1
	lines() { if [ -f "$1" ]; then grep -c . "$1"; else echo 0; fi; }
	# killed after the exec was sent, before its outcome was journaled
	MK=$DIR/marks/killed
	( OPSPLAN_TEST_KILL=sent:1 "$OPSPLAN" run tests/executor/exec-once.yaml -n $E2E_NS -p pod=$P -p marker="$MK" \
		--journal "$J" --yes </dev/null >"$OUT/exec.1.out" 2>"$OUT/exec.1.err"; exit $? ) 2>/dev/null
	rc1=$?
	R=$(newest_run)
	sleep 3   # the command sleeps 2 s: let it finish if it still runs
	n1=$(lines "$MK")
	resume_run "$(run_id "$R")" --yes >"$OUT/exec.2.out" 2>"$OUT/exec.2.err"
	rc=$?
	sleep 3
	n2=$(lines "$MK")
	check "exec: killed after sending the exec (exit $rc1): it ran ($n1 line)" [ $rc1 = 137 -a "$n1" = 1 ]
	check "exec: --resume does not run it again (still $n2 line), fails (exit $rc, want 1)" [ "$n2" = "$n1" -a $rc = 1 ]
	check "exec: ... saying the exec may have run and is not repeated" grep -q 'may have run.*not.*repeated' "$OUT/exec.2.err"
	[ $rc = 1 ] || tail_err "$OUT/exec.2.err"
	# within one run: attempt 1 runs (its line is written), then its pod's
	# processes are killed mid-exec (a node restart: the exec dies with the
	# pod); attempt 2 must not run it again
	exec_cut() {   # PLAN MARKER OUTNAME: the run's exit code in rc
		"$OPSPLAN" run "$1" -n $E2E_NS -p pod=$P -p marker="$2" --journal "$J" --yes </dev/null \
			>"$OUT/$3.out" 2>"$OUT/$3.err" &
		bgpid=$!
		for _ in $(seq 200); do [ "$(lines "$2")" -ge 1 ] && break; sleep 0.05; done
		"$E2E_SB" fault --dir "$SBX" --node-restart $P >/dev/null
		wait $bgpid
		rc=$?; bgpid=
		R=$(newest_run)
		att=$(jq_journal "$R" '[r["data"]["attempt"] for r in recs if r["kind"] == "intent" and r["data"]["step"] == "append"]')
		healthy_wait || bad "exec: not healthy after the node restart of $P"
	}
	MD=$DIR/marks/cut
	exec_cut tests/executor/exec-once.yaml "$MD" exec.3
	check "exec: attempt 1 ran and was cut mid-exec (node restart of $P): not retried by attempt 2 (intents for attempts $att, $(lines "$MD") line), the run fails (exit $rc)" \
		[ $rc = 1 -a "$att" = "[1]" -a "$(lines "$MD")" = 1 ]
	check "exec: ... saying the exec may have run and is not repeated" grep -q 'may have run.*not.*repeated' "$OUT/exec.3.err"
	[ $rc = 1 ] || tail_err "$OUT/exec.3.err"
	# the same with the step declared idempotent: attempt 2 runs it again
	MI=$DIR/marks/idempotent
	exec_cut tests/executor/exec-once-idempotent.yaml "$MI" exec.4
	check "exec: declared idempotent (idempotent: true), attempt 1 cut mid-exec: attempt 2 runs it again (intents for attempts $att, $(lines "$MI") lines), exit $rc" \
		[ $rc = 0 -a "$att" = "[1, 2]" -a "$(lines "$MI")" = 2 ]
	[ $rc = 0 ] || tail_err "$OUT/exec.4.err"
	figure "exec took $(( $(date +%s) - t )) s"
fi

echo "suite 63 took $(( $(date +%s) - T0 )) s"
[ $fail = 0 ]
