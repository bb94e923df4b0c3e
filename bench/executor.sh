#!/usr/bin/env bash
# bench/executor.sh - `make bench` section "executor": how fast `opsplan run`
# reacts to a pod becoming Ready, next to `kubectl wait` on the same Ready
# transitions of the same run, and the executor's peak RSS on a full run of
# the default plan.  Both against a sandbox (tests/sandbox, docs/sandbox.md)
# started with its timing trace (OPSPLAN_SANDBOX_TRACE=1: millisecond times of
# each request with its User-Agent, and of each pod Ready transition).
#
# bench/run.sh sources it and calls section_executor (rows in its table);
# run alone it prints its own rows:   bench/executor.sh
# BENCH_EXEC_EVENTS=N  Ready events measured (default 50; ~1 s each)
#
# Method: bench/executor/latency.yaml replaces one replica per round
# (k8s.delete, k8s.wait for: replaced, k8s.wait for: ready, k8s.get).  For
# each new incarnation bench/executor/readiness.py starts `kubectl wait
# --for=condition=Ready` on the same pod, then `kubectl get` as a script would.
# The definitions of each figure are in readiness.py and printed with them.

section_executor() {
	local n=${BENCH_EXEC_EVENTS:-50} ns=demo cl=patroni-001 sb=tests/sandbox/sandbox
	local here=bench/executor dir sbx kc rc
	if ! command -v kubectl >/dev/null 2>&1; then
		row "executor reaction to Ready" "not measured: kubectl is not installed (the baseline)" "" "SKIPPED"
		return 0
	fi
	if ! python3 $here/test_readiness.py >/dev/null 2>&1; then
		python3 $here/test_readiness.py
		row "executor reaction to Ready" "not measured: the analysis fails its checks (bench/executor/test_readiness.py)" "" "MISSED"
		return 0
	fi
	# The pods run as user postgres and live under the sandbox directory.
	dir=$(mktemp -d /tmp/opsplan-bench-exec.XXXXXX) || return 0
	chmod 755 "$dir"
	sbx=$dir/sbx
	kc=$(OPSPLAN_SANDBOX_TRACE=1 "$sb" up --dir "$sbx" --namespace $ns --cluster $cl --members 3 2>"$dir/up.err" | tail -n 1)
	if [ ! -f "$kc" ]; then
		"$sb" down --dir "$sbx" >/dev/null 2>&1
		echo "executor: the sandbox did not come up:"; tail -n 5 "$dir/up.err"
		row "executor reaction to Ready" "not measured: the sandbox did not come up" "" "MISSED"
		rm -rf "$dir"
		return 0
	fi
	local trace=$sbx/logs/trace.log
	# peak_rss OUT CMD...: run CMD, print "maxrss_kib exit_status" into OUT
	# (getrusage of the one child, so the figure is opsplan's own).
	peak_rss() {
		local out=$1; shift
		python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:], stdin=subprocess.DEVNULL)
open(sys.argv[1], "w").write("%d %d\n" % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc))' "$out" "$@"
	}

	# 1. The default plan, a full run of the hot fix (1.6.5 -> 2.0.1).
	local t0 t1 rss_plan
	t0=$(date +%s.%N)
	KUBECONFIG=$kc peak_rss "$dir/rss-plan" "$OPSPLAN" run -n $ns -p cluster=$cl \
		-p version_annotation=sandbox.opsplan.io/image-patroni-version --yes --journal "$dir/journal" \
		>"$dir/plan.out" 2>"$dir/plan.err"
	t1=$(date +%s.%N)
	read -r -a rss_plan <"$dir/rss-plan"
	echo "executor: default plan against the sandbox: exit ${rss_plan[1]} in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
	[ "${rss_plan[1]}" = 0 ] || tail -n 5 "$dir/plan.err"
	row "executor peak RSS, full run of the default plan" "$(awk -v k="${rss_plan[0]}" 'BEGIN { printf "%.1f MiB", k / 1024 }') (exit ${rss_plan[1]})" \
		"< 20 MiB" "$([ "${rss_plan[1]}" = 0 ] && verdict "${rss_plan[0]}" 20479 || echo "MISSED (run failed)")"

	# 2. Reaction to Ready: a replica replaced n times.
	"$sb" wait --dir "$sbx" --timeout 90 >/dev/null 2>&1
	local pod
	pod=$(KUBECONFIG=$kc kubectl get pods -n $ns -l cluster-name=$cl,role=replica -o name 2>/dev/null | head -n 1)
	pod=${pod#pod/}
	if [ -z "$pod" ]; then
		row "executor reaction to Ready" "not measured: no replica found" "" "MISSED"
	else
		local since rounds race_pid rss_lat
		since=$(date +%s.%N)
		rounds="[$(seq -s, 1 "$n")]"
		KUBECONFIG=$kc python3 $here/readiness.py race "$trace" $ns "$pod" "$n" "$dir/marks" &
		race_pid=$!
		sleep 0.5   # the race follows the trace from its end: let it open it first
		KUBECONFIG=$kc peak_rss "$dir/rss-lat" "$OPSPLAN" run $here/latency.yaml -n $ns -p cluster=$cl -p pod="$pod" \
			-p rounds="$rounds" --yes --journal "$dir/journal" >"$dir/lat.out" 2>"$dir/lat.err"
		read -r -a rss_lat <"$dir/rss-lat"
		# The last kubectl wait has at most a few seconds left.
		for _ in $(seq 100); do kill -0 $race_pid 2>/dev/null || break; sleep 0.1; done
		kill $race_pid 2>/dev/null
		wait $race_pid 2>/dev/null
		[ "${rss_lat[1]}" = 0 ] || { echo "executor: the latency plan failed (exit ${rss_lat[1]}):"; tail -n 5 "$dir/lat.err"; }
		local -A f=()
		local k v
		while read -r k v; do f[$k]=$v; done < <(python3 $here/readiness.py report "$trace" $ns "$pod" "$dir/marks" "$since")
		local -a op kw kn
		read -r -a op <<<"${f[opsplan]:-0 - - - -}"
		read -r -a kw <<<"${f[kubectl_wait_exit]:-0 - - - -}"
		read -r -a kn <<<"${f[kubectl_next_request]:-0 - - - -}"
		echo "executor: $n rounds of replacing $pod; ${f[ready_events]:-0} Ready transitions in the sandbox's trace"
		echo "  T = when the sandbox stored Ready=True (the watch event goes out from there)"
		echo "  opsplan: its first request after T (the k8s.get after k8s.wait for: ready; includes"
		echo "    the watch delivery, the step's journal fsync, starting the next step), minus T"
		echo "  kubectl: 'kubectl wait --for=condition=Ready' started on the same pod before T:"
		echo "    its exit minus T (no request: favours kubectl), and the first request of the"
		echo "    'kubectl get' a script runs next, minus T"
		echo "  a sample counts only if that client's watch was open before T; excluded:" \
			"opsplan ${f[opsplan_excluded]:-?}, kubectl ${f[kubectl_excluded]:-?}"
		local enough=ok
		[ "${op[0]}" -ge 50 ] 2>/dev/null || enough="MISSED (fewer than 50 events)"
		row "executor: Ready -> next request, median (p95) of ${op[0]}" "${op[1]} ms (p95 ${op[2]}, min ${op[3]}, max ${op[4]})" \
			"median < 50 ms, <= kubectl wait" \
			"$(if [ "$enough" != ok ]; then echo "$enough"; elif [ "${kw[0]}" = 0 ]; then verdict "${op[1]}" 49.99; else
			   awk -v o="${op[1]}" -v k="${kw[1]}" 'BEGIN { print (o + 0 < 50 && o + 0 <= k + 0) ? "ok" : "MISSED" }'; fi)"
		row "  kubectl wait: Ready -> exit, median (p95) of ${kw[0]}" "${kw[1]} ms (p95 ${kw[2]}, min ${kw[3]}, max ${kw[4]})" "baseline" ""
		row "  kubectl: Ready -> next kubectl get's request (p95) of ${kn[0]}" "${kn[1]} ms (p95 ${kn[2]}, min ${kn[3]}, max ${kn[4]})" "baseline" ""
		row "executor peak RSS, $n-round latency plan" "$(awk -v k="${rss_lat[0]}" 'BEGIN { printf "%.1f MiB", k / 1024 }')" "< 20 MiB" \
			"$(verdict "${rss_lat[0]}" 20479)"
	fi
	"$sb" down --dir "$sbx" >/dev/null 2>&1
	rm -rf "$dir"
}

# Run alone: the same section, its rows printed as a table.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	cd "$(dirname "$0")/.."
	OPSPLAN=${OPSPLAN:-$PWD/bin/opsplan}
	[ -x "$OPSPLAN" ] || { echo "bench: $OPSPLAN is not built (make all)"; exit 2; }
	ROWS=()
	row() { ROWS+=("$1|$2|$3|$4"); }
	verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v + 0 <= t + 0) ? "ok" : "MISSED" }'; }
	section_executor
	echo
	for r in "${ROWS[@]}"; do
		IFS='|' read -r a b c d <<<"$r"
		printf "%-58s  %-44s  %-32s  %s\n" "$a" "$b" "$c" "$d"
	done
fi
