#!/usr/bin/env bash
# Suite 61-wait-expression: k8s.wait `for: expression` against the sandbox.
#
#   - the wait is still going while the annotation is absent, and ends (exit
#     0) once the suite patches it in; result.object is the annotated object
#   - --dry-run looks at the real object once and says whether it holds now
#   - a wait whose expression never holds times out with a failed step
#   - a deletion the run did not make ends the wait as a failure, promptly
#   - delete a replica, then wait until it is replaced AND Ready in one
#     expression: the run's own deletion is expected, the new pod has a new
#     uid and is Ready
set -u
cd "$(dirname "$0")/../.."
: "${OPSPLAN:?set OPSPLAN to the binary under test}"
SB=tests/sandbox/sandbox
PY=/usr/bin/python3
DIR=$(mktemp -d /tmp/opsplan-ex61.XXXXXX)
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
SBX=${OPSPLAN_SANDBOX_DIR:-$DIR/sbx}
bgpid=
cleanup() {
	[ -z "$bgpid" ] || kill "$bgpid" 2>/dev/null
	[ -n "${OPSPLAN_SANDBOX_DIR:-}" ] || "$SB" down --dir "$SBX" >/dev/null 2>&1
	rm -rf "$DIR"
}
trap cleanup EXIT
last_run() { ls -t "$J"/*.jsonl 2>/dev/null | head -n 1; }
jq_journal() {   # FILE PYEXPR over recs; end(step) is the step's last step-end data
	$PY - "$@" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def end(step):
    e = [r["data"] for r in recs if r["kind"] == "step-end" and r["data"].get("step") == step]
    return e[-1] if e else {}
print(eval(sys.argv[2]))
PYEOF
}

KC=$("$SB" up --dir "$SBX" 2>"$OUT/up.err" | tail -n 1)
if [ ! -f "$KC" ]; then
	cat "$OUT/up.err"; bad "sandbox up"; exit 1
fi
export KUBECONFIG=$KC
ok "sandbox up"
POD=$CL-0
MARK=m$$-$RANDOM

# --- an annotation patched in while the wait runs ---------------------------------------
t0=$(date +%s.%N)
"$OPSPLAN" run tests/executor/wait-expression.yaml -n $NS -p cluster=$CL -p mark="$MARK" -p pod=$POD \
	--journal "$J" --yes </dev/null >"$OUT/a.out" 2>"$OUT/a.err" &
bgpid=$!
sleep 3
check "the wait is still going while the annotation is absent" kill -0 $bgpid
kubectl annotate pod $POD -n $NS "opsplan/mark=$MARK" --overwrite >/dev/null
t1=$(date +%s.%N)
wait $bgpid
rc=$?
bgpid=
R=$(last_run)
check "the run ends with exit 0 (annotation, then replaced AND Ready)" [ $rc = 0 ]
[ $rc = 0 ] || { tail -n 20 "$OUT/a.err"; }
check "'marked' ended after the annotation, with the annotated object as result.object" \
	[ "$(jq_journal "$R" "end('marked').get('status') == 'ok' and end('marked')['result']['object']['metadata']['annotations']['opsplan/mark'] == '$MARK' and end('marked')['result']['elapsed'] >= 2.5")" = True ]
el=$(jq_journal "$R" "end('marked').get('result', {}).get('elapsed')")
echo "     marked: elapsed ${el}s (annotated $($PY -c "print(round($t1 - $t0, 1))")s after start)"
check "'back': the replica deleted by the run came back with a new uid and Ready" \
	[ "$(jq_journal "$R" "end('delete').get('status') == 'ok' and end('back').get('status') == 'ok' and end('back')['result']['uid_after'] != end('delete')['result']['uid'] and any(c['type'] == 'Ready' and c['status'] == 'True' for c in end('back')['result']['object']['status']['conditions'])")" = True ]
echo "     back: events $(jq_journal "$R" "[e['type'] for e in end('back').get('result', {}).get('events', [])]")"
NEWPOD=$(jq_journal "$R" "end('back').get('result', {}).get('object', {}).get('metadata', {}).get('name')")
check "the pod the wait returned is the one in the cluster now" \
	[ "$(kubectl get pod "$NEWPOD" -n $NS -o jsonpath='{.metadata.uid}')" = "$(jq_journal "$R" "end('back')['result']['uid_after']")" ]

# --- --dry-run: one look at the real object, no wait --------------------------------------
t0=$(date +%s)
"$OPSPLAN" run tests/executor/wait-expression-gone.yaml -n $NS -p pod=$POD -p timeout=60s --dry-run --journal "$J" \
	--yes </dev/null >"$OUT/d.out" 2>"$OUT/d.err"
rc=$?
check "--dry-run: exit 0 at once, says it would wait and that the expression does not hold now" \
	[ $rc = 0 -a $(( $(date +%s) - t0 )) -lt 20 -a "$(grep -c "would wait for Pod $POD: .*(it does not hold now)" "$OUT/d.err" "$OUT/d.out" | awk -F: '{s += $NF} END {print s}')" -ge 1 ]

# --- never holds: a timeout -------------------------------------------------------------
"$OPSPLAN" run tests/executor/wait-expression-gone.yaml -n $NS -p pod=$POD -p timeout=2s --journal "$J" --yes \
	</dev/null >"$OUT/t.out" 2>"$OUT/t.err"
rc=$?
R=$(last_run)
check "an expression that never holds: exit 1, the step failed on its timeout" \
	[ $rc = 1 -a "$(jq_journal "$R" "end('never').get('status') == 'failed' and 'timed out' in end('never').get('error', '')")" = True ]

# --- a deletion the run did not make ----------------------------------------------------
"$SB" wait --dir "$SBX" --timeout 90 >/dev/null
VICTIM=$(kubectl get --raw "/api/v1/namespaces/$NS/pods/$CL-0:8008/proxy/cluster" |
	$PY -c 'import json,sys; print(sorted(m["name"] for m in json.load(sys.stdin)["members"] if m["role"] != "leader")[0])')
"$OPSPLAN" run tests/executor/wait-expression-gone.yaml -n $NS -p pod="$VICTIM" -p timeout=60s --journal "$J" --yes \
	</dev/null >"$OUT/g.out" 2>"$OUT/g.err" &
bgpid=$!
sleep 2
kubectl delete pod "$VICTIM" -n $NS --wait=false >/dev/null
t0=$(date +%s)
wait $bgpid
rc=$?
bgpid=
took=$(( $(date +%s) - t0 ))
R=$(last_run)
check "an unexpected deletion: exit 1 within 30 s (took ${took}s), 'was deleted while waiting'" \
	[ $rc = 1 -a $took -lt 30 -a "$(jq_journal "$R" "'was deleted while waiting' in end('never').get('error', '')")" = True ]
"$SB" wait --dir "$SBX" --timeout 90 >/dev/null || bad "the sandbox healed after the deletion"

echo "61-wait-expression: $([ $fail = 0 ] && echo ok || echo FAILED)"
exit $fail
