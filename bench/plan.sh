#!/usr/bin/env bash
# bench/plan.sh - `make bench` section "plan": the default plan (the Patroni
# hot fix) against a sandbox, next to baselines measured in the same run on
# the same sandbox:
#
#   - the application's view: the writer's longest gap between acknowledged
#     writes and its failed writes over the whole plan, next to a bare
#     `POST /switchover` through the pod proxy (the floor any procedure with
#     one switchover pays).  Target: the plan's gap within 1.5x the floor.
#   - the plan's wall time without the build, next to the same sequence
#     (pause, replace the replicas, resume, switchover, replace the old
#     leader) driven by a bare shell script with kubectl and curl.  Target:
#     within 1.5x.  The lab took 15.4-16.2 s for that script on etcd
#     (/work/shared/notes/patroni-lab.md).
#   - the time in maintenance mode (from the plan's report).
#
# bench/run.sh sources it and calls section_plan; run alone it prints its
# rows:  bash bench/plan.sh      BENCH_PLAN_FLOOR=N switchovers for the floor (3)

# plan_api METHOD PATH [BODY]: one request to the sandbox's API server with
# curl, as a bare script would; the token goes in a header file, never argv.
plan_api() {
	local method=$1 path=$2 body=${3:-}
	if [ -n "$body" ]; then
		curl -sS --max-time 60 --cacert "$PB_DIR/ca.crt" -H @"$PB_DIR/auth.hdr" -X "$method" \
			-H 'Content-Type: application/json' --data "$body" "$PB_SERVER$path"
	else
		curl -sS --max-time 60 --cacert "$PB_DIR/ca.crt" -H @"$PB_DIR/auth.hdr" -X "$method" "$PB_SERVER$path"
	fi
}
plan_proxy() { plan_api "$1" "/api/v1/namespaces/demo/pods/$2:8008/proxy/$3" "${4:-}"; }
plan_cluster() { local i; for i in 0 1 2; do plan_proxy GET patroni-001-$i cluster 2>/dev/null && return 0; done; return 1; }
# plan_until SECONDS JQ: poll /cluster every 100 ms until JQ holds on it
plan_until() {
	local end=$(( $(date +%s) + $1 ))
	while [ "$(date +%s)" -lt $end ]; do
		plan_cluster | jq -e "$2" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "plan bench: timed out waiting for $2" >&2
	return 1
}
PB_HEALTHY='(.members | length) == 3 and (.pause // false) == false and all(.members[]; .state == "running" and (.role == "leader" or .lag == 0))'
# plan_pod_back POD OLDUID: a new incarnation of POD exists and its Patroni answers
plan_pod_back() {
	local end=$(( $(date +%s) + 120 )) uid
	while [ "$(date +%s)" -lt $end ]; do
		uid=$(kubectl get pod -n demo "$1" -o jsonpath='{.metadata.uid}' 2>/dev/null)
		if [ -n "$uid" ] && [ "$uid" != "$2" ] && plan_proxy GET "$1" patroni >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	return 1
}

# The bare script: the hot fix's sequence without a build and without the
# plan's checks, as fast as kubectl and curl go.
plan_bare_script() {
	local leader replicas r uid cand
	leader=$(plan_cluster | jq -r '.members[] | select(.role == "leader") | .name')
	replicas=$(plan_cluster | jq -r '.members[] | select(.role != "leader") | .name')
	plan_proxy PATCH "$leader" config '{"pause": true}' >/dev/null || return 1
	plan_until 30 '.pause == true' || return 1
	for r in $replicas; do
		uid=$(kubectl get pod -n demo "$r" -o jsonpath='{.metadata.uid}')
		kubectl delete pod -n demo "$r" --wait=false >/dev/null || return 1
		plan_pod_back "$r" "$uid" || return 1
	done
	plan_proxy PATCH "$leader" config '{"pause": null}' >/dev/null || return 1
	plan_until 120 "$PB_HEALTHY" || return 1
	cand=$(echo "$replicas" | head -n 1)
	plan_proxy POST "$leader" switchover "{\"leader\": \"$leader\", \"candidate\": \"$cand\"}" >/dev/null || return 1
	plan_until 120 ".members[] | select(.name == \"$cand\") | .role == \"leader\"" || return 1
	plan_until 120 "$PB_HEALTHY" || return 1
	uid=$(kubectl get pod -n demo "$leader" -o jsonpath='{.metadata.uid}')
	kubectl delete pod -n demo "$leader" --wait=false >/dev/null || return 1
	plan_pod_back "$leader" "$uid" || return 1
	plan_until 120 "$PB_HEALTHY" || return 1
}

# plan_floor_once OUT: one bare switchover with the writer on; the writer's report into OUT
plan_floor_once() {
	local leader cand
	plan_until 120 "$PB_HEALTHY" || return 1
	writer_start "$1" || return 1
	sleep 1
	leader=$(plan_cluster | jq -r '.members[] | select(.role == "leader") | .name')
	cand=$(plan_cluster | jq -r '[.members[] | select(.role != "leader") | .name][0]')
	plan_proxy POST "$leader" switchover "{\"leader\": \"$leader\", \"candidate\": \"$cand\"}" >/dev/null
	plan_until 120 "$PB_HEALTHY"
	sleep 1
	writer_stop
}

section_plan() {
	local sb=tests/sandbox/sandbox n=${BENCH_PLAN_FLOOR:-3} i kc
	if ! command -v kubectl >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
		row "plan vs bare switchover" "not measured: kubectl or curl is missing (the baselines need them)" "" "SKIPPED"
		return 0
	fi
	PB_DIR=$(mktemp -d /tmp/opsplan-bench-plan.XXXXXX) || return 0
	chmod 755 "$PB_DIR"   # the pods run as user postgres and live under it
	local SBX=$PB_DIR/sbx J=$PB_DIR/journal
	. tests/e2e/lib.sh
	kc=$("$sb" up --dir "$SBX" 2>"$PB_DIR/up.err" | tail -n 1)
	if [ ! -f "$kc" ]; then
		"$sb" down --dir "$SBX" >/dev/null 2>&1
		echo "plan: the sandbox did not come up:"; tail -n 5 "$PB_DIR/up.err"
		row "plan vs bare switchover" "not measured: the sandbox did not come up" "" "MISSED"
		rm -rf "$PB_DIR"
		return 0
	fi
	export KUBECONFIG=$kc
	# Interrupted: take the sandbox down too (bench/run.sh's own trap removes WORK).
	trap '"$sb" down --dir "$SBX" >/dev/null 2>&1; rm -rf "$PB_DIR" "${WORK:-}"' EXIT
	PB_SERVER=$(kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.server}')
	kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$PB_DIR/ca.crt"
	( umask 077; printf 'Authorization: Bearer %s\n' "$(kubectl config view --raw --minify -o jsonpath='{.users[0].user.token}')" >"$PB_DIR/auth.hdr" )

	# 1. The floor: bare switchovers with the writer on.
	local gaps=() fails=()
	for i in $(seq "$n"); do
		plan_floor_once "$PB_DIR/floor$i.json"
		gaps+=("$(jq -r .longest_gap_s "$PB_DIR/floor$i.json" 2>/dev/null)")
		fails+=("$(jq -r .failed "$PB_DIR/floor$i.json" 2>/dev/null)")
	done
	local floor floor_failed
	floor=$(printf '%s\n' "${gaps[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	floor_failed=$(printf '%s\n' "${fails[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')

	# 2. The plan, with the writer on all along.
	local t0 wall rc build_ms nobuild maint pgap pfailed plost
	plan_until 120 "$PB_HEALTHY"
	writer_start "$PB_DIR/plan.writer.json"
	t0=$(date +%s.%N)
	run_plan --yes >"$PB_DIR/plan.out" 2>"$PB_DIR/plan.err"
	rc=$?
	wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	writer_stop
	build_ms=$(jq_journal "$(last_run)" '(ends("build") or [{}])[-1].get("duration_ms", 0)')
	nobuild=$(awk -v w="$wall" -v b="$build_ms" 'BEGIN { printf "%.1f", w - b / 1000 }')
	maint=$(grep -m1 '^time in maintenance:' "$PB_DIR/plan.out" | sed 's/^time in maintenance: //')
	pgap=$(jq -r .longest_gap_s "$PB_DIR/plan.writer.json")
	pfailed=$(jq -r .failed "$PB_DIR/plan.writer.json")
	plost=$(jq -r .lost "$PB_DIR/plan.writer.json")

	# 3. The bare script, same sandbox, same sequence without the build.
	local bare brc
	plan_until 120 "$PB_HEALTHY"
	t0=$(date +%s.%N)
	plan_bare_script
	brc=$?
	bare=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

	"$sb" down --dir "$SBX" >/dev/null 2>&1
	rm -rf "$PB_DIR"
	trap 'rm -rf "${WORK:-}"' EXIT

	local gr tr
	gr=$(awk -v a="$pgap" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')
	tr=$(awk -v a="$nobuild" -v b="$bare" 'BEGIN { printf "%.2f", a / b }')
	row "bare switchover: longest write gap (median of $n)" "$floor s, $floor_failed failed writes (all: ${gaps[*]} s)" "floor" ""
	row "plan: longest write gap over the whole run" "$pgap s, $pfailed failed writes, $plost acknowledged rows lost" "" \
		"$([ "$plost" = 0 ] && echo "0 lost" || echo "LOST ROWS")"
	row "plan gap / bare switchover gap" "${gr}x" "<= 1.5x" "$(verdict "$gr" 1.5)"
	row "plan: wall time (exit $rc)" "$wall s, of which build $(awk -v b="$build_ms" 'BEGIN { printf "%.1f", b / 1000 }') s" "" ""
	row "plan: wall time without the build" "$nobuild s" "" ""
	row "bare script (kubectl+curl), same sequence (exit $brc)" "$bare s (lab, etcd: 15.4-16.2 s)" "baseline" ""
	row "plan without build / bare script" "${tr}x" "<= 1.5x" "$(verdict "$tr" 1.5)"
	row "plan: time in maintenance mode" "${maint:-unknown}" "" ""
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then   # run alone
	set -u
	cd "$(dirname "$0")/.."
	OPSPLAN=${OPSPLAN:-$PWD/bin/opsplan}
	ROWS=()
	row() { ROWS+=("$1|$2|$3|$4"); }
	verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v + 0 <= t + 0) ? "ok" : "MISSED" }'; }
	section_plan
	for r in "${ROWS[@]}"; do IFS='|' read -r a b c d <<<"$r"; printf '%-55s %-60s %-10s %s\n' "$a" "$b" "$c" "$d"; done
fi
