#!/usr/bin/env bash
# 37-proofs: what the compiler proves, shown on the default plan itself (the
# corpus has the small cases): the plan lints clean; without its
# patroni.resume steps it fails with a bracket error naming the pause step;
# a typo in a result field gets "did you mean"; an invalid regex fails at its
# column; a needs cycle is named; a too-narrow window names the step.
set -u
: "${OPSPLAN:?set OPSPLAN to the binary under test}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PLAN="$ROOT/plans/patroni-hotfix.yaml"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "  ok   $1"; }
bad() { echo "  FAIL $1"; fails=$((fails + 1)); }

if [ ! -f "$PLAN" ]; then
	echo "  FAIL plans/patroni-hotfix.yaml is missing"
	exit 1
fi
cd "$T"
cp "$PLAN" plan.yaml

# lint FILE: stdout+stderr in out, status in rc
lint() { "$OPSPLAN" lint "$1" >out 2>&1; rc=$?; }

lint plan.yaml
[ "$rc" = 0 ] && ok "the default plan lints clean" || bad "the default plan: exit $rc: $(head -3 out)"

# Every step whose do: is patroni.resume goes, with its whole block.
python3 - <<'EOF'
import re
lines = open('plan.yaml').read().split('\n')
out, i = [], 0
while i < len(lines):
    m = re.match(r'^(\s*)- id: ', lines[i])
    if m:
        ind = len(m.group(1))
        j = i + 1
        while j < len(lines) and not re.match(r'^\s{0,%d}\S' % ind, lines[j]):
            j += 1
        if any('do: patroni.resume' in l for l in lines[i:j]):
            i = j
            continue
    out.append(lines[i])
    i += 1
text = '\n'.join(out)
if re.search(r'^finally:\s*$(?!\n\s)', text, re.M):
    text = re.sub(r'^finally:\s*\n?(?=\S|\Z)', '', text, flags=re.M)
open('noresume.yaml', 'w').write(text)
EOF
grep -q 'patroni.resume' noresume.yaml && bad "could not remove the resume steps"
pause_line=$(grep -n 'do: patroni.pause' noresume.yaml | head -1 | cut -d: -f1)
lint noresume.yaml
if [ "$rc" = 1 ] && grep -qE "^noresume.yaml:$pause_line:[0-9]+: error\[OP085\]: step 'pause' opens 'maintenance'" out; then
	ok "without resume: OP085 at the pause step (line $pause_line)"
else
	bad "without resume: exit $rc, $(grep OP085 out | head -1)"
fi

sed 's/max(result.members\[\*\].lag_mb)/max(result.members[*].lagg)/' plan.yaml >lagg.yaml
lint lagg.yaml
if [ "$rc" = 1 ] && grep -q "unknown field 'lagg'" out && grep -q "did you mean 'lag'" out; then
	ok "a result field typo: did you mean 'lag'"
else
	bad "lagg: exit $rc, $(grep -A3 lagg out | head -4)"
fi

# an invalid regex in the first expect: the error points inside the pattern
sed '0,/      - that: max(result.members\[\*\].lag_mb)/s//      - that: result.scope =~ "patroni-(" \&\& max(result.members[*].lag_mb)/' plan.yaml >regex.yaml
line=$(grep -n 'result.scope =~ "patroni-("' regex.yaml | cut -d: -f1)
col=$(awk -v l="$line" 'NR == l { print index($0, "patroni-(") + length("patroni-(") }' regex.yaml)
lint regex.yaml
if [ "$rc" = 1 ] && grep -qE "^regex.yaml:$line:$col: error\[OP056\]" out; then
	ok "an invalid regex fails at its column ($line:$col)"
else
	bad "regex: exit $rc, want $line:$col, got $(grep OP056 out | head -1)"
fi

# pause needs resume, which (through the sequence) needs pause
awk '/^  - id: pause$/ { print; print "    needs: [tag]"; next } /^  - id: tag$/ { print; print "    needs: [pause]"; next } { print }' plan.yaml >cycle.yaml
lint cycle.yaml
if [ "$rc" = 1 ] && grep -q "error\[OP081\]: needs cycle: 'pause' -> 'tag' -> 'pause'" out; then
	ok "a needs cycle is named"
else
	bad "cycle: exit $rc, $(grep OP081 out | head -1)"
fi

# the replica window is a parameter: a value the worst case exceeds is
# refused when the plan is compiled with it, naming the step
"$OPSPLAN" compile plan.yaml -p cluster=c -p build_config=b -p replica_window=1m -o /dev/null >out 2>&1; rc=$?
if [ "$rc" = 1 ] && grep -q "error\[OP086\]: window 1m of step 'upgrade-replicas'" out; then
	ok "a window the worst case exceeds (-p replica_window=1m) names the step"
else
	bad "window: exit $rc, $(grep OP086 out | head -1)"
fi
"$OPSPLAN" compile plan.yaml -p cluster=c -p build_config=b -p replica_window=15m -o /dev/null >out 2>&1; rc=$?
if [ "$rc" = 0 ]; then
	ok "a window wide enough (-p replica_window=15m) compiles"
else
	bad "wide window: exit $rc, $(head -3 out)"
fi

[ "$fails" -eq 0 ]
