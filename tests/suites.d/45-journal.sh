#!/usr/bin/env bash
# 45-journal: `opsplan runs` over journals written by an independent writer
# (Python, from the format documented in runtime/journal.h and
# docs/operations.md): listing, states, JSON, show in every format, a torn
# tail reported but not cut, a corrupt middle refused, unknown and ambiguous
# runs, the XDG default directory.
set -u
: "${OPSPLAN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok()   { echo "  ok   $1"; }
bad()  { echo "  FAIL $1"; fails=$((fails + 1)); }
want() { # want NAME FILE STRING: FILE contains STRING
	if grep -qF -- "$3" "$2"; then ok "$1"; else bad "$1: no '$3' in:"; sed 's/^/       | /' "$2"; fi
}

J="$tmp/runs"
mkdir -p "$J"
python3 - "$J" <<'EOF'
import json, sys, os
d = sys.argv[1]

def crc32c(b):
    c = 0xFFFFFFFF
    for x in b:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    return c ^ 0xFFFFFFFF

T0 = 1795685412000
def journal(name, recs, tail=b""):
    out = b""
    for i, (kind, at, data) in enumerate(recs, 1):
        t = T0 + at
        iso = "%s.%03dZ" % (__import__("time").strftime("%Y-%m-%dT%H:%M:%S", __import__("time").gmtime(t // 1000)), t % 1000)
        head = '{"seq":%d,"kind":"%s","time":"%s","ms":%d,"data":%s' % (
            i, kind, iso, t, json.dumps(data, separators=(",", ":")))
        hb = head.encode()
        out += hb + (',"crc32c":"%08x"}\n' % crc32c(hb)).encode()
    with open(os.path.join(d, name + ".jsonl"), "wb") as f:
        f.write(out + tail)
    return out

start = lambda rid, ns: ("run-start", 0, {"run_id": rid, "plan": "patroni-hotfix", "namespace": ns,
                                         "cluster": "patroni-001", "dry_run": False, "ir_hash": "sha256:1"})
done = "20261126T093012Z-patroni-hotfix-aaaa"
journal(done, [
    start(done, "ns1"),
    ("step-start", 100, {"step": "healthy", "attempt": 1}),
    ("step-end", 1300, {"step": "healthy", "status": "ok", "attempts": 1, "duration_ms": 1200,
                        "summary": "2 members running",
                        "assertions": [{"kind": "expect", "that": "len(result.members) == 2",
                                        "value": True, "verdict": "pass"}]}),
    ("bracket-open", 2000, {"bracket": "maintenance", "step": "pause"}),
    ("bracket-close", 62000, {"bracket": "maintenance", "step": "resume"}),
    ("run-end", 63000, {"state": "done", "exit_code": 0}),
])
inc = "20261126T100000Z-patroni-hotfix-bbbb"
journal(inc, [start(inc, "ns2"), ("step-start", 50, {"step": "healthy", "attempt": 1})])
torn = "20261126T110000Z-other-cccc"
journal(torn, [start(torn, "ns3"), ("run-end", 10, {"state": "failed", "exit_code": 1})],
        tail=b'{"seq":3,"kind":"sig')
cor = "20261126T120000Z-broken-dddd"
raw = journal(cor, [start(cor, "ns4"), ("step-start", 5, {"step": "x"}), ("run-end", 9, {"state": "done", "exit_code": 0})])
bad = raw.replace(b'"step":"x"', b'"step":"y"')
open(os.path.join(d, cor + ".jsonl"), "wb").write(bad)
EOF

# -- the list
"$OPSPLAN" runs --journal "$J" >"$tmp/list" 2>"$tmp/list.err"
[ $? -eq 0 ] && ok "runs exits 0" || bad "runs exit status"
want "list shows a done run with its exit" "$tmp/list" "20261126T093012Z-patroni-hotfix-aaaa  patroni-hotfix"
want "list: done (exit 0)" "$tmp/list" "done (exit 0)"
want "list: target" "$tmp/list" "ns1/patroni-001"
want "list: started" "$tmp/list" "2026-11-26 09:30:12Z"
want "list: duration" "$tmp/list" "1m03s"
want "list: unfinished run is incomplete" "$tmp/list" "incomplete"
want "list: failed run" "$tmp/list" "failed (exit 1)"
want "list: corrupt run" "$tmp/list" "corrupt"
want "list: corrupt run explained on stderr" "$tmp/list.err" "corrupt journal"
[ "$(grep -c 2026 "$tmp/list")" -eq 4 ] && ok "list has 4 runs" || bad "list has $(grep -c 2026 "$tmp/list") runs"
head -2 "$tmp/list" | tail -1 | grep -q aaaa && ok "list is sorted oldest first" || bad "list order"

"$OPSPLAN" runs --journal "$J" --format json >"$tmp/list.json" || bad "runs --format json exit"
python3 - "$tmp/list.json" <<'EOF' && ok "json list fields" || bad "json list fields"
import json, sys
v = json.load(open(sys.argv[1]))
assert [r["state"] for r in v] == ["done", "incomplete", "failed", "corrupt"], v
assert v[0]["exit_code"] == 0 and v[0]["duration_ms"] == 63000 and v[0]["namespace"] == "ns1"
assert v[1]["exit_code"] is None
assert v[2]["cut_bytes"] == 20
assert "corrupt journal" in v[3]["error"]
EOF

# -- show: text, md, json, to a file; by prefix
"$OPSPLAN" runs show 20261126T09 --journal "$J" >"$tmp/show" 2>&1 || bad "show exit"
want "show: header" "$tmp/show" "run 20261126T093012Z-patroni-hotfix-aaaa"
want "show: evidence" "$tmp/show" "expect len(result.members) == 2"
want "show: verdict" "$tmp/show" "= true -> pass"
want "show: maintenance time" "$tmp/show" "time in maintenance: 1m00s"
want "show: state" "$tmp/show" "state     done, exit 0"
"$OPSPLAN" runs show 20261126T09 --journal "$J" --report md >"$tmp/show.md" || bad "show md exit"
want "md: table row" "$tmp/show.md" "| ok | \`healthy\` | 1 | 09:30:12 | 1.2s | 2 members running |"
want "md: bracket closed by its step" "$tmp/show.md" "closed 09:31:14 by \`resume\` (1m00s)"
"$OPSPLAN" runs show 20261126T09 --journal "$J" --report "$tmp/r.md" >/dev/null || bad "show to file exit"
want "md file written" "$tmp/r.md" "# Run \`20261126T093012Z-patroni-hotfix-aaaa\`"
"$OPSPLAN" runs show "$J/20261126T093012Z-patroni-hotfix-aaaa.jsonl" --report json >"$tmp/show.json" || bad "show json exit"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["maintenance_ms"]==60000 and d["steps"][0]["assertions"][0]["verdict"]=="pass"' \
	"$tmp/show.json" && ok "json report by path" || bad "json report by path"

# -- torn tail: reported, not cut (reading never writes)
size=$(stat -c %s "$J/20261126T110000Z-other-cccc.jsonl")
"$OPSPLAN" runs show 20261126T11 --journal "$J" >"$tmp/torn" 2>"$tmp/torn.err" && ok "torn: exit 0" || bad "torn exit"
want "torn: noted" "$tmp/torn.err" "torn tail of 20 bytes"
[ "$(stat -c %s "$J/20261126T110000Z-other-cccc.jsonl")" = "$size" ] && ok "torn: file untouched" || bad "torn: file changed"

# -- errors: corrupt middle, unknown, ambiguous, bad usage
"$OPSPLAN" runs show 20261126T12 --journal "$J" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && ok "corrupt: exit 2" || bad "corrupt: exit $rc"
want "corrupt: says where" "$tmp/err" "line 2 (byte"
"$OPSPLAN" runs show nope --journal "$J" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && ok "unknown run: exit 2" || bad "unknown run: exit $rc"
want "unknown run: message" "$tmp/err" "no run 'nope'"
"$OPSPLAN" runs show 2026 --journal "$J" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && ok "ambiguous: exit 2" || bad "ambiguous: exit $rc"
want "ambiguous: message" "$tmp/err" "ambiguous"
"$OPSPLAN" runs --bogus >/dev/null 2>&1; [ $? -eq 2 ] && ok "bad option: exit 2" || bad "bad option"
"$OPSPLAN" runs show >/dev/null 2>&1; [ $? -eq 2 ] && ok "show without run: exit 2" || bad "show without run"
"$OPSPLAN" runs --format yaml --journal "$J" >/dev/null 2>&1; [ $? -eq 2 ] && ok "bad format: exit 2" || bad "bad format"

# -- default directory and an empty one
mkdir -p "$tmp/xdg/opsplan"
cp -r "$J" "$tmp/xdg/opsplan/runs"
XDG_STATE_HOME="$tmp/xdg" "$OPSPLAN" runs >"$tmp/xdg.out" 2>/dev/null || bad "xdg exit"
want "XDG_STATE_HOME is the default" "$tmp/xdg.out" "20261126T093012Z-patroni-hotfix-aaaa"
"$OPSPLAN" runs --journal "$tmp/empty" >"$tmp/empty.out" || bad "empty exit"
want "empty directory" "$tmp/empty.out" "no runs recorded in"

[ $fails -eq 0 ]
