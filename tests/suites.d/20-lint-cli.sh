#!/usr/bin/env bash
# 20-lint-cli: `opsplan lint` as a user meets it: exit codes, the four
# formats, directory recursion, colour and NO_COLOR, and hostile input made
# at test time (each must end in under a second with a located error, exit 1
# or 2, and no sanitizer report; under SAN=1 $OPSPLAN is the sanitized build).
set -u
: "${OPSPLAN:?set OPSPLAN to the binary under test}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
fails=0
ok() { echo "  ok   $1"; }
bad() { echo "  FAIL $1"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# run ARGS...: stdout in out, stderr in err, status in rc, wall ms in ms
run() {
	local t0 t1
	t0=$(date +%s%N)
	"$OPSPLAN" "$@" >out 2>err
	rc=$?
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
}
no_sanitizer_report() { ! grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' err; }
located() { grep -qE "^$1:[0-9]+:[0-9]+: error\[OP0[0-9][0-9]\]" out; }

# ---- fixtures ---------------------------------------------------------------
mkdir -p tree/sub/deeper tree/.git tree/node_modules/pkg tree/.hidden
# A plan every stage accepts (loader, schema, expressions, graph).
cat > clean.yaml <<'EOF'
opsplan: 1
name: fine
summary: One read-only step
steps:
  - id: look
    title: Read the first pod
    do: k8s.get
    with: {kind: Pod, name: "p-0"}
EOF
# Broken plans: a YAML file found in a directory is linted when it is a plan
# (a line that starts with 'opsplan:' when it does not load).
printf 'name: a\nname: b\nopsplan: 1\n' > tree/b.yaml
printf 'x:\n\ty: 1\nopsplan: 1\n' > tree/a.yml
printf 'k: [1, 2\nopsplan: 1\n' > tree/sub/deeper/z.yaml
printf 'a: 1\n---\nb: 2\nopsplan: 1\n' > tree/sub/c.yaml
printf 'not: [a plan\n' > tree/sub/readme.txt
printf 'a: [\n' > tree/.git/x.yaml
printf 'a: [\n' > tree/node_modules/pkg/x.yaml
printf 'a: [\n' > tree/.hidden/x.yaml
printf 'a: [\n' > tree/.dot.yaml

# ---- exit codes ---------------------------------------------------------------
run lint clean.yaml
check "clean plan: exit 0" test "$rc" = 0
check "clean plan: nothing on stdout" test ! -s out
check "clean plan: summary on stderr" grep -qx '0 errors, 0 warnings in 1 file' err
run lint --quiet clean.yaml
check "--quiet clean: exit 0, silent" test "$rc" = 0 -a ! -s out -a ! -s err

run lint tree/b.yaml
check "duplicate key: exit 1" test "$rc" = 1
check "duplicate key: located text" grep -qx "tree/b.yaml:2:1: error\[OP002\]: duplicate key 'name'" out
check "duplicate key: snippet and caret" grep -qx '  | ^~~~' out
check "duplicate key: hint" grep -qx '  = hint: first defined at line 1' out
check "duplicate key: summary" grep -qx '1 error, 0 warnings in 1 file' err
run lint --quiet tree/b.yaml
check "--quiet: errors still printed, no summary" test "$rc" = 1 -a -s out -a ! -s err
run lint -W error tree/b.yaml
check "-W error accepted" test "$rc" = 1
run lint -Werror clean.yaml
check "-Werror on a clean plan: exit 0" test "$rc" = 0

# Warnings (safety lints): exit 0 unless -W error; --quiet hides them.
cat > warn.yaml <<'EOF'
opsplan: 1
name: warn
summary: Deletes a pod with nothing guarding it
steps:
  - id: bounce
    title: Delete a pod
    do: k8s.delete
    with: {kind: Pod, name: "p-1"}
EOF
run lint warn.yaml
check "warnings only: exit 0" test "$rc" = 0
check "warnings only: printed as warnings" grep -q '^warn.yaml:[0-9]*:[0-9]*: warning\[OP1[0-9][0-9]\]' out
check "warnings only: counted in the summary" grep -qE '^0 errors, [1-9][0-9]* warnings? in 1 file$' err
run lint -W error warn.yaml
check "-W error: warnings fail the run (exit 1)" test "$rc" = 1
run lint --quiet warn.yaml
check "--quiet: warnings hidden, exit 0" test "$rc" = 0 -a ! -s out -a ! -s err
run lint --quiet -W error warn.yaml
check "--quiet -W error: warnings shown, exit 1" eval 'test "$rc" = 1 && grep -q "warning\[OP1" out'
run lint --format json warn.yaml
check "json: severity warning" grep -q '"severity":"warning"' out
run lint --format github warn.yaml
check "github: ::warning" grep -q '^::warning file=warn.yaml,line=' out
run lint --format sarif warn.yaml
check "sarif: level warning" python3 -c 'import json; r = json.load(open("out"))["runs"][0]["results"]; assert r and all(x["level"] == "warning" for x in r)'

run lint
check "no PATH: exit 2 and says so" eval 'test "$rc" = 2 && grep -q "no PATH given" err'
run lint --frobnicate clean.yaml
check "unknown option: exit 2 and names it" eval 'test "$rc" = 2 && grep -q "unknown option .--frobnicate." err'
run lint --format xml clean.yaml
check "unknown format: exit 2 and names it" eval 'test "$rc" = 2 && grep -q "unknown format .xml." err'
run lint -W everything clean.yaml
check "bad -W: exit 2" test "$rc" = 2
run lint missing.yaml
check "missing file: exit 2, names it" eval 'test "$rc" = 2 && grep -q "missing.yaml.*No such file" err'
run lint clean.yaml missing.yaml
check "missing file among good ones: still exit 2" test "$rc" = 2
mkdir -p broken && ln -s nowhere.yaml broken/dangling.yaml
run lint --format json broken
check "dangling plan link in a directory: exit 2 with OP011" eval 'test "$rc" = 2 && grep -q "\"code\":\"OP011\"" out'
if [ "$(id -u)" != 0 ]; then
	printf 'a: 1\n' > locked.yaml && chmod 000 locked.yaml
	run lint locked.yaml
	check "unreadable file: exit 2" eval 'test "$rc" = 2 && grep -q "Permission denied" out'
else
	echo "  skip unreadable file (running as root reads everything)"
fi
run lint --help
check "--help: exit 0, usage on stdout" eval 'test "$rc" = 0 && grep -q "^usage: opsplan lint" out'

# ---- directory recursion ------------------------------------------------------
run lint --format json tree
check "tree: exit 1" test "$rc" = 1
files=$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["file"] for l in open("out")))')
check "tree: sorted, recursive, hidden and node_modules skipped, only yaml/yml" \
	test "$files" = "tree/a.yml tree/b.yaml tree/sub/c.yaml tree/sub/deeper/z.yaml"
run lint tree/
check "trailing slash: same files" eval 'grep -q "^tree/sub/c.yaml:" out && ! grep -q "//" out'
run lint tree
check "tree: summary counts files" grep -qx '4 errors, 0 warnings in 4 files' err
mkdir -p empty
run lint empty
check "empty directory: exit 0, says so" eval 'test "$rc" = 0 && grep -q "no \*.yaml or \*.yml files under .empty." err'
run lint tree/.dot.yaml
check "hidden file named explicitly: linted" test "$rc" = 1

# ---- formats ------------------------------------------------------------------
run lint --format json tree/b.yaml tree/a.yml
check "json: one valid object per finding with every field" python3 - <<'EOF'
import json
rows = [json.loads(l) for l in open("out")]
assert len(rows) == 2, rows
for r in rows:
    assert set(r) == {"file", "line", "col", "end_line", "end_col", "severity", "code", "slug", "message", "hints"}, r
b = [r for r in rows if r["file"] == "tree/b.yaml"][0]
assert (b["line"], b["col"], b["end_line"], b["end_col"]) == (2, 1, 2, 5), b
assert b["code"] == "OP002" and b["slug"] == "yaml-duplicate-key" and b["severity"] == "error"
assert b["hints"] == ["first defined at line 1"]
a = [r for r in rows if r["file"] == "tree/a.yml"][0]
assert a["code"] == "OP003" and (a["line"], a["col"]) == (2, 1), a
EOF
check "json: no summary on stderr" test ! -s err

run lint --format sarif tree clean.yaml
check "sarif: exit 1" test "$rc" = 1
check "sarif: one 2.1.0 log for the whole run" python3 - <<'EOF'
import json
log = json.load(open("out"))
assert log["version"] == "2.1.0" and len(log["runs"]) == 1
run = log["runs"][0]
assert run["tool"]["driver"]["version"], "the driver names its version"
assert all(r["help"]["text"] for r in run["tool"]["driver"]["rules"]), "GitHub requires rule help"
rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
assert rules == sorted(set(rules)) and set(rules) == {"OP001", "OP002", "OP003", "OP004"}, rules
res = run["results"]
assert len(res) == 4, res
uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in res]
assert uris == ["tree/a.yml", "tree/b.yaml", "tree/sub/c.yaml", "tree/sub/deeper/z.yaml"], uris
for r in res:
    assert rules[r["ruleIndex"]] == r["ruleId"] and r["level"] == "error" and r["message"]["text"]
    reg = r["locations"][0]["physicalLocation"]["region"]
    assert reg["startLine"] >= 1 and reg["startColumn"] >= 1
EOF
run lint --format sarif clean.yaml
check "sarif: a clean run is still one valid log" python3 -c 'import json; assert json.load(open("out"))["runs"][0]["results"] == []'
check "sarif: clean exit 0" test "$rc" = 0

run lint --format github tree/b.yaml
check "github: annotation line" grep -qx "::error file=tree/b.yaml,line=2,col=1,endLine=2,endColumn=5,title=OP002::duplicate key 'name'%0Ahint: first defined at line 1" out
mkdir -p 'we,ird' && cp tree/b.yaml 'we,ird/100%.yaml'
run lint --format github 'we,ird'
check "github: property escaping of ',' and '%'" grep -q "^::error file=we%2Cird/100%25.yaml,line=2" out

# ---- colour ---------------------------------------------------------------------
run lint tree/b.yaml
check "no colour when stdout is not a terminal" eval '! grep -q $'"'"'\033'"'"' out'
if script -qec true /dev/null >/dev/null 2>&1; then
	script -qec "$OPSPLAN lint tree/b.yaml" /dev/null > tty.out 2>&1
	check "colour on a terminal" grep -q $'\033\[' tty.out
	NO_COLOR=1 script -qec "$OPSPLAN lint tree/b.yaml" /dev/null > tty.out 2>&1
	check "NO_COLOR turns colour off on a terminal" eval '! grep -q $'"'"'\033\['"'"' tty.out && grep -q "error\[OP002\]" tty.out'
	script -qec "$OPSPLAN lint --format json tree/b.yaml" /dev/null > tty.out 2>&1
	check "json never coloured" eval '! grep -q $'"'"'\033\['"'"' tty.out'
else
	echo "  skip colour on a terminal (script(1) cannot open a pty here)"
fi

# ---- hostile input ------------------------------------------------------------
# hostile NAME WHAT: lint NAME; under a second, a located error, exit 1 or 2,
# no sanitizer report.
hostile() {
	local f=$1 what=$2
	run lint "$f"
	check "$what: exit 1 or 2 (got $rc)" test "$rc" = 1 -o "$rc" = 2
	check "$what: under a second (${ms} ms)" test "$ms" -lt 1000
	check "$what: located error" located "$f"
	check "$what: no sanitizer report" no_sanitizer_report
}
python3 - <<'EOF'
with open("laughs.yaml", "w") as f:
    f.write('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n')
    for i in range(1, 10):
        p, c = chr(96 + i), chr(97 + i)
        f.write(f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n")
with open("deep.yaml", "w") as f:
    f.write("[" * 10000 + "]" * 10000 + "\n")
with open("deepblock.yaml", "w") as f:
    for i in range(1000):
        f.write(" " * i + "k:\n")
with open("anchors.yaml", "w") as f:
    f.write("a:\n" + "".join(f"  - &a{i} x\n" for i in range(90000)))
    f.write("b:\n" + "".join(f"  - *a{i}\n" for i in range(90000)))
    f.write("b: dup\n")
with open("badutf8.yaml", "w", encoding="latin-1") as f:
    f.write("name: caf\xe9\n")
EOF
hostile laughs.yaml "billion laughs"
check "billion laughs: OP005" grep -q 'error\[OP005\]' out
hostile deep.yaml "10,000 nested flow sequences"
check "deep flow: OP006" grep -q 'error\[OP006\]' out
hostile deepblock.yaml "1,000 nested block mappings"
check "deep block: OP006" grep -q 'error\[OP006\]' out
hostile anchors.yaml "90,000 anchors and aliases"
hostile badutf8.yaml "invalid UTF-8"
check "invalid UTF-8: OP008 at the byte" grep -q '^badutf8.yaml:1:10: error\[OP008\]' out
truncate -s 100M big.yaml
hostile big.yaml "a 100 MB file"
check "100 MB: OP007" grep -q 'error\[OP007\]' out
head -c 65536 /dev/urandom > random.yaml
hostile random.yaml "random bytes"

# 100 MB through a pipe: the reader stops at the limit instead of reading it all.
t0=$(date +%s%N)
yes 'key: value' 2>/dev/null | head -c 100000000 | "$OPSPLAN" lint /dev/stdin >out 2>err
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "100 MB on a pipe: OP007, exit 1 (got $rc)" eval 'test "$rc" = 1 && grep -q "error\[OP007\]" out'
check "100 MB on a pipe: under a second (${ms} ms)" test "$ms" -lt 1000
check "100 MB on a pipe: no sanitizer report" no_sanitizer_report

# Valid UTF-8 garbage made of YAML's own punctuation: whatever it parses to,
# the loader must answer (0 or 1) without a crash or a sanitizer report.
for i in 1 2 3 4 5 6 7 8; do
	LC_ALL=C tr -dc '[]{}:,?*&!|>"#%@ \n\t-abc' < /dev/urandom | head -c 4000 > noise$i.yaml
done
crashed=0; slow=0; unlocated=0
for i in 1 2 3 4 5 6 7 8; do
	run lint noise$i.yaml
	if [ "$rc" -gt 2 ] || ! no_sanitizer_report; then crashed=$((crashed + 1)); cp noise$i.yaml "/tmp/opsplan-noise-crash-$i.yaml"; fi
	[ "$ms" -lt 1000 ] || slow=$((slow + 1))
	if [ "$rc" = 1 ] && ! located "noise$i.yaml"; then unlocated=$((unlocated + 1)); fi
done
check "YAML punctuation noise: no crash (saved to /tmp/opsplan-noise-crash-* if any)" test "$crashed" = 0
check "YAML punctuation noise: each under a second" test "$slow" = 0
check "YAML punctuation noise: every finding located" test "$unlocated" = 0

# ---- a repository that mixes plans and other YAML (issue 15) ---------------------
mkdir -p mixed/plans mixed/k8s mixed/legacy mixed/vendor
cp clean.yaml mixed/plans/clean.yaml
cp warn.yaml mixed/legacy/old.yaml
cat > mixed/k8s/deploy.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
EOF
printf 'apiVersion: v1\nkind: [ConfigMap\n' > mixed/k8s/broken.yaml
printf 'opsplan: 1\nname: [half\n' > mixed/vendor/half.yaml
(cd mixed && "$OPSPLAN" lint . >../out 2>../err); rc=$?
check "lint . on plans and manifests: only the plans are linted (exit $rc)" \
	eval 'test "$rc" = 1 && ! grep -q "k8s/" out && grep -q "vendor/half.yaml:3:1: error\[OP001\]" out && grep -q "legacy/old.yaml" out'
check "lint .: says how many YAML files it skipped" \
	grep -qx "1 error, 2 warnings in 3 files; skipped 2 YAML files that are not plans (no 'opsplan:')" err
check "lint .: a manifest named on the command line is still linted" \
	eval '"$OPSPLAN" lint mixed/k8s/deploy.yaml 2>&1 | grep -q "error\[OP023\]"'
run lint --exclude vendor --exclude '*/legacy/*.yaml' mixed
check "--exclude: a directory name and a path glob, counted (exit $rc)" \
	eval 'test "$rc" = 0 && test ! -s out && grep -q "in 1 file; skipped 2 YAML files that are not plans (no .opsplan:.); 1 excluded$" err'
run lint --exclude
check "--exclude without a glob: exit 2" test "$rc" = 2
"$OPSPLAN" lint mixed >combined.log 2>&1
check "findings, then the summary, in one combined stream" \
	eval 'tail -1 combined.log | grep -q "^1 error, 2 warnings in 3 files" && head -1 combined.log | grep -q "^mixed/"'

# .opsplan.yaml, found upward from the linted path
cat > mixed/.opsplan.yaml <<'EOF'
exclude: [vendor/]
severity: {OP101: error}
silence:
  - {path: "legacy/", codes: [OP100], reason: "replaced by plans/ next quarter"}
EOF
run lint mixed
check ".opsplan.yaml: exclude, severity raised, path silence (exit $rc)" \
	eval 'test "$rc" = 1 && grep -q "error\[OP101\]" out && ! grep -q "OP100" out && ! grep -q vendor out'
(cd mixed/legacy && "$OPSPLAN" lint old.yaml >../../out 2>../../err); rc=$?
check ".opsplan.yaml: found from a file named in a subdirectory" \
	eval 'test "$rc" = 1 && grep -q "^old.yaml:7:9: error\[OP101\]" out && ! grep -q OP100 out'
mkdir -p mixed/legacy/keep && cp warn.yaml mixed/legacy/keep/w.yaml
printf 'severity: {OP100: off, OP101: off}\n' > mixed/legacy/keep/.opsplan.yaml
run lint mixed
check ".opsplan.yaml: a nested one governs its directory" \
	eval '! grep -q "keep/w.yaml" out && grep -q "legacy/old.yaml:7:9: error\[OP101\]" out'
rm -r mixed/legacy/keep
printf 'exclude: vendor\nseverty: {}\nseverity: {OP020: off}\n' > mixed/.opsplan.yaml
run lint mixed/plans
check ".opsplan.yaml with mistakes: exit 2, every one located" \
	eval 'test "$rc" = 2 && grep -q "\.opsplan\.yaml:1:10: error\[OP021\]" err && grep -q "\.opsplan\.yaml:2:1: error\[OP020\]: unknown key .severty." err && grep -q "did you mean .severity." err && grep -q "\.opsplan\.yaml:3:12: error\[OP035\]: .OP020. is an error" err'
printf 'a: 1\na: 2\n' > mixed/.opsplan.yaml
run lint mixed/plans
check ".opsplan.yaml through the hardened loader: a duplicate key is a located error" \
	eval 'test "$rc" = 2 && grep -q "\.opsplan\.yaml:2:1: error\[OP002\]" err'
rm mixed/.opsplan.yaml

# SARIF: URIs relative to a base named in originalUriBaseIds, '..' resolved
mkdir -p repo/.git repo/ci && cp tree/b.yaml repo/b.yaml
(cd repo/ci && "$OPSPLAN" lint --format sarif ../b.yaml "$T/tree/b.yaml" >../../out 2>/dev/null)
check "sarif: '../' and outside paths are valid URIs against the repository base" python3 - "$T" <<'EOF'
import json, sys
run = json.load(open("out"))["runs"][0]
base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
assert base == "file://" + sys.argv[1] + "/repo/", base
locs = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
assert locs[0] == {"uri": "b.yaml", "uriBaseId": "SRCROOT"}, locs
assert locs[1] == {"uri": "file://" + sys.argv[1] + "/tree/b.yaml"}, locs
for l in locs:
    assert ".." not in l["uri"].split("/"), l
EOF

# ---- the smaller CLI items of issue 15 -------------------------------------------
run help help
check "help help: exit 0, the command list" eval 'test "$rc" = 0 && grep -q "^  lint " out'
check "the command list names version" grep -q "^  version " out
run --help
check "--help names version and help" eval 'grep -q "^  version " out && grep -q "^  help " out'
cat > gated.yaml <<'EOF'
opsplan: 1
name: gated
params:
  cluster: {type: string}
steps:
  - id: look
    do: patroni.cluster
    with: {pod: "${{ params.cluster }}-0"}
  - id: go
    do: log
    with: {message: "go"}
    gate: {prompt: "Go on with ${{ params.cluster }}?"}
  - id: later
    do: log
    with: {message: "later"}
    gate: {prompt: "Leader ${{ steps.look.result.members[0].name }}?"}
EOF
run explain gated.yaml -p cluster=pg-7
check "explain -p: a gate prompt rendered with the values" grep -q "ASKS   Go on with pg-7? " out
check "explain -p: a prompt that reads a step's result stays as written" \
	grep -qF 'ASKS   Leader ${{ steps.look.result.members[0].name }}? ' out
run explain gated.yaml
check "explain without the value: the prompt as written, not an empty hole" \
	grep -qF 'ASKS   Go on with ${{ params.cluster }}? ' out
run graph gated.yaml -p cluster=x
check "graph (dot): a legend" eval 'grep -q "cluster_legend" out && grep -q "gate: asks a person" out'
run graph --format mermaid gated.yaml -p cluster=x
check "graph (mermaid): a legend" eval 'grep -q "subgraph legend" out && grep -q "on failure" out'
printf 'opsplan: 1\nname: t\nsteps:\n  - do: nope\n' > nocompile.yaml
run compile nocompile.yaml
check "compile: a plan with errors exits 1, like lint" test "$rc" = 1
run help compile
check "compile --help: says 1, and why run says 5" eval 'grep -q "1 the plan has errors" out && grep -q "only run says 5" out'
run run nocompile.yaml --dry-run --yes
check "run: the same plan exits 5" test "$rc" = 5
datadir_plan=$(strings "$OPSPLAN" | grep -m1 '/plans/patroni-hotfix.yaml$' || true)
if [ -n "$datadir_plan" ] && [ ! -e "$datadir_plan" ]; then
	mkdir -p elsewhere && (cd elsewhere && "$OPSPLAN" run --dry-run --yes >../out 2>../err); rc=$?
	check "run with no PLAN outside a checkout: exit 2, says it looked for the default plan and where" \
		eval 'test "$rc" = 2 && grep -q "no PLAN given, and the default plan is not here" err && grep -qF "$datadir_plan" err && grep -q "make install" err'
else
	echo "  skip run with no PLAN outside a checkout (the default plan is installed here)"
fi

# ---- a -p value against a catastrophic match: ------------------------------
# '^(a+)+$' against forty 'a's and a '!' backtracks 2^40 ways: the bounded
# match must give up at once, say why (not "does not match"), and fail like
# any other bad -p value (OP152, the exit of a plan that does not compile).
cat > redos.yaml <<'EOF'
opsplan: 1
name: redos
params:
  word: {type: string, match: '^(a+)+$'}
steps:
  - do: log
    with: {message: hi}
EOF
run compile redos.yaml -p word=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa! -o redos.ir.json
check "-p against a catastrophic match: exit 1 in under a second ($ms ms)" test "$rc" = 1 -a "$ms" -lt 1000
check "-p against a catastrophic match: OP152 says the regex backtracks too much" \
	grep -q "redos.yaml:4:3: error\[OP152\]: -p word='a*!': cannot tell whether it matches '^(a+)+\$': the regex backtracks too much" err
check "-p against a catastrophic match: no sanitizer report" no_sanitizer_report
run run redos.yaml -p word=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa! --dry-run --yes
check "run -p against a catastrophic match: exit 5 like any bad -p, under a second ($ms ms)" \
	test "$rc" = 5 -a "$ms" -lt 1000
check "run -p against a catastrophic match: the message names the limit" grep -q 'backtracks too much' err
run compile redos.yaml -p word=aaab -o redos.ir.json
check "-p that simply does not match: still 'does not match'" grep -q "does not match '^(a+)+\$'" err

echo "20-lint-cli: $fails failed"
[ "$fails" = 0 ]
