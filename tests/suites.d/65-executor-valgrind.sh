#!/usr/bin/env bash
# Suite 65-executor-valgrind: opsplan under valgrind (memcheck, definite and
# indirect leaks are errors), every run must be clean:
#   - lint and compile of the default plan (plans/patroni-hotfix.yaml), lint of
#     a plan with errors (the diagnostic paths), explain and rbac
#   - a full `opsplan run` of the default plan (the hot fix, 1.6.5 -> 2.0.1)
#     against a sandbox, then one of tests/executor/features.yaml:
#     every catalog action (k8s get/list/patch/delete/wait/exec, patroni
#     cluster/status/pause/resume/restart/switchover, openshift build/tag,
#     log, sleep, confirm) and every scheduler feature; exit 0 required, and
#     the journal must show that every action ran
# SKIPPED (exit 77) when valgrind is missing, and under SAN=1 (an ASan binary
# cannot run under valgrind).  About 45 s here (valgrind adds
# little: the runs wait on the cluster).
set -u
if [ "${SAN:-0}" = 1 ]; then
	echo "SKIPPED: SAN=1 builds opsplan with ASan, which does not run under valgrind (run this suite without SAN)"
	exit 77
fi
if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIPPED: valgrind is not installed (make deps installs it)"
	exit 77
fi
cd "$(dirname "$0")/../.."
: "${OPSPLAN:?set OPSPLAN to the binary under test}"
SB=tests/sandbox/sandbox
PLAN=plans/patroni-hotfix.yaml
DIR=$(mktemp -d /tmp/opsplan-vg65.XXXXXX)
chmod 755 "$DIR"   # the sandbox's pods run as user postgres under it
SBX=$DIR/sbx
NS=demo
CL=patroni-001
fail=0
ok()  { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
cleanup() { "$SB" down --dir "$SBX" >/dev/null 2>&1; rm -rf "$DIR"; }
trap cleanup EXIT

# vg NAME EXPECTED_EXIT CMD...: CMD under valgrind; clean means valgrind found
# no error (its summary says 0 errors) and CMD exited EXPECTED_EXIT.
vg() {
	local name=$1 want=$2 rc; shift 2
	valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--log-file="$DIR/$name.vg" "$@" >"$DIR/$name.out" 2>"$DIR/$name.err" </dev/null
	rc=$?
	if [ $rc = "$want" ] && grep -q 'ERROR SUMMARY: 0 errors' "$DIR/$name.vg"; then
		ok "valgrind clean: $name (exit $rc)"
	else
		bad "valgrind: $name exited $rc (want $want): $(grep -o 'ERROR SUMMARY: .*' "$DIR/$name.vg" | head -n 1)"
		grep -E '^==[0-9]+== ' "$DIR/$name.vg" | grep -vE '^==[0-9]+== (Memcheck|Copyright|Using|Command|$)' | head -n 40
		tail -n 5 "$DIR/$name.err"
	fi
}

# --- compiler commands on the default plan ----------------------------------------
[ -f "$PLAN" ] || { echo "FAIL $PLAN is missing"; exit 1; }
vg lint-default 0 "$OPSPLAN" lint "$PLAN"
vg compile-default 0 "$OPSPLAN" compile "$PLAN" -p cluster=$CL -o "$DIR/ir.json"
[ -s "$DIR/ir.json" ] || bad "compile -o wrote no IR"
vg explain-default 0 "$OPSPLAN" explain "$PLAN" -p cluster=$CL
vg rbac-default 0 "$OPSPLAN" rbac "$PLAN"
printf 'opsplan: 1\nname: bad\nsteps:\n  - id: a\n    do: k8s.nope\n  - id: a\n    do: log\n    with: {message: "${{ steps.zz.result }}"}\n' \
	>"$DIR/bad.yaml"
vg lint-errors 1 "$OPSPLAN" lint "$DIR/bad.yaml"
grep -q 'error\[' "$DIR/lint-errors.out" "$DIR/lint-errors.err" || bad "the broken plan's lint reported no error"

# --- a full run against the sandbox ------------------------------------------------
KC=$("$SB" up --dir "$SBX" --namespace $NS --cluster $CL --members 3 2>"$DIR/up.err" | tail -n 1)
if [ ! -f "$KC" ]; then   # a busy machine: one more try
	"$SB" down --dir "$SBX" >/dev/null 2>&1
	KC=$("$SB" up --dir "$SBX" --namespace $NS --cluster $CL --members 3 2>"$DIR/up.err" | tail -n 1)
fi
if [ ! -f "$KC" ]; then
	tail -n 5 "$DIR/up.err"; bad "sandbox up"; exit 1
fi
export KUBECONFIG=$KC
ok "sandbox up"
vg run-default 0 "$OPSPLAN" run -n $NS -p cluster=$CL -p version_annotation=sandbox.opsplan.io/image-patroni-version \
	--yes --journal "$DIR/journal-default"
if grep -hq '"kind":"run-end".*"state":"done"' "$DIR"/journal-default/*.jsonl 2>/dev/null; then
	ok "the default plan's run under valgrind ended done"
else
	bad "the default plan's run under valgrind did not end done"
fi
"$SB" wait --dir "$SBX" --timeout 90 >/dev/null 2>&1 || bad "the cluster is not healthy after the default plan"
vg run-features 0 "$OPSPLAN" run tests/executor/features.yaml -n $NS -p cluster=$CL --yes --journal "$DIR/journal" \
	--output json --report "$DIR/features.md"
J=$(ls "$DIR"/journal/*.jsonl 2>/dev/null | tail -n 1)
if [ -n "$J" ] && python3 - "$J" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ran = {r["data"]["action"] for r in recs if r["kind"] == "step-start" and r["data"].get("action")}
want = {"confirm", "k8s.delete", "k8s.exec", "k8s.get", "k8s.list", "k8s.patch", "k8s.wait", "log",
        "openshift.build", "openshift.tag", "patroni.cluster", "patroni.pause", "patroni.restart",
        "patroni.resume", "patroni.status", "patroni.switchover", "sleep"}
ends = [r["data"]["state"] for r in recs if r["kind"] == "run-end"]
assert want <= ran, sorted(want - ran)
assert ends == ["done"], ends
PYEOF
then
	ok "the run under valgrind was complete: every action ran, run-end done"
else
	bad "the run under valgrind did not run every action to the end (journal ${J:-missing})"
fi
exit $fail
