#!/usr/bin/env bash
# 36-ir-schema: the IR as the runtime meets it.  Every shipped plan
# (plans/*.yaml) and every corpus case that compiles clean is compiled; each
# IR must validate against schema/ir.schema.json (ajv, draft-07), compiling
# twice must give byte-identical output, the hash must be the sha256 of the
# file without its third line, and -o must write the same bytes.  Then the
# command-line contract: exit codes of compile/graph/explain, -p checks, the
# DOT rendering with Graphviz.
set -u
: "${OPSPLAN:?set OPSPLAN to the binary under test}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
AJV="$ROOT/tests/node_modules/.bin/ajv"
SCHEMA="$ROOT/schema/ir.schema.json"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "  ok   $1"; }
bad() { echo "  FAIL $1"; fails=$((fails + 1)); }

if [ ! -x "$AJV" ]; then
	echo "  FAIL ajv is not installed (make deps: npm install in tests/)"
	exit 1
fi

# A required parameter gets a plausible value (the default plan's example
# run); the rest keep their defaults.
value_for() {
	case $1 in
	postgres_version) echo 12 ;;
	build_config) echo patroni-pg12 ;;
	image_tag) echo v12-latest ;;
	*) echo patroni-001 ;;
	esac
}
params_for() {
	local f=$1 name
	"$OPSPLAN" compile "$f" 2>&1 >/dev/null |
		sed -n "s/.*parameter '\([a-z0-9_-]*\)' is required.*/\1/p" |
		while read -r name; do printf -- '-p %s=%s ' "$name" "$(value_for "$name")"; done
}

plans=()
for f in "$ROOT"/plans/*.yaml; do [ -e "$f" ] && plans+=("$f"); done
[ ${#plans[@]} -gt 0 ] || bad "no shipped plan in plans/ (plans/patroni-hotfix.yaml missing)"
for f in "$ROOT"/tests/compiler/cases/*.yaml; do
	e="${f%.yaml}.expected"
	[ -e "$e" ] && ! grep -qv '^\s*\(#.*\)\?$' "$e" && plans+=("$f")
done

n=0
cd "$ROOT"
for f in "${plans[@]}"; do
	rel=${f#"$ROOT"/}
	# shellcheck disable=SC2046
	p=$(params_for "$rel")
	# shellcheck disable=SC2086
	if ! "$OPSPLAN" compile "$rel" $p >"$T/a.json" 2>"$T/err"; then
		bad "$rel does not compile: $(head -1 "$T/err")"
		continue
	fi
	# shellcheck disable=SC2086
	"$OPSPLAN" compile "$rel" $p >"$T/b.json" 2>/dev/null
	# shellcheck disable=SC2086
	"$OPSPLAN" compile "$rel" $p -o "$T/c.json" 2>/dev/null
	cmp -s "$T/a.json" "$T/b.json" || bad "$rel: two compiles differ"
	cmp -s "$T/a.json" "$T/c.json" || bad "$rel: -o wrote different bytes"
	want=$(sed -n '3s/.*"sha256:\([0-9a-f]*\)".*/\1/p' "$T/a.json")
	got=$(sed 3d "$T/a.json" | sha256sum | cut -d' ' -f1)
	[ "$want" = "$got" ] || bad "$rel: hash $want is not sha256 of the IR without line 3 ($got)"
	cp "$T/a.json" "$T/ir-$n.json"
	n=$((n + 1))
done
if [ "$n" -gt 0 ]; then
	args=()
	for ((i = 0; i < n; i++)); do args+=(-d "$T/ir-$i.json"); done
	if "$AJV" validate --spec=draft7 -s "$SCHEMA" "${args[@]}" >"$T/ajv" 2>&1; then
		ok "$n IR documents valid against schema/ir.schema.json, deterministic, hashed"
	else
		bad "ajv rejected IR: $(grep -v ' valid$' "$T/ajv" | head -5)"
	fi
fi

# ---- the command line ---------------------------------------------------------
cd "$T"
cat >p.yaml <<'EOF'
opsplan: 1
name: t
params:
  cluster: {type: string, required: true, match: '^patroni-[0-9]+$'}
  wait: {type: duration, default: 90s}
  mode: {type: string, default: safe, enum: [safe, fast]}
steps:
  - id: healthy
    do: patroni.cluster
    with: {pod: "${{ params.cluster }}-0"}
EOF
expect_rc() {
	local want=$1 what=$2; shift 2
	"$OPSPLAN" "$@" >out 2>err
	local rc=$?
	if [ "$rc" = "$want" ]; then ok "$what"; else bad "$what: exit $rc, want $want ($(head -1 err))"; fi
}
expect_rc 0 "compile with -p" compile p.yaml -p cluster=patroni-001
grep -q '"value_ms": 90000' out && ok "duration default in ms" || bad "duration default in ms"
grep -q '"value": 90,' out && ok "duration value in seconds" || bad "duration value in seconds"
expect_rc 1 "missing required param" compile p.yaml
grep -q 'OP150' err && ok "OP150 reported" || bad "OP150 reported"
expect_rc 1 "param not matching its match:" compile p.yaml -p cluster=mysql
grep -q 'OP152' err && ok "OP152 reported" || bad "OP152 reported"
expect_rc 1 "param outside its enum" compile p.yaml -p cluster=patroni-1 -p mode=reckless
grep -q 'OP154' err && ok "OP154 reported" || bad "OP154 reported"
expect_rc 1 "unknown param" compile p.yaml -p cluster=patroni-1 -p clustr=x
grep -q "did you mean 'cluster'" err && ok "unknown param suggests" || bad "unknown param suggests"
expect_rc 1 "duration param malformed" compile p.yaml -p cluster=patroni-1 -p wait=soon
expect_rc 2 "unreadable plan" compile nope.yaml
expect_rc 2 "unknown option" compile p.yaml --frobnicate
expect_rc 2 "no plan given" compile
expect_rc 0 "graph needs no params" graph p.yaml
grep -q '^digraph' out && ok "graph prints DOT" || bad "graph prints DOT"
if command -v dot >/dev/null; then
	dot -Tsvg out >g.svg 2>dot.err && ok "DOT renders with Graphviz" || bad "DOT renders: $(head -1 dot.err)"
	for f in "$ROOT"/plans/*.yaml; do
		[ -e "$f" ] || continue
		if "$OPSPLAN" graph "$f" >plan.dot 2>err && dot -Tsvg plan.dot >plan.svg 2>dot.err; then
			ok "graph of ${f#"$ROOT"/} renders"
		else
			bad "graph of ${f#"$ROOT"/}: $(head -1 err) $(head -1 dot.err)"
		fi
	done
else
	bad "Graphviz dot is not installed (make deps)"
fi
expect_rc 0 "graph --format mermaid" graph p.yaml --format mermaid
grep -q '^flowchart TD' out && ok "mermaid output" || bad "mermaid output"
expect_rc 2 "graph --format bad" graph p.yaml --format png
expect_rc 0 "explain" explain p.yaml -p cluster=patroni-7
grep -q 'patroni-7' out && grep -q 'worst case' out && ok "explain shows params and bounds" || bad "explain shows params and bounds"
expect_rc 0 "explain --assume typical" explain p.yaml --assume typical
grep -q 'about' out && ok "typical durations" || bad "typical durations"
expect_rc 2 "explain --assume bad" explain p.yaml --assume lucky
sed 's/patroni.cluster/patroni.clustr/' p.yaml >broken.yaml
expect_rc 1 "compile of a broken plan" compile broken.yaml -p cluster=patroni-1
[ ! -s out ] && ok "no IR for a broken plan" || bad "no IR for a broken plan"

[ "$fails" -eq 0 ]
