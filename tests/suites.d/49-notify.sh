#!/usr/bin/env bash
# Suite 49-notify: the http and notify actions and an outcome-aware finally
# (issue 15), without a sandbox: the plan has no cluster action, and `opsplan
# run` only needs a namespace it can see, which tests/runtime/kube_test_server.py
# serves.  A local webhook (tests/notify/hook_server.py, 127.0.0.1, a free
# port) records every POST.
#
#   - tests/notify/failing.yaml: an http GET retried through a 503, an http
#     404 accepted by expect, a step that fails; finally notifies once with
#     run.status and the failed step's status: exactly one POST, the expected
#     JSON, Content-Type application/json; the run exits 1
#   - the webhook URL (a sensitive param) appears in no output or journal
#   - tests/notify/post-retry.yaml: a POST answered 503 is sent again by retry:
#   - --dry-run sends nothing
set -u
cd "$(dirname "$0")/../.."
: "${OPSPLAN:?set OPSPLAN to the binary under test}"
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skip: no $PY"; exit 77; }
DIR=${KEEP49:-$(mktemp -d /tmp/opsplan-49.XXXXXX)}
fail=0
ok()   { echo "ok   $*"; }
bad()  { echo "FAIL $*"; fail=1; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; [ -n "${KEEP49:-}" ] || rm -rf "$DIR"; }
trap cleanup EXIT

CERTS=$DIR/certs
sh tests/runtime/mkcerts.sh "$CERTS" >/dev/null 2>&1 || { echo "FAIL mkcerts"; exit 1; }
echo token-49-abcdef > "$CERTS/tokens"
$PY tests/runtime/kube_test_server.py "$CERTS" >/dev/null 2>&1 &
PIDS="$PIDS $!"
mkdir -p "$DIR/hook"
$PY tests/notify/hook_server.py "$DIR/hook" >/dev/null 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 100); do [ -s "$CERTS/port" ] && [ -s "$DIR/hook/port" ] && break; sleep 0.1; done
[ -s "$CERTS/port" ] && [ -s "$DIR/hook/port" ] || { echo "FAIL the test servers did not start"; exit 1; }
cat > "$DIR/kubeconfig" <<KC
apiVersion: v1
kind: Config
current-context: c49
clusters:
- name: c49
  cluster: {server: "https://127.0.0.1:$(cat "$CERTS/port")", certificate-authority: "$CERTS/ca.crt"}
users:
- name: u49
  user: {token: "token-49-abcdef"}
contexts:
- name: c49
  context: {cluster: c49, user: u49, namespace: ns49}
KC
HP=$(cat "$DIR/hook/port")
SECRET=hook-path-s3cr3t-49
HOOK="http://127.0.0.1:$HP/$SECRET"
API="http://127.0.0.1:$HP"
J=$DIR/journal

# --- --dry-run: nothing is posted ----------------------------------------------------
"$OPSPLAN" run tests/notify/failing.yaml -p "hook=$HOOK" -p "api=$API" -p flaky=dry --dry-run --yes \
	--kubeconfig "$DIR/kubeconfig" --journal "$J" </dev/null >"$DIR/dry.out" 2>"$DIR/dry.err"
check "--dry-run: the webhook got no POST" [ ! -e "$DIR/hook/posts.jsonl" ]
check "--dry-run: the expect does not fail it: finally would notify 'all good'" grep -q "would notify: all good" "$DIR/dry.err"

# --- a failing run notifies once from finally -------------------------------------------
"$OPSPLAN" run tests/notify/failing.yaml -p "hook=$HOOK" -p "api=$API" -p flaky=live --yes \
	--kubeconfig "$DIR/kubeconfig" --journal "$J" </dev/null >"$DIR/run.out" 2>"$DIR/run.err"
rc=$?
check "the failing run exits 1" [ $rc = 1 ]
check "the webhook got exactly one POST, with the expected JSON" $PY - "$DIR/hook/posts.jsonl" "/$SECRET" <<'PYEOF'
import json, sys
posts = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ok = (len(posts) == 1 and posts[0]["path"] == sys.argv[2]
      and posts[0]["content_type"] == "application/json"
      and json.loads(posts[0]["body"]) == {"text": "run failed: migrate failed, after "})
if not ok:
    print("    posts: %r" % posts)
sys.exit(0 if ok else 1)
PYEOF
JF=$(ls -t "$J"/*.jsonl | head -n 1)
check "probe: the 503 was retried (2 attempts), then expect held" $PY - "$JF" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ends = {r["data"]["step"]: r["data"] for r in recs if r["kind"] == "step-end"}
ok = (ends["probe"]["status"] == "ok" and ends["check"]["status"] == "ok" and ends["migrate"]["status"] == "failed"
      and ends["tell"]["status"] == "ok" and ends["fine"]["status"] == "skipped" and "after" not in ends)
if not ok or ends["probe"]["attempts"] != 2:
    print("    ends: %r, probe attempts: %r" % ({k: v["status"] for k, v in ends.items()}, ends["probe"].get("attempts")))
    sys.exit(1)
PYEOF
check "the webhook URL appears in no output or journal" \
	sh -c "! grep -rq '$SECRET' '$DIR/run.out' '$DIR/run.err' '$DIR/dry.out' '$DIR/dry.err' '$J'"
check "the notify intent is journaled before the POST" grep -q '"kind":"intent"' "$JF"

# --- a POST answered 503 is retried by the plan's retry --------------------------------
"$OPSPLAN" run tests/notify/post-retry.yaml -p "api=$API" --yes \
	--kubeconfig "$DIR/kubeconfig" --journal "$J" </dev/null >"$DIR/post.out" 2>"$DIR/post.err"
check "POST retried after a 503: exit 0" [ $? = 0 ]
check "the server saw the POST twice, with the JSON body" $PY - "$DIR/hook/posts.jsonl" <<'PYEOF'
import json, sys
posts = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
hold = [p for p in posts if p["path"] == "/flaky/hold"]
sys.exit(0 if len(hold) == 2 and all(json.loads(p["body"]) == {"hold": True, "minutes": 30} for p in hold) else 1)
PYEOF
exit $fail
