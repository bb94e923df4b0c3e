#!/usr/bin/env bash
# Suite 60-executor: `opsplan run` and `opsplan rbac` against a sandbox
# namespace with a real 3-member Patroni cluster.
#
#   - exit codes without a cluster: usage 2, plan does not compile 5,
#     cluster unreachable 3; rbac derives the Role from the actions
#   - a read-only plan: done; without a terminal and without --yes it stops
#     before the confirmation (exit 4) and --resume --yes finishes it
#   - tests/executor/features.yaml: every catalog action and every scheduler
#     feature, --output json events, --report FILE.md
#   - --dry-run of the default hot-fix plan changes nothing
#   - SIGINT: the wait is abandoned, finally resumes Patroni, exit 4
#   - crashes: tests/executor/crash.yaml killed (SIGKILL) at every step
#     boundary, after every intent and after every mutation was sent, then
#     --resume: exit 0 and exactly one effect per mutation (one build, one
#     pod replacement, one timeline switch)
#   - the sandbox's bearer token appears in no journal, output or report
#   - valgrind on one full run (when valgrind is installed)
#
# OPSPLAN_CRASH_POINTS="sent:4 step-end:3" runs a subset of the crash points.
set -u
cd "$(dirname "$0")/../.."
: "${OPSPLAN:?set OPSPLAN to the binary under test}"
SB=tests/sandbox/sandbox
PY=/usr/bin/python3
DIR=$(mktemp -d /tmp/opsplan-ex60.XXXXXX)
chmod 755 "$DIR"   # the sandbox's pods run as user postgres under it
J=$DIR/journal
OUT=$DIR/out
mkdir -p "$OUT"
NS=demo
CL=patroni-001
fail=0
ok()   { echo "ok   $*"; }
bad()  { echo "FAIL $*"; fail=1; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
SBX=${OPSPLAN_SANDBOX_DIR:-$DIR/sbx}   # reuse a running sandbox (development) or make one
cleanup() { [ -n "${OPSPLAN_SANDBOX_DIR:-}" ] || "$SB" down --dir "$SBX" >/dev/null 2>&1; rm -rf "$DIR"; }
trap cleanup EXIT
run() { "$OPSPLAN" run "$@" --journal "$J" </dev/null; }
# the newest journal: run ids sort by second, then by plan name, so two runs
# in the same second would sort by name; modification time does not
last_run() { ls -t "$J"/*.jsonl 2>/dev/null | head -n 1; }
jq_journal() {   # FILE PYEXPR: evaluate PYEXPR over recs (the journal's records)
	$PY - "$@" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def ends(step, item=None):
    return [r["data"] for r in recs if r["kind"] == "step-end" and r["data"].get("step") == step
            and r["data"].get("item_index") == item]
def status(step, item=None):
    e = ends(step, item)
    return e[-1]["status"] if e else None
print(eval(sys.argv[2]))
PYEOF
}

# --- without a cluster ---------------------------------------------------------------
"$OPSPLAN" run --bogus >/dev/null 2>&1
check "unknown option: exit 2" [ $? = 2 ]
"$OPSPLAN" run --resume x -p a=b >/dev/null 2>&1
check "--resume with -p: exit 2" [ $? = 2 ]
"$OPSPLAN" run --report out.txt tests/executor/read-only.yaml >/dev/null 2>&1
check "--report must be .md or .json: exit 2" [ $? = 2 ]
printf 'opsplan: 1\nname: bad\nsteps:\n  - id: a\n    do: k8s.nope\n' > "$DIR/bad.yaml"
"$OPSPLAN" run "$DIR/bad.yaml" --journal "$J" >/dev/null 2>"$OUT/bad.err"
check "a plan that does not compile: exit 5, nothing journaled" [ $? = 5 -a ! -e "$J" ]
cat > "$DIR/dead.kubeconfig" <<EOF
{"apiVersion": "v1", "kind": "Config", "current-context": "x",
 "clusters": [{"name": "x", "cluster": {"server": "https://127.0.0.1:1", "insecure-skip-tls-verify": true}}],
 "users": [{"name": "u", "user": {"token": "dead-token-123456"}}],
 "contexts": [{"name": "x", "context": {"cluster": "x", "user": "u", "namespace": "demo"}}]}
EOF
"$OPSPLAN" run tests/executor/read-only.yaml -p cluster=x --kubeconfig "$DIR/dead.kubeconfig" --journal "$J" \
	>/dev/null 2>"$OUT/dead.err"
check "cluster unreachable: exit 3, nothing journaled" [ $? = 3 -a ! -e "$J" ]
check "the unreachable error names the server, not the token" \
	sh -c "grep -q '127.0.0.1:1' '$OUT/dead.err' && ! grep -q dead-token '$OUT/dead.err'"
"$OPSPLAN" rbac plans/patroni-hotfix.yaml > "$OUT/rbac.yaml"
check "rbac: a Role with pods/proxy, pods delete+watch, statefulsets, builds, imagestreamtags" \
	$PY - "$OUT/rbac.yaml" <<'PYEOF'
import sys, yaml
role = yaml.safe_load(open(sys.argv[1]))
assert role["kind"] == "Role", role
rules = {(r["apiGroups"][0], r["resources"][0]): set(r["verbs"]) for r in role["rules"]}
assert {"get", "patch", "create"} <= rules[("", "pods/proxy")], rules
assert {"get", "delete", "watch", "list"} <= rules[("", "pods")], rules
assert rules[("apps", "statefulsets")] == {"get"}, rules
assert "create" in rules[("build.openshift.io", "buildconfigs/instantiate")], rules
assert rules[("image.openshift.io", "imagestreamtags")] == {"get", "create", "update"}, rules
assert ("", "secrets") not in rules, rules
PYEOF

check "man page: every command and every option of run/rbac --help is in docs/opsplan.1" \
	$PY - "$OPSPLAN" <<'PYEOF'
import re, subprocess, sys
man = open("docs/opsplan.1").read().replace("\\-", "-")
for cmd in ("lint", "compile", "graph", "explain", "run", "runs", "rbac"):
    assert ".B opsplan " + cmd in man, cmd
    text = subprocess.run([sys.argv[1], "help", cmd], capture_output=True, text=True).stdout
    for opt in set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", text)):
        assert opt in man, (cmd, opt)
PYEOF

# --- sandbox ---------------------------------------------------------------------------
KC=$("$SB" up --dir "$SBX" 2>"$OUT/up.err" | tail -n 1)
if [ ! -f "$KC" ]; then   # a busy machine: one more try before giving up
	cat "$OUT/up.err"; tail -n 20 "$SBX"/logs/*.log 2>/dev/null
	"$SB" down --dir "$SBX" >/dev/null 2>&1
	KC=$("$SB" up --dir "$SBX" 2>"$OUT/up.err" | tail -n 1)
fi
if [ ! -f "$KC" ]; then
	cat "$OUT/up.err"; tail -n 20 "$SBX"/logs/*.log 2>/dev/null; bad "sandbox up"; exit 1
fi
export KUBECONFIG=$KC
TOKEN=$(cat "$SBX/token")
ok "sandbox up"
healthy() { "$SB" wait --dir "$SBX" --timeout 90 >/dev/null; }
pod_uid() { kubectl get pod "$1" -n $NS -o jsonpath='{.metadata.uid}'; }
bc_version() { kubectl get bc patroni-postgres -n $NS -o jsonpath='{.status.lastVersion}'; }
timeline() {   # the leader's timeline, read through the pod proxy
	kubectl get --raw "/api/v1/namespaces/$NS/pods/$CL-0:8008/proxy/cluster" |
		$PY -c 'import json,sys; print(max(m.get("timeline") or 0 for m in json.load(sys.stdin)["members"]))'
}
paused() {
	kubectl get --raw "/api/v1/namespaces/$NS/pods/$CL-0:8008/proxy/cluster" |
		$PY -c 'import json,sys; print(str(bool(json.load(sys.stdin).get("pause"))).lower())'
}

# --- read-only: done; gate stop without a terminal; resume -----------------------------
run tests/executor/read-only.yaml -n $NS -p cluster=$CL --yes >"$OUT/ro.out" 2>"$OUT/ro.err"
check "read-only plan with --yes: exit 0" [ $? = 0 ]
check "the report lists every step ok" [ "$(grep -cE '^  ok +(cluster|sts|note|nap|ok) ' "$OUT/ro.out")" = 5 ]
run tests/executor/read-only.yaml -n $NS -p cluster=$CL >"$OUT/ro2.out" 2>"$OUT/ro2.err"
rc=$?
R=$(last_run)
check "no terminal, no --yes: stops before the confirmation with exit 4" [ $rc = 4 ]
check "the stop is journaled as a gate 'stopped' and the steps before it ok" \
	[ "$(jq_journal "$R" '[status(s) for s in ("cluster","sts","note","nap")] == ["ok"]*4 and any(r["kind"] == "gate" and r["data"]["state"] == "stopped" for r in recs)')" = True ]
"$OPSPLAN" run --resume "$(basename "$R" .jsonl)" --journal "$J" --yes </dev/null >"$OUT/ro3.out" 2>"$OUT/ro3.err"
check "--resume --yes finishes it (exit 0), earlier steps taken from the journal" \
	[ $? = 0 -a "$(grep -c 'from the journal' "$OUT/ro3.err")" = 4 -a "$(jq_journal "$R" 'status("ok")')" = ok ]

# --- every action, every scheduler feature ----------------------------------------------
healthy
v0=$(bc_version)
t0=$(timeline)
run tests/executor/features.yaml -n $NS -p cluster=$CL --yes --output json --report "$OUT/features.md" \
	>"$OUT/features.jsonl" 2>"$OUT/features.err"
rc=$?
R=$(last_run)
check "features plan: exit 0" [ $rc = 0 ]
[ $rc = 0 ] || { cat "$OUT/features.err"; grep -E '"step-end".*failed' "$OUT/features.jsonl" | head; }
check "every catalog action ran and returned its catalog shape" [ "$(jq_journal "$R" 'sorted({r["data"]["action"] for r in recs if r["kind"] == "step-start" and r["data"].get("action")})')" = \
	"['confirm', 'k8s.delete', 'k8s.exec', 'k8s.get', 'k8s.list', 'k8s.patch', 'k8s.wait', 'log', 'openshift.build', 'openshift.tag', 'patroni.cluster', 'patroni.pause', 'patroni.restart', 'patroni.resume', 'patroni.status', 'patroni.switchover', 'sleep']" ]
check "retry: 'missing' failed after 2 attempts and on_failure: continue went on" \
	[ "$(jq_journal "$R" '(ends("missing")[-1]["attempts"], status("missing"), status("skipped"), status("settled"))')" = "(2, 'failed', 'skipped', 'ok')" ]
check "for_each serial: each replica deleted, replaced, upgraded, in the window" \
	[ "$(jq_journal "$R" '[status(s, i) for s in ("delete","back","version") for i in (0,1)] == ["ok"]*6 and any(r["kind"] == "window-close" and not r["data"]["exceeded"] for r in recs)')" = True ]
check "brackets: maintenance opened by pause and closed by resume; finally's resume skipped" \
	[ "$(jq_journal "$R" '([r["kind"] for r in recs if r["kind"].startswith("bracket")], status("always-resume"))')" = "(['bracket-open', 'bracket-close'], 'skipped')" ]
check "exactly one build and one switchover" [ "$(bc_version)" = $((v0 + 1)) -a "$(timeline)" = $((t0 + 1)) ]
check "--output json: every line is a JSON event, ending with the report" \
	$PY -c 'import json,sys; ev=[json.loads(l) for l in open(sys.argv[1])]; assert ev[-1]["event"]=="report" and ev[-1]["report"]; assert sum(e["event"]=="step-end" for e in ev) >= 20' "$OUT/features.jsonl"
check "--report FILE.md written with the evidence" grep -q 'expect `result.exit_code == 3' "$OUT/features.md"

# --- API faults: absorbed, or a clean failure that resumes -------------------------------
fault() { "$SB" fault --dir "$SBX" "$@" >/dev/null; }
for f in "--api-5xx 3" "--api-429 2 --retry-after 1" "--latency-ms 300" "--drop 2"; do
	healthy
	# shellcheck disable=SC2086
	fault $f --agent opsplan
	run tests/executor/read-only.yaml -n $NS -p cluster=$CL --yes >"$OUT/fault.out" 2>"$OUT/fault.err"
	rc=$?
	fault --clear
	check "API fault '$f' absorbed: read-only plan exit 0" [ $rc = 0 ]
done
for f in "--watch-cut 1" "--watch-410 3" "--compact"; do
	healthy
	# shellcheck disable=SC2086
	fault $f --agent opsplan
	run tests/executor/wait.yaml -n $NS -p cluster=$CL --yes >"$OUT/fault.out" 2>"$OUT/fault.err"
	rc=$?
	fault --clear
	fault --watch-cut 0
	check "watch fault '$f' absorbed: replica replaced and Ready seen on the watch (exit 0)" [ $rc = 0 ]
done
healthy
fault --api-5xx 1000 --match /proxy/cluster --agent opsplan
run tests/executor/read-only.yaml -n $NS -p cluster=$CL --yes >"$OUT/fault.out" 2>"$OUT/fault.err"
rc=$?
fault --clear
R=$(last_run)
# 5xx until the step's deadline: the API's outage, not the plan's failure (exit 3)
check "persistent 503 on Patroni's /cluster: the step polls to its deadline and fails cleanly as an outage (exit 3, run-end failed)" \
	[ $rc = 3 -a "$(jq_journal "$R" '[r["data"]["state"] for r in recs if r["kind"] == "run-end"]')" = "['failed']" ]
"$OPSPLAN" run --resume "$(basename "$R" .jsonl)" --journal "$J" --yes </dev/null >"$OUT/fault2.out" 2>"$OUT/fault2.err"
check "... and --resume finishes it once the API recovers (exit 0)" [ $? = 0 ]

"$OPSPLAN" run tests/executor/lost.yaml -n $NS -p cluster=$CL --journal "$J" </dev/null >"$OUT/lost.out" 2>"$OUT/lost.err" &
pid=$!
sleep 1.5
fault --drop 1000 --agent opsplan
wait $pid
rc=$?
fault --clear
check "connections dropped for good in the middle of a run: exit 3 (cluster lost), not 1" [ $rc = 3 ]

# --- dry run of the default plan ---------------------------------------------------------
healthy
uids=$(for i in 0 1 2; do pod_uid $CL-$i; done)
v0=$(bc_version)
t0=$(timeline)
run -n $NS -p cluster=$CL -p patroni_version=3.0.2 --dry-run >"$OUT/dry.out" 2>"$OUT/dry.err"
check "dry run of the default plan: exit 0" [ $? = 0 ]
check "dry run: deletes sent with dryRun=All, switchover and pause printed, not sent" \
	[ "$(grep -c 'sent with dryRun=All' "$OUT/dry.err")" -ge 3 -a "$(grep -c 'would POST /switchover' "$OUT/dry.err")" = 1 \
	  -a "$(grep -c 'would PATCH /config {"pause": true}' "$OUT/dry.err")" = 1 ]
check "dry run: no pod replaced, no build, no switchover, not paused" \
	[ "$(for i in 0 1 2; do pod_uid $CL-$i; done)" = "$uids" -a "$(bc_version)" = "$v0" -a "$(timeline)" = "$t0" \
	  -a "$(paused)" = false ]

# --- SIGINT: abandon the wait, run finally, exit 4 ---------------------------------------
healthy
"$OPSPLAN" run tests/executor/sigint.yaml -n $NS -p cluster=$CL --journal "$J" --yes </dev/null \
	>"$OUT/int.out" 2>"$OUT/int.err" &
pid=$!
for _ in $(seq 300); do grep -q 'ok   pause' "$OUT/int.err" && break; sleep 0.1; done
kill -INT $pid
wait $pid
rc=$?
R=$(last_run)
check "SIGINT after pause: exit 4, journal says interrupted" \
	[ $rc = 4 -a "$(jq_journal "$R" '[r["data"]["state"] for r in recs if r["kind"] == "run-end"]')" = "['interrupted']" ]
check "SIGINT: finally resumed Patroni (maintenance closed, cluster not paused)" \
	[ "$(jq_journal "$R" 'status("unpause")')" = ok -a "$(paused)" = false ]

# --- crashes and --resume ----------------------------------------------------------------
# every mutation of crash.yaml (6: build, tag, pause, delete, resume, switchover),
# before and after it is sent, and every step boundary (10 steps + finally)
points=${OPSPLAN_CRASH_POINTS:-"$(for k in 1 2 3 4 5 6; do printf 'intent:%s sent:%s ' $k $k; done; for k in $(seq 11); do printf 'step-end:%s ' $k; done)"}
for p in $points; do
	healthy
	v0=$(bc_version)
	t0=$(timeline)
	OPSPLAN_TEST_KILL=$p "$OPSPLAN" run tests/executor/crash.yaml -n $NS -p cluster=$CL --journal "$J" --yes </dev/null \
		>"$OUT/crash.out" 2>"$OUT/crash.err"
	rc=$?
	R=$(last_run)
	"$OPSPLAN" run --resume "$(basename "$R" .jsonl)" --journal "$J" --yes </dev/null >"$OUT/resume.out" 2>"$OUT/resume.err"
	rc2=$?
	victim=$(jq_journal "$R" 'ends("back")[-1]["result"]["object"]["metadata"]["name"]')
	after=$(jq_journal "$R" 'ends("back")[-1]["result"]["uid_after"]')
	before=$(jq_journal "$R" 'ends("back")[-1]["result"]["uid_before"]')
	if [ $rc = 137 ] && [ $rc2 = 0 ] && [ "$(bc_version)" = $((v0 + 1)) ] && [ "$(timeline)" = $((t0 + 1)) ] &&
	   [ "$(pod_uid "$victim")" = "$after" ] && [ "$before" != "$after" ] && [ "$(paused)" = false ]; then
		ok "killed at $p, resumed: one build, one replacement of $victim, one switchover, not paused"
	else
		bad "killed at $p (rc $rc), resumed (rc $rc2): builds +$(( $(bc_version) - v0 )), timeline +$(( $(timeline) - t0 )), $victim uid $(pod_uid "$victim") vs $after, paused $(paused)"
		tail -n 5 "$OUT/resume.err"
	fi
done

# --- secrets -------------------------------------------------------------------------------
check "the sandbox token is in no journal, IR, output or report" \
	sh -c "! grep -rqF '$TOKEN' '$J' '$OUT'"

# --- valgrind --------------------------------------------------------------------------------
if command -v valgrind >/dev/null 2>&1 && [ "${SAN:-0}" != 1 ]; then
	healthy
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		"$OPSPLAN" run tests/executor/crash.yaml -n $NS -p cluster=$CL --journal "$J" --yes </dev/null \
		>"$OUT/vg.out" 2>"$OUT/vg.err"
	rc=$?
	check "valgrind: a full run of crash.yaml is clean (exit $rc)" [ $rc = 0 ]
	[ $rc = 0 ] || grep -A12 '==[0-9]*==' "$OUT/vg.err" | head -40
else
	echo "skip valgrind (not installed or SAN=1)"
fi
exit $fail
