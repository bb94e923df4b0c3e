# tests/e2e/lib.sh: helpers shared by the end-to-end suite (70-e2e-hotfix)
# and the plan benchmark (bench/plan.sh).  Source it with SBX (the sandbox
# directory), J (the journal directory) and OPSPLAN set; it reads the
# sandbox through kubectl with the sandbox's kubeconfig.
#
# Everything here reads state, except writer_*, walreceiver_signal and
# make_wal, which the scenarios use to create the conditions they test.

E2E_NS=demo
E2E_CL=patroni-001
E2E_PY=/usr/bin/python3
E2E_SB=tests/sandbox/sandbox
E2E_WRITER=tests/sandbox/writer
E2E_PARAMS=(-n "$E2E_NS" -p cluster=$E2E_CL -p version_annotation=sandbox.opsplan.io/image-patroni-version)

# run_plan ARGS...: the default plan (no plan argument) with the sandbox's
# parameters; stdin closed so gates without --yes stop the run.
run_plan() { "$OPSPLAN" run "${E2E_PARAMS[@]}" --journal "$J" "$@" </dev/null; }
resume_run() { "$OPSPLAN" run --resume "$1" --journal "$J" "${@:2}" </dev/null; }
last_run() { ls "$J"/*.jsonl 2>/dev/null | sort | tail -n 1; }
run_id() { basename "$1" .jsonl; }

# cluster_json: Patroni's GET /cluster through the pod proxy of the first
# member that answers.
cluster_json() {
	local i out
	for i in 0 1 2; do
		out=$(kubectl get --raw "/api/v1/namespaces/$E2E_NS/pods/$E2E_CL-$i:8008/proxy/cluster" 2>/dev/null) &&
			{ printf '%s\n' "$out"; return 0; }
	done
	return 1
}
leader() { cluster_json | jq -r '.members[] | select(.role == "leader" or .role == "master") | .name'; }
paused() { cluster_json | jq -r '.pause // false'; }
timeline() { cluster_json | jq -r '[.members[] | select(.role == "leader" or .role == "master") | .timeline][0]'; }
# all_running_lag0: every member running (or streaming) and every replica at lag 0
all_running_lag0() {
	cluster_json | jq -e '(.members | length) == 3 and all(.members[]; (.state == "running" or .state == "streaming")
		and ((.role == "leader" or .role == "master") or .lag == 0))' >/dev/null
}
pods_json() { kubectl get pods -n $E2E_NS -l cluster-name=$E2E_CL -o json; }
pod_uids() { pods_json | jq -r '[.items[] | .metadata.name + "=" + .metadata.uid] | sort | join(" ")'; }
pod_uid() { kubectl get pod -n $E2E_NS "$1" -o jsonpath='{.metadata.uid}'; }
# pods_digests: NAME=DIGEST for every pod
pods_digests() { pods_json | jq -r '[.items[] | .metadata.name + "=" + ((.status.containerStatuses[0].imageID // "") | sub(".*@"; ""))] | sort | join(" ")'; }
# all_pods_on DIGEST VERSION: every pod runs DIGEST, declares VERSION and is Ready
all_pods_on() {
	pods_json | jq -e --arg d "$1" --arg v "$2" '(.items | length) == 3 and all(.items[];
		((.status.containerStatuses[0].imageID // "") | endswith("@" + $d))
		and .metadata.annotations["sandbox.opsplan.io/image-patroni-version"] == $v
		and ([.status.conditions[]? | select(.type == "Ready") | .status][0] == "True"))' >/dev/null
}
bc_version() { kubectl get bc -n $E2E_NS patroni-postgres -o jsonpath='{.status.lastVersion}'; }
build_phase() { kubectl get build -n $E2E_NS "patroni-postgres-$1" -o jsonpath='{.status.phase}'; }
istag_digest() { kubectl get istag -n $E2E_NS "$1" -o jsonpath='{.image.metadata.name}'; }
sandbox_wait() { "$E2E_SB" wait --dir "$SBX" --timeout "${1:-90}" >/dev/null 2>&1; }
# healthy_wait: the sandbox says healthy, and Patroni agrees (3 running, lag 0)
healthy_wait() {
	local i
	sandbox_wait 120 || return 1
	for i in $(seq 60); do all_running_lag0 && [ "$(paused)" = false ] && return 0; sleep 1; done
	return 1
}

# jq_journal FILE PYEXPR: evaluate PYEXPR over recs, the journal's records.
# Helpers: ends(step, item), status(step, item), intents() (list of
# (step, item_index)), errors() (every failed step-end's error).
jq_journal() {
	$E2E_PY - "$@" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def ends(step, item=None):
    return [r["data"] for r in recs if r["kind"] == "step-end" and r["data"].get("step") == step
            and r["data"].get("item_index") == item]
def status(step, item=None):
    e = ends(step, item)
    return e[-1]["status"] if e else None
def result(step, item=None):
    e = ends(step, item)
    return (e[-1].get("result") if e else None) or {}
def intents():
    return [(r["data"]["step"], r["data"].get("item_index")) for r in recs if r["kind"] == "intent"]
def failed():
    return [r["data"]["step"] for r in recs if r["kind"] == "step-end" and r["data"]["status"] == "failed"]
def errors():
    return " | ".join(str(r["data"].get("error")) for r in recs
                      if r["kind"] == "step-end" and r["data"]["status"] == "failed")
def logs():
    return " | ".join(str((r["data"].get("result") or {}).get("message")) for r in recs
                      if r["kind"] == "step-end" and r["data"]["step"].endswith("on_failure.1"))
def run_end():
    e = [r["data"] for r in recs if r["kind"] == "run-end"]
    return e[-1]["state"] if e else None
print(eval(sys.argv[2]))
PYEOF
}
# intent_index FILE STEP ITEM: the 1-based position of STEP's (ITEM's)
# first intent among the run's intents: what OPSPLAN_TEST_KILL=sent:N counts.
intent_index() { jq_journal "$1" "[i for i, x in enumerate(intents(), 1) if x == ('$2', $3)][0]"; }

# ---- the application ----------------------------------------------------------
writer_pid=
writer_start() {   # OUTFILE
	rm -f "$1.ready"
	"$E2E_WRITER" --dir "$SBX" --seconds 0 --ready-file "$1.ready" >"$1" 2>"$1.err" &
	writer_pid=$!
	local i
	for i in $(seq 100); do [ -e "$1.ready" ] && return 0; sleep 0.1; done
	return 1
}
writer_stop() {
	[ -n "$writer_pid" ] || return 0
	kill -TERM "$writer_pid" 2>/dev/null
	wait "$writer_pid" 2>/dev/null
	writer_pid=
}
# writer_ok FILE: no acknowledged row lost, every acknowledged row present
writer_ok() { jq -e '.lost == 0 and .all_acknowledged_present == true and .acknowledged > 0' "$1" >/dev/null; }
writer_says() { jq -r '"writes \(.writes), failed \(.failed), longest gap \(.longest_gap_s) s, lost \(.lost)"' "$1"; }

# ---- conditions -----------------------------------------------------------------
# walreceiver_signal POD SIG: signal the walreceiver of POD's PostgreSQL, to
# freeze or thaw replication.  PostgreSQL rewrites its processes' titles over
# their environment, so the walreceiver is found as the child of the
# postmaster whose data directory is POD's volume.
walreceiver_signal() {
	$E2E_PY - "$SBX" "$E2E_NS" "$1" "$2" <<'PYEOF'
import os, signal, sys
sbx, ns, pod, sig = sys.argv[1:5]
pgdata = os.path.realpath(os.path.join(sbx, "pvc", ns, "postgresql-" + pod, "pgdata")).encode()
procs = {}
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            cmd = open("/proc/%s/cmdline" % d, "rb").read()
            ppid = int(open("/proc/%s/stat" % d).read().rsplit(")", 1)[1].split()[1])
            procs[int(d)] = (cmd, ppid)
        except (OSError, ValueError, IndexError):
            pass
pm = [p for p, (cmd, _) in procs.items() if b"-D\0" + pgdata + b"\0" in cmd or cmd.endswith(b"-D\0" + pgdata)]
n = 0
for p, (cmd, ppid) in procs.items():
    if ppid in pm and b"walreceiver" in cmd:
        os.kill(p, getattr(signal, "SIG" + sig))
        n += 1
sys.exit(0 if n else 1)
PYEOF
}
# make_wal POD MB: write about MB megabytes of WAL on POD (the leader)
make_wal() {
	kubectl exec -n $E2E_NS "$1" -- psql -q -d postgres -c \
		"create table if not exists e2e_lagfill (x text); insert into e2e_lagfill select repeat('x', 1000) from generate_series(1, $2 * 1000)" >/dev/null
}

# ---- crash and resume (suites 62, 63, tests/crash) -------------------------------
# The sandbox's request log: logs/trace.log, written when the sandbox was
# brought up with OPSPLAN_SANDBOX_TRACE=1 (docs/sandbox.md, "Timing trace").
# api_mark prints a position in it; the *_since helpers read what came after.
api_mark() { if [ -f "$SBX/logs/trace.log" ]; then wc -l <"$SBX/logs/trace.log"; else echo 0; fi; }
# api_requests_since MARK [AGENT]: "EPOCH METHOD PATH AGENT" per request (AGENT: a part of the User-Agent)
api_requests_since() {
	tail -n +"$(( $1 + 1 ))" "$SBX/logs/trace.log" 2>/dev/null |
		awk -F'\t' -v a="${2:-}" '$2 == "req" && (a == "" || index($5, a)) { print $1, $3, $4, $5 }'
}
# api_mutations_since MARK [AGENT]: the requests that change something (POST, PUT, PATCH, DELETE)
api_mutations_since() { api_requests_since "$@" | awk '$2 == "POST" || $2 == "PUT" || $2 == "PATCH" || $2 == "DELETE"'; }
# pod_deletions_since MARK: "NAME UID" for every pod removed (DELETED) since MARK, in order
pod_deletions_since() {
	tail -n +"$(( $1 + 1 ))" "$SBX/logs/trace.log" 2>/dev/null |
		awk -F'\t' '$2 == "pod" && $3 == "DELETED" { sub(/^[^\/]*\//, "", $4); print $4, $5 }'
}
# deleted_once UIDS MARK: every pod of UIDS (pod_uids before) was deleted
# exactly once since MARK, and no other pod (a replacement) was deleted
deleted_once() {
	$E2E_PY - "$1" "$(pod_deletions_since "$2")" <<'PYEOF'
import sys
before = dict(x.split("=") for x in sys.argv[1].split())
dels = [l.split() for l in sys.argv[2].splitlines() if l.strip()]
got = sorted((n, u) for n, u in dels)
want = sorted(before.items())
if got != want:
    print("pods deleted: %s; expected each of %s once" % (got, want), file=sys.stderr)
    sys.exit(1)
PYEOF
}
# last_record FILE: "KIND STEP" of a journal's last record (STEP "-" when none)
last_record() { tail -n 1 "$1" | jq -r '"\(.kind) \(.data.step // "-")"'; }
# continue_cmd ERRFILE: the command a stopped or failed run prints ("continue with '...'")
continue_cmd() { sed -n "s/.*continue with '\(.*\)'.*/\1/p" "$1" | tail -n 1; }
# ensure_resumed: if a failed case left the cluster paused, resume it by hand
ensure_resumed() {
	local i
	[ "$(paused)" = true ] || return 0
	for i in 0 1 2; do
		kubectl exec -n $E2E_NS "$E2E_CL-$i" -- patronictl resume --wait >/dev/null 2>&1 && return 0
	done
	return 1
}
# wait_record DIR KIND STEP [SECONDS [FILE]]: wait until the newest journal in
# DIR (a run in progress; with FILE, only a journal newer than FILE: touch it
# before starting the run) has a record of KIND for STEP; prints its path
wait_record() {
	local i f
	for i in $(seq $(( ${4:-120} * 20 ))); do
		if [ -n "${5:-}" ]; then
			f=$(find "$1" -maxdepth 1 -name '*.jsonl' -newer "$5" 2>/dev/null | head -n 1)
		else
			f=$(ls -t "$1"/*.jsonl 2>/dev/null | head -n 1)
		fi
		if [ -n "$f" ] && jq -s -e --arg k "$2" --arg s "$3" 'any(.[]; .kind == $k and .data.step == $s)' "$f" >/dev/null 2>&1; then
			echo "$f"; return 0
		fi
		sleep 0.05
	done
	return 1
}
