#!/usr/bin/env bash
# Suite 40-kube-client: the kube client (runtime/kube_*.c, driven by the smoke
# mode of build/tests/test_kube_http) against the sandbox API server with a
# real Patroni pod: list+watch, the pod proxy to Patroni's REST API, exec over
# WebSocket -- first clean, then under each API fault the sandbox injects.
# The fault-by-fault recovery logic itself is pinned down by test_kube_http
# against tests/runtime/kube_test_server.py; this suite proves it against the
# server the executor will use.
set -u
cd "$(dirname "$0")/../.."
if [ "${SAN:-0}" = 1 ]; then B=build-san; else B=build; fi
T=${KUBE_SMOKE:-$B/tests/test_kube_http}   # KUBE_SMOKE: a prebuilt binary
SB=tests/sandbox/sandbox
[ -n "${KUBE_SMOKE:-}" ] || make -s SAN="${SAN:-0}" "$T" >/dev/null 2>&1 ||
	{ echo "FAIL cannot build $T"; exit 1; }
DIR=$(mktemp -d /tmp/opsplan-sb40.XXXXXX)
trap '"$SB" down --dir "$DIR" >/dev/null 2>&1; rm -rf "$DIR"' EXIT
fail=0
ok()  { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

# Hostile kubeconfigs, before any cluster: kube_config.c reads through the
# plan loader (compiler/yaml_load.c) and its budgets, so an alias bomb, a
# 10,000-deep nesting and a 100 MB file each fail in well under a second with
# a located message ('FILE':LINE:COL:) and exit 2 (a usage error, not an
# unreachable cluster).  Before, a 451-byte bomb took 38 s and 4.9 GB.  The
# memory cap (not under ASan, which reserves terabytes of shadow) turns a
# regression into a quick failure instead of a swapping machine.
OPSPLAN=${OPSPLAN:-$PWD/bin/opsplan}
{
	echo 'apiVersion: v1'
	echo 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'
	for i in 1 2 3 4 5 6 7 8; do
		printf 'a%d: &a%d [' "$i" "$i"
		for k in 1 2 3 4 5 6 7 8; do printf '*a%d, ' $((i - 1)); done
		printf '*a%d]\n' $((i - 1))
	done
	echo 'clusters: [*a8]'
} > "$DIR/bomb.kubeconfig"
python3 -c 'print("clusters: " + "[" * 10000 + "]" * 10000)' > "$DIR/deep.kubeconfig"
python3 - "$DIR/big.kubeconfig" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("apiVersion: v1\nclusters:\n")
    n = 0
    while f.tell() < 100 << 20:
        f.write("- name: c%d\n  cluster: {server: 'https://c%d.example'}\n" % (n, n))
        n += 1
PY
while IFS='|' read -r name file want; do
	start=$(date +%s%N)
	( [ "${SAN:-0}" = 1 ] || ulimit -v 2000000; "$OPSPLAN" run tests/executor/read-only.yaml -p cluster=x --kubeconfig "$DIR/$file" \
		--dry-run --yes >"$DIR/hostile.out" 2>"$DIR/hostile.err")
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	if [ $rc -eq 2 ] && [ $ms -lt 1000 ] &&
	   grep -q "^opsplan run: '$DIR/$file':[0-9]*:[0-9]*: $want" "$DIR/hostile.err"; then
		ok "$name: exit 2 in $ms ms: $(sed 's/^opsplan run: //' "$DIR/hostile.err" | head -1)"
	else
		bad "$name: exit $rc in $ms ms (want exit 2, under 1000 ms, a located '$want')"
		sed 's/^/    /' "$DIR/hostile.err" | head -5
	fi
done <<'CASES'
kubeconfig alias bomb (9 anchors of 9 aliases: 9^9 nodes)|bomb.kubeconfig|the document expands to more than
kubeconfig nested 10,000 deep|deep.kubeconfig|nesting deeper than 64 levels
kubeconfig of 100 MB|big.kubeconfig|'.*' is larger than 4194304 bytes
CASES
rm -f "$DIR/big.kubeconfig"

# Connection errors, before any sandbox, against tests/runtime/kube_test_server.py
# and its two stalled ports: each says what is wrong, with the exit code the
# README promises.  A stalled server (TCP accepted and never answered: 52 s
# before; TLS completed and never answered: 152 s before) now fails in two
# tries of a few seconds, with one "retrying" line, in under 15 s.
CERTS="$DIR/certs"
sh tests/runtime/mkcerts.sh "$CERTS" || { echo "FAIL mkcerts"; exit 1; }
echo right-token-40 > "$CERTS/tokens"
/usr/bin/python3 tests/runtime/kube_test_server.py "$CERTS" >/dev/null 2>&1 &
KTS=$!
trap 'kill $KTS 2>/dev/null; "$SB" down --dir "$DIR" >/dev/null 2>&1; rm -rf "$DIR"' EXIT
for _ in $(seq 50); do [ -s "$CERTS/port" ] && break; sleep 0.1; done
kc() {   # kc NAME PORTFILE TOKEN: a kubeconfig for the test server
	cat > "$DIR/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
current-context: ctx-40
clusters:
- name: c40
  cluster: {server: "https://127.0.0.1:$(cat "$CERTS/$2")", certificate-authority: "$CERTS/ca.crt"}
users:
- name: alice
  user: {token: "$3"}
contexts:
- name: ctx-40
  context: {cluster: c40, user: alice, namespace: demo}
EOF
}
kc wrongtoken port wrong-token-40-secret
kc stalltcp port-stall-tcp right-token-40
kc stalltls port-stall-tls right-token-40
printf 'clusters: [\n' > "$DIR/malformed.kubeconfig"
while IFS='|' read -r name args want_rc max_ms want; do
	start=$(date +%s%N)
	# shellcheck disable=SC2086
	"$OPSPLAN" run tests/executor/read-only.yaml -p cluster=x $args --dry-run --yes \
		>"$DIR/conn.out" 2>"$DIR/conn.err"
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	if [ $rc -eq "$want_rc" ] && [ $ms -lt "$max_ms" ] && grep -Eq "$want" "$DIR/conn.err" &&
	   ! grep -q 'cannot use namespace' "$DIR/conn.err" && ! grep -q 'wrong-token-40' "$DIR/conn.err"; then
		ok "$name: exit $rc in $ms ms: $(tail -1 "$DIR/conn.err" | sed 's/^opsplan run: //')"
	else
		bad "$name: exit $rc in $ms ms (want exit $want_rc, under $max_ms ms, /$want/)"
		sed 's/^/    /' "$DIR/conn.err" | head -5
	fi
done <<CASES
wrong token|--kubeconfig $DIR/wrongtoken.kubeconfig|3|5000|^opsplan run: the credential of user 'alice' in context 'ctx-40' \(token\) was rejected by https://127.0.0.1:[0-9]+ \(401 Unauthorized\)$
stalled server, TCP accepted, never answered|--kubeconfig $DIR/stalltcp.kubeconfig|3|15000|^opsplan: https://127.0.0.1:[0-9]+ accepted the connection but did not complete TLS within 5 s \(GET '/api/v1/namespaces/demo'\); retrying$
stalled server, TLS completed, never answered|--kubeconfig $DIR/stalltls.kubeconfig|3|15000|^opsplan run: https://127.0.0.1:[0-9]+ completed TLS: GET '/api/v1/namespaces/demo', but no reply came within 5 s \(2 attempts\)$
missing kubeconfig|--kubeconfig $DIR/no-such.kubeconfig|2|1000|^opsplan run: cannot read '$DIR/no-such.kubeconfig': No such file or directory$
unknown context|--kubeconfig $DIR/wrongtoken.kubeconfig --context nope|2|1000|^opsplan run: context 'nope' not found in '$DIR/wrongtoken.kubeconfig'$
malformed kubeconfig|--kubeconfig $DIR/malformed.kubeconfig|2|1000|^opsplan run: '$DIR/malformed.kubeconfig':[0-9]+:[0-9]+: 
CASES
for f in stalltcp stalltls; do   # exactly one retrying line each
	"$OPSPLAN" run tests/executor/read-only.yaml -p cluster=x --kubeconfig "$DIR/$f.kubeconfig" \
		--dry-run --yes >/dev/null 2>"$DIR/conn.err"
	n=$(grep -c '; retrying$' "$DIR/conn.err")
	[ "$n" = 1 ] && ok "$f: one 'retrying' line" || { bad "$f: $n 'retrying' lines"; sed 's/^/    /' "$DIR/conn.err"; }
done
kill $KTS 2>/dev/null

KC=$("$SB" up --dir "$DIR" --members 1 2>/dev/null | tail -1)
[ -f "$KC" ] || { echo "FAIL sandbox did not start"; exit 1; }
POD=patroni-001-0

# fault options -> what must still hold
while IFS='|' read -r name opts; do
	"$SB" fault --dir "$DIR" --clear >/dev/null 2>&1
	# shellcheck disable=SC2086
	[ -z "$opts" ] || "$SB" fault --dir "$DIR" $opts >/dev/null 2>&1 || bad "$name: cannot inject '$opts'"
	start=$(date +%s%N)
	out=$("$T" --kubeconfig "$KC" --watch-ms 2500 --proxy "$POD" --exec "$POD" 2>&1)
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	if [ $rc -eq 0 ] && grep -q "^LISTED *$POD" <<<"$out" && grep -q '^watch ok:' <<<"$out" &&
	   grep -q "^proxy $POD: HTTP 200 role=master" <<<"$out" &&
	   grep -q "^exec $POD: exit 7 stdout=exec-ok" <<<"$out" && grep -q "stderr=to-stderr" <<<"$out"; then
		ok "$name (${ms} ms): $(grep '^watch ok' <<<"$out" | cut -d: -f2-)"
	else
		bad "$name"; sed 's/^/    /' <<<"$out"
	fi
	if [ "$name" = watch-cut ] && ! grep -Eq 'watch ok: .* [1-9][0-9]* resumes' <<<"$out"; then
		bad "watch-cut: the cut stream was not resumed"
	fi
done <<'CASES'
clean|
api-503 x2|--api-5xx 2
api-500 x2|--api-5xx 2 --code 500
api-429 x2, Retry-After 1|--api-429 2 --retry-after 1
dropped connections x2|--drop 2
watch-410 x1|--watch-410 1
watch-cut|--watch-cut 0.7
compacted history|--compact
latency 200 ms|--latency-ms 200
CASES
"$SB" fault --dir "$DIR" --clear >/dev/null 2>&1

# a bad token is an auth error with a readable message and no token in it
sed -e 's/^\( *token: \).*/\1not-the-token-0123456789/' \
    -e 's/"token": *"[^"]*"/"token": "not-the-token-0123456789"/' "$KC" > "$DIR/badtoken.yaml"
out=$("$T" --kubeconfig "$DIR/badtoken.yaml" --watch-ms 500 2>&1)
if [ $? -ne 0 ] && grep -q 'auth error' <<<"$out" && ! grep -q 'not-the-token' <<<"$out"; then
	ok "bad token: $(grep 'auth error' <<<"$out")"
else
	bad "bad token"; sed 's/^/    /' <<<"$out"
fi
# the same through `opsplan run`: the user and context are named, not the namespace
"$OPSPLAN" run tests/executor/read-only.yaml -p cluster=x --kubeconfig "$DIR/badtoken.yaml" \
	--dry-run --yes >/dev/null 2>"$DIR/bad.err"
rc=$?
if [ $rc -eq 3 ] && grep -Eq "^opsplan run: the credential of user '[^']+' in context '[^']+' \(token\) was rejected by https?://" "$DIR/bad.err" &&
   ! grep -q 'not-the-token\|cannot use namespace' "$DIR/bad.err"; then
	ok "bad token, opsplan run: exit 3: $(sed 's/^opsplan run: //' "$DIR/bad.err")"
else
	bad "bad token, opsplan run: exit $rc"; sed 's/^/    /' "$DIR/bad.err"
fi
exit $fail
