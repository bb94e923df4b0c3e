#!/usr/bin/env bash
# 45-journal: `opsplan runs` over journals written by an independent writer
# (Python, from the format documented in runtime/journal.h and
# docs/operations.md): listing, states, JSON, show in every format, a torn
# tail reported but not cut, a corrupt middle refused, unknown and ambiguous
# runs, the XDG default directory; the hash chain: a legacy journal (no
# "prev") loads, and forged, deleted, swapped records and half-chained
# journals with valid CRCs are refused by `runs`, `runs show` and
# `run --resume` (exit 6, "the journal was changed after it was written").
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
import hashlib, json, sys, os
d = sys.argv[1]

def crc32c(b):
    c = 0xFFFFFFFF
    for x in b:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    return c ^ 0xFFFFFFFF

T0 = 1795685412000
# chain: each record's "prev" is the sha256 of the line before it, newline
# included, the first's of zero bytes; chain=False writes the legacy format
def journal(name, recs, tail=b"", chain=True):
    out = b""
    line = b""
    for i, (kind, at, data) in enumerate(recs, 1):
        t = T0 + at
        iso = "%s.%03dZ" % (__import__("time").strftime("%Y-%m-%dT%H:%M:%S", __import__("time").gmtime(t // 1000)), t % 1000)
        head = '{"seq":%d,"kind":"%s","time":"%s","ms":%d,"data":%s' % (
            i, kind, iso, t, json.dumps(data, separators=(",", ":")))
        if chain:
            head += ',"prev":"%s"' % hashlib.sha256(line).hexdigest()
        hb = head.encode()
        line = hb + (',"crc32c":"%08x"}\n' % crc32c(hb)).encode()
        out += line
    with open(os.path.join(d, name + ".jsonl"), "wb") as f:
        f.write(out + tail)
    return out

def reseal(line):
    """line (bytes, newline included) with its CRC recomputed: a forger's tool"""
    body = line[:-22]
    return body + (',"crc32c":"%08x"}\n' % crc32c(body)).encode()

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
journal(inc, [start(inc, "ns2"), ("step-start", 50, {"step": "healthy", "attempt": 1})], chain=False)   # legacy
torn = "20261126T110000Z-other-cccc"
journal(torn, [start(torn, "ns3"), ("run-end", 10, {"state": "failed", "exit_code": 1})],
        tail=b'{"seq":3,"kind":"sig')
cor = "20261126T120000Z-broken-dddd"
raw = journal(cor, [start(cor, "ns4"), ("step-start", 5, {"step": "x"}), ("run-end", 9, {"state": "done", "exit_code": 0})])
bad = raw.replace(b'"step":"x"', b'"step":"y"')
open(os.path.join(d, cor + ".jsonl"), "wb").write(bad)

# forgeries with valid CRCs, in their own directory
d = os.path.join(d, "..", "forged")
os.makedirs(d)
recs = lambda rid: [start(rid, "ns5"), ("step-start", 5, {"step": "pause", "attempt": 1}),
                    ("intent", 6, {"step": "pause", "attempt": 1, "precondition": {"leader": "pg-0"}}),
                    ("outcome", 7, {"step": "pause", "attempt": 1, "ok": True}),
                    ("step-end", 8, {"step": "pause", "status": "ok"})]
def rewrite(name, fn):
    lines = journal(name, recs(name)).splitlines(keepends=True)
    open(os.path.join(d, name + ".jsonl"), "wb").write(b"".join(fn(lines)))

def edit(lines):      # record 3 says another leader
    lines[2] = reseal(lines[2].replace(b'"pg-0"', b'"pg-1"'))
    return lines
def delete(lines):    # record 3 removed, the rest renumbered
    del lines[2]
    for i in (2, 3):
        lines[i] = reseal(lines[i].replace(b'{"seq":%d,' % (i + 2), b'{"seq":%d,' % (i + 1)))
    return lines
def swap(lines):      # records 3 and 4 swapped, renumbered
    lines[2], lines[3] = lines[3], lines[2]
    lines[2] = reseal(lines[2].replace(b'{"seq":4,', b'{"seq":3,'))
    lines[3] = reseal(lines[3].replace(b'{"seq":3,', b'{"seq":4,'))
    return lines
def unlink(lines):    # the chain stripped from the last two records only
    for i in (3, 4):
        lines[i] = reseal(lines[i][:lines[i].index(b',"prev":')] + lines[i][-22:])
    return lines
rewrite("20261127T080000Z-edited-e001", edit)
rewrite("20261127T080100Z-deleted-e002", delete)
rewrite("20261127T080200Z-swapped-e003", swap)
rewrite("20261127T080300Z-halfchain-e004", unlink)
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
[ $rc -eq 6 ] && ok "corrupt: exit 6" || bad "corrupt: exit $rc"
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

# -- the chain: a legacy journal (no "prev") reads as before, and says nothing of it
"$OPSPLAN" runs show 20261126T10 --journal "$J" >"$tmp/legacy" 2>"$tmp/legacy.err"; rc=$?
[ $rc -eq 0 ] && ok "legacy journal: show exits 0" || bad "legacy journal: show exit $rc: $(cat "$tmp/legacy.err")"
want "legacy journal: report" "$tmp/legacy" "run 20261126T100000Z-patroni-hotfix-bbbb"
[ ! -s "$tmp/legacy.err" ] && ok "legacy journal: nothing said about it" || bad "legacy journal: stderr: $(cat "$tmp/legacy.err")"

# -- the chain: forgeries with valid CRCs are refused everywhere
F="$tmp/forged"
"$OPSPLAN" runs --journal "$F" --format json >"$tmp/f.json" 2>/dev/null
python3 - "$tmp/f.json" <<'EOF' && ok "forged: runs lists all four as corrupt" || bad "forged: runs list states"
import json, sys
v = json.load(open(sys.argv[1]))
assert [r["state"] for r in v] == ["corrupt"] * 4, [(r["id"], r["state"]) for r in v]
assert all("the journal was changed after it was written" in r["error"] for r in v), v
EOF
refused() { # refused NAME RUN MESSAGE: runs show and run --resume refuse RUN, exit 6, saying MESSAGE
	local file sum rc
	file=$(ls "$F"/*"$2"*.jsonl)
	sum=$(sha256sum <"$file")
	"$OPSPLAN" runs show "$2" --journal "$F" >"$tmp/out" 2>"$tmp/err"; rc=$?
	[ $rc -eq 6 ] && ok "$1: runs show exit 6" || bad "$1: runs show exit $rc"
	want "$1: runs show says why" "$tmp/err" "$3: the journal was changed after it was written"
	want "$1: runs show names the file" "$tmp/err" "corrupt journal '$file'"
	[ ! -s "$tmp/out" ] && ok "$1: no report" || bad "$1: a report was printed"
	"$OPSPLAN" run --resume "$2" --journal "$F" >"$tmp/out" 2>"$tmp/err"; rc=$?
	[ $rc -eq 6 ] && ok "$1: run --resume exit 6" || bad "$1: run --resume exit $rc: $(cat "$tmp/err")"
	want "$1: run --resume says why" "$tmp/err" "$3: the journal was changed after it was written"
	want "$1: run --resume refuses" "$tmp/err" "refusing to resume from '$file'"
	[ "$(sha256sum <"$file")" = "$sum" ] && ok "$1: journal untouched" || bad "$1: journal changed"
}
refused "edited record" e001 "record 4 (line 4) does not follow record 3 (line 3)"
refused "deleted record" e002 "record 3 (line 3) does not follow record 2 (line 2)"
refused "swapped records" e003 "record 3 (line 3) does not follow record 2 (line 2)"
refused "half a chain" e004 "record 4 (line 4) lacks a chain link ('prev') and record 3 (line 3) does"

# -- default directory and an empty one
mkdir -p "$tmp/xdg/opsplan"
cp -r "$J" "$tmp/xdg/opsplan/runs"
XDG_STATE_HOME="$tmp/xdg" "$OPSPLAN" runs >"$tmp/xdg.out" 2>/dev/null || bad "xdg exit"
want "XDG_STATE_HOME is the default" "$tmp/xdg.out" "20261126T093012Z-patroni-hotfix-aaaa"
"$OPSPLAN" runs --journal "$tmp/empty" >"$tmp/empty.out" || bad "empty exit"
want "empty directory" "$tmp/empty.out" "no runs recorded in"

[ $fails -eq 0 ]
