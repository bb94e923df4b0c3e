#!/usr/bin/env bash
# Suite 50-sandbox: one sandbox namespace with a real 3-member Patroni cluster,
# driven by real clients (kubectl, Python's kubernetes client, psql-level writes):
# startup time, API semantics, pod proxy, exec, pod replacement keeping its data,
# switchover and pause/kill-replica/resume with zero lost rows, builds and tags,
# faults, and `down` leaving nothing running.  Prints the measured figures.
set -u
cd "$(dirname "$0")/../.."
SB=tests/sandbox/sandbox
PY=/usr/bin/python3
KUBECTL=${KUBECTL:-kubectl}
DIR=$(mktemp -d /tmp/opsplan-sb50.XXXXXX)
NS=demo
CL=patroni-001
fail=0
ok()   { echo "ok   $*"; }
bad()  { echo "FAIL $*"; fail=1; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
cleanup() { "$SB" down --dir "$DIR" >/dev/null 2>&1; rm -rf "$DIR"; }
trap cleanup EXIT

leftovers() {   # PIDs whose environment carries this sandbox's marker
	$PY - "$DIR" <<'PYEOF'
import os, sys
want = ("OPSPLAN_SANDBOX=" + sys.argv[1]).encode()
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            if want in open("/proc/%s/environ" % d, "rb").read().split(b"\0"):
                st = open("/proc/%s/stat" % d).read().rsplit(")", 1)[1].split()[0]
                if st != "Z":
                    print(d)
        except OSError:
            pass
PYEOF
}
rest() {   # METHOD POD PATH [JSON]: Patroni REST through the API server's pod proxy
	$PY - "$KC" "$NS" "$@" <<'PYEOF'
import json, sys
sys.path.insert(0, "tests/sandbox")
from sbx.client import Client
kc, ns, method, pod, path = sys.argv[1:6]
body = json.loads(sys.argv[6]) if len(sys.argv) > 6 else None
c = Client(kc)
code, out = c.request(method, c.ns_path("pods", pod + ":8008/proxy/" + path, ns=ns), body, raw=True, timeout=40)
sys.stdout.write(out.decode())
sys.exit(0 if code < 300 else 1)
PYEOF
}
leader() { $KUBECTL get pods -l role=master -o jsonpath='{.items[0].metadata.name}'; }
ready_of() { $KUBECTL get pod "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'; }

# --- up ----------------------------------------------------------------------------
t0=$(date +%s.%N)
out=$("$SB" up --dir "$DIR" 2>"$DIR.up.err")
rc=$?
t_up=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
cat "$DIR.up.err"; rm -f "$DIR.up.err"
KC=$(printf '%s\n' "$out" | tail -n 1)
if [ $rc -ne 0 ] || [ "$KC" != "$DIR/kubeconfig" ]; then
	bad "sandbox up (rc=$rc, last line '$KC')"
	tail -n 40 "$DIR"/logs/controlplane.log 2>/dev/null
	exit 1
fi
ok "sandbox up: kubeconfig on the last line, healthy 3-member cluster in ${t_up}s"
check "healthy in under 90 s" awk -v t="$t_up" 'BEGIN{exit !(t < 90)}'
export KUBECONFIG=$KC
again=$("$SB" up --dir "$DIR" 2>/dev/null | tail -n 1)
check "up twice in the same dir reuses it" [ "$again" = "$KC" ]

# --- API wire semantics (Python, standard library) ----------------------------------
if $PY tests/sandbox/api_check.py "$DIR" > "$DIR/api_check.out"; then
	ok "API semantics ($(grep -c '^ok' "$DIR/api_check.out") checks)"
else
	grep FAIL "$DIR/api_check.out"; bad "API semantics"
fi

# --- kubectl ---------------------------------------------------------------------------
wide=$($KUBECTL get pods -o wide 2>&1)
echo "$wide"
check "kubectl get pods -o wide: 3 pods 1/1 Running with 127.0.x.y IPs" \
	[ "$(echo "$wide" | grep -cE "^$CL-[0-9] +1/1 +Running +[0-9]+ +[^ ]+ +127\.0\.[0-9]+\.[0-9]+ ")" = 3 ]
L=$(leader)
clusterjson=$($KUBECTL get --raw "/api/v1/namespaces/$NS/pods/$L:8008/proxy/cluster")
check "kubectl get --raw through the pod proxy: /cluster has 1 leader + 2 running replicas" \
	[ "$(echo "$clusterjson" | jq '[.members[] | select(.role=="leader")] | length')" = 1 -a \
	  "$(echo "$clusterjson" | jq '[.members[] | select(.role=="replica" and .state=="running")] | length')" = 2 ]
list=$($KUBECTL exec "$L" -- patronictl list 2>&1)
echo "$list"
check "kubectl exec -- patronictl list shows the leader and 3 members" \
	[ "$(echo "$list" | grep -c "| $CL-")" = 3 -a "$(echo "$list" | grep -c Leader)" = 1 ]
$KUBECTL exec "$L" -- sh -c 'exit 7' 2>/dev/null; rc=$?
check "kubectl exec propagates the exit code (7)" [ $rc = 7 ]
check "kubectl exec -i passes stdin" [ "$(echo ping | $KUBECTL exec -i "$L" -- cat)" = ping ]
check "patronictl version in the pod is Debian's 3.0.2" \
	[ "$($KUBECTL exec "$L" -- patronictl version 2>&1)" = "patronictl version 3.0.2" ]

if $PY tests/sandbox/exec_check.py "$DIR" "$L" > "$DIR/exec_check.out"; then
	ok "exec at the wire level: v5 and v4, channels, exit status, stdin close ($(grep -c '^ok' "$DIR/exec_check.out") checks)"
else
	grep FAIL "$DIR/exec_check.out"; bad "exec at the wire level"
fi

# --- Python kubernetes client ----------------------------------------------------------
check "python3-kubernetes lists and watches pods" $PY tests/sandbox/pyclient_check.py "$KC" "$NS" 3

# --- delete a replica: replacement with a new uid, same data, seen by a watch ----------
R=$($KUBECTL get pods -l role=replica -o jsonpath='{.items[0].metadata.name}')
olduid=$($KUBECTL get pod "$R" -o jsonpath='{.metadata.uid}')
pgv="$DIR/pvc/$NS/postgresql-$R/pgdata/PG_VERSION"
oldinode=$(stat -c %i "$pgv")
$KUBECTL get pods --watch > "$DIR/watch.out" 2>&1 &
watch_pid=$!
sleep 1
t0=$(date +%s.%N)
$KUBECTL delete pod "$R" >/dev/null
$KUBECTL wait --for=condition=Ready "pod/$R" --timeout=60s >/dev/null
t_repl=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
newuid=$($KUBECTL get pod "$R" -o jsonpath='{.metadata.uid}')
check "deleted replica replaced and Ready in ${t_repl}s with a new uid" [ -n "$newuid" -a "$newuid" != "$olduid" ]
check "the replacement kept its data directory (same PG_VERSION inode, no re-bootstrap)" \
	[ "$(stat -c %i "$pgv" 2>/dev/null)" = "$oldinode" ] 
check "no basebackup in the replacement's log" \
	sh -c "! $KUBECTL logs '$R' | grep -q 'bootstrap from leader'"
sleep 1
kill "$watch_pid" 2>/dev/null; wait "$watch_pid" 2>/dev/null
check "kubectl get pods --watch saw the termination and the new pod Ready" \
	sh -c "grep -q '^$R .*Terminating' '$DIR/watch.out' && grep '^$R ' '$DIR/watch.out' | tail -n 1 | grep -q '1/1 *Running'"

# --- switchover with the writer -----------------------------------------------------------
L=$(leader)
C=$($KUBECTL get pods -l role=replica -o jsonpath='{.items[0].metadata.name}')
tests/sandbox/writer --dir "$DIR" --seconds 9 --ready-file "$DIR/w1.ready" > "$DIR/w1.json" &
wpid=$!
for _ in $(seq 50); do [ -e "$DIR/w1.ready" ] && break; sleep 0.1; done
sleep 2
sw=$(rest POST "$L" switchover "{\"leader\": \"$L\", \"candidate\": \"$C\"}")
echo "switchover: $sw"
wait $wpid; wrc=$?
cat "$DIR/w1.json"
gap_sw=$(jq -r .longest_gap_s "$DIR/w1.json")
check "switchover $L -> $C succeeded" sh -c "echo '$sw' | grep -q 'Successfully switched over'"
check "switchover: the master Service follows the new leader (role=master on $C)" [ "$(leader)" = "$C" ]
check "switchover: writer lost no acknowledged row (longest gap ${gap_sw}s)" \
	[ $wrc = 0 -a "$(jq -r .lost "$DIR/w1.json")" = 0 ]
check "switchover: the writer saw a real outage shorter than 10 s" \
	awk -v g="$gap_sw" 'BEGIN{exit !(g > 0.1 && g < 10)}'

# --- pause, delete a replica, it stays not Ready until resume -----------------------------
"$SB" wait --dir "$DIR" --timeout 60 >/dev/null || bad "cluster healthy again after the switchover"
L=$(leader)
R=$($KUBECTL get pods -l role=replica -o jsonpath='{.items[0].metadata.name}')
tests/sandbox/writer --dir "$DIR" --seconds 14 --ready-file "$DIR/w2.ready" > "$DIR/w2.json" &
wpid=$!
for _ in $(seq 50); do [ -e "$DIR/w2.ready" ] && break; sleep 0.1; done
p=$($KUBECTL exec "$L" -- patronictl pause --wait 2>&1)
check "patronictl pause" sh -c "echo '$p' | grep -qi 'paused'"
$KUBECTL delete pod "$R" >/dev/null
for _ in $(seq 60); do
	[ "$($KUBECTL get pod "$R" -o jsonpath='{.status.phase}' 2>/dev/null)" = Running ] && break; sleep 0.25
done
sleep 5
check "paused: the restarted replica stays not Ready" [ "$(ready_of "$R")" = False ]
st=$(rest GET "$R" patroni)
check "paused: its Patroni says state stopped, pause true" \
	[ "$(echo "$st" | jq -r .state)" = stopped -a "$(echo "$st" | jq -r .pause)" = true ]
r=$($KUBECTL exec "$L" -- patronictl resume --wait 2>&1)
check "patronictl resume" sh -c "echo '$r' | grep -qi 'resumed'"
$KUBECTL wait --for=condition=Ready "pod/$R" --timeout=60s >/dev/null
check "after resume the replica becomes Ready" [ "$(ready_of "$R")" = True ]
wait $wpid; wrc=$?
cat "$DIR/w2.json"
gap2=$(jq -r .longest_gap_s "$DIR/w2.json")
check "pause/kill/resume: writer lost nothing and never stalled over 2 s (longest gap ${gap2}s)" \
	awk -v rc="$wrc" -v lost="$(jq -r .lost "$DIR/w2.json")" -v g="$gap2" 'BEGIN{exit !(rc == 0 && lost == "0" && g < 2)}'

# --- builds, image streams, oc tag's calls -------------------------------------------------
if [ -x tests/sandbox/build_check.sh ]; then
	check "buildconfig instantiate, build log follow, push, tag" bash tests/sandbox/build_check.sh "$DIR"
else
	bad "builds: tests/sandbox/build_check.sh missing"
fi

# --- Patroni through a misbehaving API: 5xx, latency, cut and expired watches -------------
"$SB" wait --dir "$DIR" --timeout 60 >/dev/null || bad "cluster healthy before the API faults"
L=$(leader)
tests/sandbox/writer --dir "$DIR" --seconds 15 --ready-file "$DIR/w3.ready" > "$DIR/w3.json" &
wpid=$!
for _ in $(seq 50); do [ -e "$DIR/w3.ready" ] && break; sleep 0.1; done
"$SB" fault --dir "$DIR" --api-5xx 15 --latency-ms 150 --watch-cut 3 --watch-410 4 >/dev/null
sleep 12
"$SB" fault --dir "$DIR" --clear >/dev/null
wait $wpid; wrc=$?
cat "$DIR/w3.json"
"$SB" wait --dir "$DIR" --timeout 60 >/dev/null
check "API faults: the cluster is healthy once they stop" [ $? = 0 ]
check "API faults: writer lost no acknowledged row" [ $wrc = 0 -a "$(jq -r .lost "$DIR/w3.json")" = 0 ]
echo "info: leader before the API faults $L, after $(leader)"

# --- resources -------------------------------------------------------------------------------
rss=$($PY - "$DIR" <<'PYEOF'
import os, sys
want = ("OPSPLAN_SANDBOX=" + sys.argv[1]).encode()
kb = 0
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            if want in open("/proc/%s/environ" % d, "rb").read().split(b"\0"):
                for line in open("/proc/%s/status" % d):
                    if line.startswith("VmRSS:"):
                        kb += int(line.split()[1])
        except OSError:
            pass
print(kb // 1024)
PYEOF
)
echo "measured: healthy 3-member cluster in ${t_up}s; replica replaced and Ready in ${t_repl}s;" \
     "switchover write gap ${gap_sw}s; RSS total ${rss} MiB (control plane + 3 pods)"

# --- down ---------------------------------------------------------------------------------
"$SB" down --dir "$DIR" >/dev/null 2>&1
check "down leaves no process of the sandbox running" [ -z "$(leftovers)" ]
check "down: status says not running" sh -c "! '$SB' status --dir '$DIR' >/dev/null"
exit $fail
