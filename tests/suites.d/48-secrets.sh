#!/usr/bin/env bash
# Suite 48-secrets: sensitive parameters never leave the process (issue 12).
#
#   tests/executor/secrets.yaml takes four sensitive values: -p, -p @FILE,
#   --params-file and a Secret in the sandbox; each goes into a log message,
#   an exec argv (the pod echoes it back, and its base64), a gate prompt and,
#   in the failing run, a Patroni request.  A full run, a failing run, a dry
#   run, a run stopped at its gate and resumed (the values given again, a
#   wrong one refused): every byte of stdout, stderr, the journal folder
#   (journals and IR copies), the md/json/text/html reports and a compiled IR is
#   searched for the values, their upper/lower case and their JSON-escaped,
#   URL-encoded and base64 forms (tests/executor/secrets_leak.py): zero hits.
#   The same for the sandbox's bearer token after a run of the default plan
#   (dry run: the full plan, every request body) with --output json.
#   A step named 'secret' keeps its status line; plan text is not redacted;
#   rbac lists get secrets for exactly the Secret named.
set -u
cd "$(dirname "$0")/../.."
: "${OPSPLAN:?set OPSPLAN to the binary under test}"
SB=tests/sandbox/sandbox
PY=/usr/bin/python3
DIR=$(mktemp -d /tmp/opsplan-sec48.XXXXXX)
chmod 755 "$DIR"
J=$DIR/journal
OUT=$DIR/out
mkdir -p "$OUT"
NS=demo
PLAN=tests/executor/secrets.yaml
fail=0
ok()   { echo "ok   $*"; }
bad()  { echo "FAIL $*"; fail=1; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
SBX=${OPSPLAN_SANDBOX_DIR:-$DIR/sbx}
cleanup() { [ -n "${OPSPLAN_SANDBOX_DIR:-}" ] || "$SB" down --dir "$SBX" >/dev/null 2>&1; [ -n "${KEEP:-}" ] || rm -rf "$DIR"; }
trap cleanup EXIT

PW_CLI='cli-S3cr3t "q"/x+y'
PW_FILE='file-S3cr3t&z=1'
PW_PF='pf-S3cr3t%40home'
PW_SEC='sec-S3cr3t value'
printf '%s\n' "$PW_CLI" "$PW_FILE" "$PW_PF" "$PW_SEC" > "$DIR/values"
printf '%s\n' "$PW_FILE" > "$DIR/pwfile"
printf 'pw_pf: "%s"\ncluster: patroni-001\n' "$PW_PF" > "$DIR/pf.yaml"
leak() { $PY tests/executor/secrets_leak.py "$@"; }

# --- without a cluster ------------------------------------------------------------
"$OPSPLAN" compile "$PLAN" -p "pw_cli=$PW_CLI" -p "pw_file=@$DIR/pwfile" --params-file "$DIR/pf.yaml" \
	-o "$OUT/plan.ir.json" 2>"$OUT/compile.err"
check "compile with -p, @file, --params-file: exit 0" [ $? = 0 ]
check "the IR marks the sensitive params and keeps a salted digest" $PY - "$OUT/plan.ir.json" <<'PYEOF'
import json, sys
ps = {p["name"]: p for p in json.load(open(sys.argv[1]))["params"]}
ok = all(ps[n]["sensitive"] and ps[n]["value"] is None and ps[n]["digest"].startswith("pbkdf2-sha256$")
         for n in ("pw_cli", "pw_file", "pw_pf"))
ok = ok and ps["pw_secret"]["secret"] == {"name": "opsplan-test", "key": "password"} and ps["pw_secret"]["value"] is None
sys.exit(0 if ok else 1)
PYEOF
"$OPSPLAN" explain "$PLAN" -p "pw_cli=$PW_CLI" -p "pw_file=@$DIR/pwfile" --params-file "$DIR/pf.yaml" \
	> "$OUT/explain.txt" 2>&1
check "explain says sensitive, not the value" grep -q "pw_cli .*(sensitive: given, not shown)" "$OUT/explain.txt"
"$OPSPLAN" compile "$PLAN" -p "pw_clu=$PW_CLI" >/dev/null 2>"$OUT/typo.err"
check "a mistyped -p name: the message has the name, not the value" \
	sh -c "grep -q \"pw_clu=...\" '$OUT/typo.err' && grep -q \"did you mean 'pw_cli'\" '$OUT/typo.err'"
"$OPSPLAN" rbac "$PLAN" > "$OUT/rbac.yaml"
check "rbac: get on secrets, resourceNames exactly [opsplan-test]" $PY - "$OUT/rbac.yaml" <<'PYEOF'
import sys
t = open(sys.argv[1]).read()
sys.exit(0 if '    resources: ["secrets"]\n    resourceNames: ["opsplan-test"]\n    verbs: ["get"]' in t else 1)
PYEOF
"$OPSPLAN" lint tests/compiler/cases/safety-sensitive-printed.yaml > "$OUT/lint.txt" 2>&1
check "lint: OP104 at the reference's line:col" grep -q "safety-sensitive-printed.yaml:12:33: warning\[OP104\]" "$OUT/lint.txt"

# --- the sandbox --------------------------------------------------------------------
KC=$("$SB" up --dir "$SBX" 2>"$OUT/sandbox.err" | tail -n 1)
if [ -z "$KC" ] || [ ! -f "$KC" ]; then
	bad "sandbox up"; tail -5 "$OUT/sandbox.err"; exit 1
fi
export KUBECONFIG=$KC
kubectl -n $NS create secret generic opsplan-test --from-literal=password="$PW_SEC" >/dev/null
run() { "$OPSPLAN" run "$PLAN" -n $NS --journal "$J" -p "pw_cli=$PW_CLI" -p "pw_file=@$DIR/pwfile" \
		--params-file "$DIR/pf.yaml" "$@" </dev/null; }
last_run() { ls -t "$J"/*.jsonl 2>/dev/null | head -n 1; }

run --yes --report "$OUT/full.md" >"$OUT/full.out" 2>"$OUT/full.err"
check "full run: exit 0" [ $? = 0 ]
FULL=$(last_run)
check "the exec ran and its echo was kept, redacted" \
	$PY -c "import json,sys; r=[json.loads(l) for l in open('$FULL')]; e=[x for x in r if x['kind']=='step-end' and x['data']['step']=='exec'][-1]['data']; sys.exit(0 if e['status']=='ok' and '[redacted] [redacted] [redacted] [redacted]' in json.dumps(e) else 1)"
check "a step named 'secret' keeps its status line" grep -q "ok   secret: ok in" "$OUT/full.err"
check "plan text that is not a value is kept (title with 'token:', 'secret=', 'password ==')" \
	grep -q '"title":"Keep the token: secret=plan text, password == nothing"' "$FULL"
"$OPSPLAN" runs show "$(basename "$FULL" .jsonl)" --journal "$J" --report json > "$OUT/full.json" 2>&1
"$OPSPLAN" runs show "$(basename "$FULL" .jsonl)" --journal "$J" > "$OUT/full.txt" 2>&1
"$OPSPLAN" runs show "$(basename "$FULL" .jsonl)" --journal "$J" --report html > "$OUT/full.html" 2>&1

run --yes -p fail=true --output json >"$OUT/fail.out" 2>"$OUT/fail.err"
check "failing run (a Patroni restart of a member named by the values): exit 1" [ $? = 1 ]
check "the failing run reached Patroni with the values (pod proxy path) and the echo is redacted" \
	grep -q 'GET /patroni on pod .*\[redacted\]-\[redacted\].*not found' "$OUT/fail.out"

run --yes --dry-run -p fail=true --report "$OUT/dry.json" >"$OUT/dry.out" 2>"$OUT/dry.err"
check "dry run: exit 0 or 1" [ $? -le 1 ]

run >"$OUT/stop.out" 2>"$OUT/stop.err"
check "no terminal, no --yes: stopped at the gate, exit 4" [ $? = 4 ]
STOP=$(basename "$(last_run)" .jsonl)
check "the printed resume command asks for the sensitive values again" \
	grep -q -- "-p pw_cli=@FILE -p pw_file=@FILE -p pw_pf=@FILE" "$OUT/stop.err"
"$OPSPLAN" run --resume "$STOP" --journal "$J" --yes </dev/null >"$OUT/res0.out" 2>"$OUT/res0.err"
check "resume without the values: exit 2, names what to give" \
	sh -c "[ $? = 2 ] && grep -q \"sensitive param 'pw_cli' is kept nowhere\" '$OUT/res0.err'"
"$OPSPLAN" run --resume "$STOP" --journal "$J" --yes -p "pw_cli=not-the-value" -p "pw_file=@$DIR/pwfile" \
	--params-file "$DIR/pf.yaml" </dev/null >"$OUT/res1.out" 2>"$OUT/res1.err"
check "resume with another value: refused (exit 2), its digest differs" \
	sh -c "[ $? = 2 ] && grep -q 'digest differs' '$OUT/res1.err' && ! grep -q not-the-value '$OUT/res1.err'"
"$OPSPLAN" run --resume "$STOP" --journal "$J" --yes -p cluster=other -p "pw_cli=$PW_CLI" </dev/null \
	>/dev/null 2>"$OUT/res2.err"
check "resume with a non-sensitive -p: refused (exit 2)" [ $? = 2 ]
"$OPSPLAN" run --resume "$STOP" --journal "$J" --yes -p "pw_cli=$PW_CLI" -p "pw_file=@$DIR/pwfile" \
	--params-file "$DIR/pf.yaml" --report "$OUT/resumed.md" </dev/null >"$OUT/res.out" 2>"$OUT/res.err"
check "resume with the values again (the Secret read again): exit 0" [ $? = 0 ]
check "the resumed run evaluated the gate prompt with every value redacted" \
	grep -q "go on with \[redacted\] / \[redacted\] / \[redacted\] / \[redacted\]" "$OUT/res.err"

check "zero hits for the values and their encodings in stdout, stderr, journals, IRs, reports" \
	leak "$DIR/values" "$OUT" "$J"

# --- the bearer token, default plan, --output json --------------------------------------
TOKEN=$(cat "$SBX/token")
printf '%s\n' "$TOKEN" > "$DIR/token"
SBXP="-p version_annotation=sandbox.opsplan.io/image-patroni-version"
"$OPSPLAN" run --journal "$DIR/jt" -n $NS -p cluster=patroni-001 $SBXP --dry-run --yes --output json \
	--report "$OUT/tok.md" </dev/null >"$OUT/tok.out" 2>"$OUT/tok.err"
check "default plan (dry run, every request) with --output json: exit 0" [ $? = 0 ]
"$OPSPLAN" run --journal "$DIR/jt" -n $NS -p cluster=patroni-001 $SBXP --yes --output json \
	--report "$OUT/tok2.json" plans/patroni-hotfix.yaml </dev/null >"$OUT/tok2.out" 2>"$OUT/tok2.err"
rc=$?
check "default plan, full run with --output json: exit 0" [ $rc = 0 ]
check "zero hits for the bearer token and its encodings" leak "$DIR/token" "$OUT" "$DIR/jt" "$J"

echo "48-secrets: $([ $fail = 0 ] && echo ok || echo FAILED)"
exit $fail
