#!/usr/bin/env bash
# Suite 70-e2e-hotfix: the default plan (plans/patroni-hotfix.yaml, run with
# no plan argument) against one sandbox namespace with a real 3-member
# Patroni cluster and an application writing all along.  Each scenario states
# what is expected and why; the sandbox is reused between them (each starts
# from a healthy cluster) and taken down on exit.
#
#   e2e        the whole hot fix: every pod on the newly built digest and the
#              new version, management resumed, the leader on an upgraded
#              member, every member running with lag 0, no acknowledged row lost
#   lag        a replica lagging 8 MB at the start: the plan stops at its
#              first check and mutates nothing (no build, pause, tag, delete)
#   build      the build fails: nothing running changed (not paused, no pod
#              replaced, the running tag unmoved), the run says so
#   sts        the redeploy guard: RollingUpdate with a paused image trigger
#              passes, with an unpaused one is refused (nothing mutated);
#              OnDelete with an unpaused trigger runs the whole hot fix
#   image      the new image fails to pull on the first replica: the run stops
#              with that replica down, the leader never touched (no write
#              fails), management resumed by finally
#   kill-rep   the executor is SIGKILLed right after sending the second
#              replica's delete; --resume finishes: one build, one switchover
#   kill-sw    killed right after sending the switchover; --resume finishes
#              without a second switchover (timeline +1 only)
#   node       every pod killed at once (the node restarts) in maintenance
#              mode: the leader is down until the resume (writes fail, as the
#              procedure warns), the plan completes, no acknowledged row lost
#   pod0       leader_to_pod_0=true: the leader is moved to pod 0 first (the
#              procedure's optional step), a backup_command runs in the
#              leader's pod, then the hot fix runs as usual
#
# E2E_ONLY="e2e lag" runs a subset (e2e always runs first: the kill points
# are read from its journal).
set -u
cd "$(dirname "$0")/../.."
: "${OPSPLAN:?set OPSPLAN to the binary under test}"
export OPSPLAN
DIR=$(mktemp -d /tmp/opsplan-e2e70.XXXXXX)
chmod 755 "$DIR"   # the pods run as user postgres and live under it
SBX=$DIR/sbx
J=$DIR/journal
OUT=$DIR/out
mkdir -p "$OUT"
. tests/e2e/lib.sh
fail=0
ok()   { echo "ok   $*"; }
bad()  { echo "FAIL $*"; fail=1; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
cleanup() {
	writer_stop
	[ -n "${thaw:-}" ] && walreceiver_signal "$thaw" CONT 2>/dev/null
	"$E2E_SB" down --dir "$SBX" >/dev/null 2>&1 || echo "FAIL sandbox down left a process"
	rm -rf "$DIR"
}
trap cleanup EXIT
want() { [ -z "${E2E_ONLY:-}" ] || [[ " $E2E_ONLY " == *" $1 "* ]] || [ "$1" = e2e ]; }
figure() { echo "     $*"; }
T0=$(date +%s)

up=$(date +%s.%N)
KC=$("$E2E_SB" up --dir "$SBX" 2>"$OUT/up.err" | tail -n 1)
if [ ! -f "$KC" ]; then bad "sandbox up: $(tail -n 2 "$OUT/up.err")"; exit 1; fi
export KUBECONFIG=$KC
ok "sandbox up in $(awk -v a="$up" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

# ---- e2e: the whole hot fix ----------------------------------------------------------
healthy_wait || bad "e2e: the cluster is not healthy before the run"
L0=$(leader); U0=$(pod_uids); V0=$(bc_version); TL0=$(timeline)
check "e2e: the cluster starts on images declaring Patroni 1.6.5" \
	[ "$(pods_json | jq -r '[.items[].metadata.annotations["sandbox.opsplan.io/image-patroni-version"]] | unique | join(",")')" = 1.6.5 ]
writer_start "$OUT/e2e.writer" || bad "e2e: the writer did not start"
start=$(date +%s.%N)
run_plan --yes >"$OUT/e2e.out" 2>"$OUT/e2e.err"
rc=$?
wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
writer_stop
E2E=$(last_run)
check "e2e: opsplan run (no plan argument) exits 0 in ${wall}s" [ $rc = 0 ]
[ $rc = 0 ] || { tail -n 15 "$OUT/e2e.err"; }
D=$(jq_journal "$E2E" 'result("build").get("digest")')
check "e2e: one build ($(( V0 + 1 ))), its digest is what the running tag points at" \
	[ "$(bc_version)" = $(( V0 + 1 )) -a "$(istag_digest patroni-postgres:15-stable)" = "$D" ]
check "e2e: every pod runs the newly built digest ${D:7:12}, declares Patroni 2.0.1, and is Ready" all_pods_on "$D" 2.0.1
check "e2e: every pod was replaced (new uids)" \
	$E2E_PY -c 'import sys; a = dict(x.split("=") for x in sys.argv[1].split()); b = dict(x.split("=") for x in sys.argv[2].split()); sys.exit(not (a.keys() == b.keys() and all(a[k] != b[k] for k in a)))' "$U0" "$(pod_uids)"
check "e2e: management resumed (not paused)" [ "$(paused)" = false ]
L1=$(leader)
check "e2e: the leader moved from $L0 to an upgraded member ($L1), by one switchover" \
	[ -n "$L1" -a "$L1" != "$L0" -a "$(timeline)" = $(( TL0 + 1 )) ]
check "e2e: every member running with lag 0" all_running_lag0
check "e2e: the writer lost no acknowledged row ($(writer_says "$OUT/e2e.writer"))" writer_ok "$OUT/e2e.writer"
maint=$(grep -m1 '^time in maintenance:' "$OUT/e2e.out" | sed 's/^time in maintenance: //')
check "e2e: the report names the time in maintenance ($maint) and every member's digest" \
	[ -n "$maint" -a "$(grep -c "every member runs patroni-postgres@$D" "$OUT/e2e.err")" -ge 1 ]
figure "e2e figures: wall ${wall}s, maintenance $maint, $(writer_says "$OUT/e2e.writer")"
K_REP=$(intent_index "$E2E" delete-replica 1)
K_SW=$(intent_index "$E2E" switchover None)

# ---- lag above the threshold at the start ----------------------------------------------
if want lag; then
	healthy_wait || bad "lag: not healthy before"
	L=$(leader)
	R=$(cluster_json | jq -r '[.members[] | select(.role != "leader" and .role != "master") | .name][0]')
	if walreceiver_signal "$R" STOP; then
		thaw=$R
		make_wal "$L" 8
		for _ in $(seq 30); do
			[ "$(cluster_json | jq -r --arg r "$R" '.members[] | select(.name == $r) | .lag // 0')" -ge 4194304 ] && break
			sleep 0.5
		done
		lag=$(cluster_json | jq -r --arg r "$R" '.members[] | select(.name == $r) | .lag')
		U=$(pod_uids); V=$(bc_version); S=$(istag_digest patroni-postgres:15-stable)
		run_plan --yes >"$OUT/lag.out" 2>"$OUT/lag.err"
		rc=$?
		walreceiver_signal "$R" CONT; thaw=
		RL=$(last_run)
		c=false
		[ $rc = 1 ] && [ "$(jq_journal "$RL" 'failed()')" = "['healthy']" ] &&
			grep -q "replication lag is above 0 MB" "$OUT/lag.err" && c=true
		check "lag: $R lags $lag bytes: the run fails (exit 1) at 'healthy', saying the lag is above 0 MB" $c
		check "lag: nothing mutated: no intent in the journal, no build, no pod replaced, not paused, tag unmoved" \
			[ "$(jq_journal "$RL" 'len(intents())')" = 0 -a "$(bc_version)" = "$V" -a "$(pod_uids)" = "$U" \
			  -a "$(paused)" = false -a "$(istag_digest patroni-postgres:15-stable)" = "$S" ]
	else
		bad "lag: could not find $R's walreceiver to freeze"
	fi
	kubectl exec -n $E2E_NS "$(leader)" -- psql -q -d postgres -c 'drop table if exists e2e_lagfill' >/dev/null 2>&1
fi

# ---- the build fails ----------------------------------------------------------------------
if want build; then
	healthy_wait || bad "build: not healthy before"
	U=$(pod_uids); V=$(bc_version); S=$(istag_digest patroni-postgres:15-stable)
	# The sandbox's pip finds no pre-release of Patroni: the build fails the
	# way a wrong patroniv fails on OpenShift (No matching distribution).
	run_plan --yes -p patroni_version=2.0.1rc9 >"$OUT/build.out" 2>"$OUT/build.err"
	rc=$?
	RB=$(last_run)
	check "build: the run fails (exit 1) at 'build', which ended Failed" \
		[ $rc = 1 -a "$(jq_journal "$RB" 'failed()')" = "['build']" -a "$(build_phase $(( V + 1 )))" = Failed ]
	check "build: the run explains that nothing running changed" \
		grep -q "the build failed before anything running was changed" "$OUT/build.err"
	check "build: nothing running changed: not paused, no pod replaced, the running tag unmoved" \
		[ "$(paused)" = false -a "$(pod_uids)" = "$U" -a "$(istag_digest patroni-postgres:15-stable)" = "$S" \
		  -a "$(jq_journal "$RB" 'status("pause")')" = None ]
fi

# ---- the StatefulSet's redeploy guard: updateStrategy and image triggers --------------------
# The sandbox's trigger controller writes the tag's digest into the template
# of an unpaused trigger, as OpenShift does.  partition 3 keeps RollingUpdate
# from restarting anything during the test.
sts_set() {   # STRATEGY PAUSED|none
	local trig=null
	[ "$2" = none ] || trig=$(jq -n --arg p "$2" '[{"from": {"kind": "ImageStreamTag", "name": "patroni-postgres:15-stable"},
		"fieldPath": "spec.template.spec.containers[?(@.name==\"postgresql\")].image", "paused": $p}] | tojson')
	kubectl patch sts -n $E2E_NS $E2E_CL --type merge -p "$(jq -n --arg s "$1" --argjson t "$trig" \
		'{metadata: {annotations: {"image.openshift.io/triggers": $t}},
		  spec: {updateStrategy: (if $s == "OnDelete" then {type: $s, rollingUpdate: null} else {type: $s, rollingUpdate: {partition: 3}} end)}}')" >/dev/null
	sleep 1
}
if want sts; then
	healthy_wait || bad "sts: not healthy before"
	U=$(pod_uids); V=$(bc_version)
	sts_set RollingUpdate true
	# max_lag_mb=-1: the run stops at 'healthy', right after the check under test.
	run_plan --yes -p max_lag_mb=-1 >"$OUT/sts1.out" 2>"$OUT/sts1.err"
	RS=$(last_run)
	check "sts: RollingUpdate with a paused image trigger: accepted (the run goes on to 'healthy')" \
		[ "$(jq_journal "$RS" 'status("statefulset")')" = ok -a "$(jq_journal "$RS" 'failed()')" = "['healthy']" ]
	sts_set RollingUpdate false
	run_plan --yes >"$OUT/sts2.out" 2>"$OUT/sts2.err"
	rc=$?
	RS=$(last_run)
	c=false
	[ $rc = 1 ] && [ "$(jq_journal "$RS" 'failed()')" = "['statefulset']" ] &&
		grep -q "would redeploy every pod on the image change" "$OUT/sts2.err" && c=true
	check "sts: RollingUpdate with an unpaused image trigger: refused at 'statefulset', saying why" $c
	check "sts: nothing mutated by the refused runs (no intent, no build, no pod replaced)" \
		[ "$(jq_journal "$RS" 'len(intents())')" = 0 -a "$(bc_version)" = "$V" -a "$(pod_uids)" = "$U" ]
	# OnDelete with the unpaused trigger: the template pins the tag's digest,
	# the trigger moves it when the plan tags, pods pick it up when replaced.
	sts_set OnDelete false
	run_plan --yes >"$OUT/sts3.out" 2>"$OUT/sts3.err"
	rc=$?
	RS=$(last_run)
	D=$(jq_journal "$RS" 'result("build").get("digest")')
	c=false
	[ $rc = 0 ] && all_pods_on "$D" 2.0.1 && [ "$(paused)" = false ] && all_running_lag0 &&
		[ "$(kubectl get sts -n $E2E_NS $E2E_CL -o jsonpath='{.spec.template.spec.containers[0].image}')" = \
		  "image-registry.openshift-image-registry.svc:5000/demo/patroni-postgres@$D" ] && c=true
	check "sts: OnDelete with an unpaused image trigger: the whole hot fix runs (exit $rc), every pod on the new digest the trigger wrote" $c
	sts_set OnDelete none
	kubectl patch sts -n $E2E_NS $E2E_CL --type json -p '[{"op": "replace", "path": "/spec/template/spec/containers/0/image",
		"value": "image-registry.openshift-image-registry.svc:5000/demo/patroni-postgres:15-stable"}]' >/dev/null
fi

# ---- the new image fails to start on a replica -------------------------------------------
if want image; then
	healthy_wait || bad "image: not healthy before"
	L=$(leader); LU=$(pod_uid "$L"); U=$(pod_uids); B0=$(istag_digest patroni-postgres:15-latest)
	writer_start "$OUT/image.writer" || bad "image: the writer did not start"
	run_plan --yes >"$OUT/image.out" 2>"$OUT/image.err" &
	pid=$!
	# The build pushes the new image to 15-latest a moment before it ends;
	# the first replica is deleted a second or more after that (the run
	# checks the cluster again, pauses, tags): mark that image failing then.
	for _ in $(seq 600); do
		b=$(istag_digest patroni-postgres:15-latest)
		[ -n "$b" ] && [ "$b" != "$B0" ] && break
		sleep 0.05
	done
	"$E2E_SB" fault --dir "$SBX" --image-fail patroni-postgres:15-latest >/dev/null
	marked_before=$(grep -c 'ok   delete-replica' "$OUT/image.err")
	wait $pid
	rc=$?
	writer_stop
	RI=$(last_run)
	first=$(jq_journal "$RI" '[m["name"] for m in result("paused")["members"] if m["role"] != "leader"][0]')
	other=$(jq_journal "$RI" '[m["name"] for m in result("paused")["members"] if m["role"] != "leader"][1]')
	check "image: the new image marked failing before any replica was deleted" [ "$marked_before" = 0 ]
	check "image: the run fails (exit 1) at '$first' not starting" \
		[ $rc = 1 -a "$(jq_journal "$RI" 'failed()[0]')" = replica-started ]
	c=false
	[ "$(kubectl get pod -n $E2E_NS "$first" -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}')" = ImagePullBackOff ] &&
		grep -q "the leader was never touched" "$OUT/image.err" && c=true
	check "image: $first is left in ImagePullBackOff, the run explains the leader was never touched" $c
	check "image: the leader $L and $other untouched (same uids), management resumed by finally (bracket closed)" \
		[ "$(leader)" = "$L" -a "$(pod_uid "$L")" = "$LU" \
		  -a "$(pod_uid "$other")" = "$(echo "$U" | tr ' ' '\n' | sed -n "s/^$other=//p")" -a "$(paused)" = false \
		  -a "$(grep -c 'brackets still open' "$OUT/image.err")" = 0 ]
	c=false
	jq -e '.failed == 0 and .lost == 0 and .all_acknowledged_present' "$OUT/image.writer" >/dev/null && c=true
	check "image: no write failed, none lost ($(writer_says "$OUT/image.writer"))" $c
	"$E2E_SB" fault --dir "$SBX" --image-fail "" >/dev/null
	if [ "$(paused)" = true ]; then
		bad "image: the cluster was left paused; resuming it by hand for the next scenarios"
		kubectl exec -n $E2E_NS "$L" -- patronictl resume >/dev/null 2>&1
	fi
	healthy_wait || bad "image: the cluster did not recover once the image pulls again"
fi

# ---- the executor is killed, then --resume ------------------------------------------------
kill_and_resume() {   # NAME POINT WHAT
	local name=$1 point=$2 what=$3 rc1 rc V TL L RK D
	healthy_wait || bad "$name: not healthy before"
	V=$(bc_version); TL=$(timeline); L=$(leader)
	writer_start "$OUT/$name.writer" || bad "$name: the writer did not start"
	OPSPLAN_TEST_KILL=$point run_plan --yes >"$OUT/$name.1.out" 2>"$OUT/$name.1.err"
	rc1=$?
	RK=$(last_run)
	paused_mid=$(paused)
	resume_run "$(run_id "$RK")" --yes >"$OUT/$name.out" 2>"$OUT/$name.err"
	rc=$?
	writer_stop
	D=$(jq_journal "$RK" 'result("build").get("digest")')
	check "$name: SIGKILLed $what (exit $rc1, paused: $paused_mid), --resume exits 0" [ $rc1 = 137 -a $rc = 0 ]
	[ $rc = 0 ] || tail -n 12 "$OUT/$name.err"
	check "$name: exactly one build and one switchover (timeline $TL -> $(( TL + 1 )))" \
		[ "$(bc_version)" = $(( V + 1 )) -a "$(timeline)" = $(( TL + 1 )) ]
	c=false
	all_pods_on "$D" 2.0.1 && [ "$(paused)" = false -a "$(leader)" != "$L" ] && all_running_lag0 && c=true
	check "$name: every pod on the new digest, not paused, leader moved off $L, every member running with lag 0" $c
	check "$name: the writer lost no acknowledged row ($(writer_says "$OUT/$name.writer"))" writer_ok "$OUT/$name.writer"
}
want kill-rep && kill_and_resume kill-rep "sent:$K_REP" "after sending the second replica's delete (mutation $K_REP)"
want kill-sw && kill_and_resume kill-sw "sent:$K_SW" "after sending the switchover (mutation $K_SW)"

# ---- a node restart in maintenance mode ------------------------------------------------------
if want node; then
	healthy_wait || bad "node: not healthy before"
	V=$(bc_version)
	writer_start "$OUT/node.writer" || bad "node: the writer did not start"
	run_plan --yes >"$OUT/node.out" 2>"$OUT/node.err" &
	pid=$!
	for _ in $(seq 600); do grep -q 'ok   replica-version \[' "$OUT/node.err" && break; sleep 0.1; done
	was_paused=$(paused)
	"$E2E_SB" fault --dir "$SBX" --node-restart $E2E_CL-0,$E2E_CL-1,$E2E_CL-2 >/dev/null
	wait $pid
	rc=$?
	writer_stop
	RN=$(last_run)
	D=$(jq_journal "$RN" 'result("build").get("digest")')
	check "node: every pod killed after the first replica, in maintenance mode (paused: $was_paused): the plan completes (exit $rc)" \
		[ "$was_paused" = true -a $rc = 0 ]
	[ $rc = 0 ] || tail -n 12 "$OUT/node.err"
	c=false
	all_pods_on "$D" 2.0.1 && [ "$(paused)" = false ] && all_running_lag0 && c=true
	check "node: every pod on the new digest, not paused, every member running with lag 0" $c
	# While paused nobody restarts the leader's PostgreSQL (Patroni's
	# maintenance mode), so writes fail until the resume: the procedure's own
	# warning.  They fail; none is lost.
	c=false
	jq -e '.failed > 0 and .lost == 0 and .all_acknowledged_present' "$OUT/node.writer" >/dev/null && c=true
	check "node: writes failed while the leader was down, none lost ($(writer_says "$OUT/node.writer"))" $c
fi

# ---- leader_to_pod_0: the procedure's optional first switchover -------------------------------
if want pod0; then
	healthy_wait || bad "pod0: not healthy before"
	if [ "$(leader)" = $E2E_CL-0 ]; then
		kubectl exec -n $E2E_NS $E2E_CL-0 -- patronictl switchover --leader $E2E_CL-0 --candidate $E2E_CL-1 --force >/dev/null 2>&1
		healthy_wait || bad "pod0: not healthy after moving the leader off pod 0"
	fi
	L=$(leader)
	run_plan --yes -p leader_to_pod_0=true -p 'backup_command=["sh", "-c", "pg_dumpall | wc -c"]' \
		>"$OUT/pod0.out" 2>"$OUT/pod0.err"
	rc=$?
	RP=$(last_run)
	D=$(jq_journal "$RP" 'result("build").get("digest")')
	check "pod0: leader $L moved to $E2E_CL-0 before the pause, then the hot fix moved it to an upgraded member (exit $rc)" \
		[ $rc = 0 -a "$(jq_journal "$RP" 'status("leader-to-pod-0")')" = ok \
		  -a "$(jq_journal "$RP" 'result("paused").get("leader")')" = $E2E_CL-0 -a "$(leader)" != $E2E_CL-0 ]
	c=false
	all_pods_on "$D" 2.0.1 && [ "$(paused)" = false ] && all_running_lag0 && c=true
	check "pod0: every pod on the new digest, not paused, every member running with lag 0" $c
	bytes=$(jq_journal "$RP" 'result("backup").get("stdout", "").strip()')
	check "pod0: backup_command ran in the leader's pod before the pause (pg_dumpall: $bytes bytes)" \
		[ "$(jq_journal "$RP" 'status("backup")')" = ok -a "${bytes:-0}" -gt 1000 ]
fi

echo "suite 70 took $(( $(date +%s) - T0 )) s"
[ $fail = 0 ]
