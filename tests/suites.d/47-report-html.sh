#!/usr/bin/env bash
# 47-report-html: `opsplan runs show RUN --report html` (runtime/report_html.c)
# over real journals of the default plan against the sandbox (a run stopped at
# its first gate and resumed, a dry run: tests/runtime/journals/) and
# synthetic ones (tests/runtime/report_html_journals.py: a failed run, an
# interrupted one, a crashed one, a 200-item loop, a journal full of HTML).
#
# Each page: validates (tidy), refers to no URL, escapes every journal
# string, redacts secret-looking parameters, carries the journal's SHA-256,
# has its timeline rows, marks; then headless Chromium (Debian's chromium)
# loads it with every request sent to a recording proxy: no request from
# the page, no console error (a blocked load is one: the page's CSP is
# default-src 'none'), the timeline's rows in the DOM, and a 1366 px wide
# screenshot kept in $ART (default: the build folder of $OPSPLAN, report-html/).
# Without chromium or tidy (and no way to install them) those parts are
# skipped, saying so; everything else still runs.
set -u
: "${OPSPLAN:?}"
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
proxy_pid=
trap '[ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
ok()   { echo "  ok   $1"; }
bad()  { echo "  FAIL $1"; fails=$((fails + 1)); }
check() { local name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else bad "$name"; fi; }
has()  { grep -qF -- "$2" "$1"; }
hasnt() { ! grep -qF -- "$2" "$1"; }

bdir=$(cd "$(dirname "$OPSPLAN")/.." && pwd)
case "$(basename "$bdir")" in build*) ;; *) bdir=$PWD/build ;; esac
ART=${REPORT_HTML_ARTIFACTS:-$bdir/report-html}
mkdir -p "$ART"

J=$tmp/j
mkdir -p "$J"
cp tests/runtime/journals/resumed-default-plan.jsonl tests/runtime/journals/dry-run-default-plan.jsonl "$J/"
python3 tests/runtime/report_html_journals.py "$J" 200 || bad "journal generator"
PAGES="resumed-default-plan dry-run-default-plan failed interrupted incomplete hostile loop"
for p in $PAGES; do
	"$OPSPLAN" runs show "$J/$p.jsonl" --journal "$J" --report html >"$tmp/$p.html" 2>"$tmp/$p.err" ||
		{ bad "$p: runs show --report html exit $?"; cat "$tmp/$p.err"; }
done
"$OPSPLAN" runs show "$J/failed.jsonl" --journal "$J" --report "$tmp/file.html" >/dev/null &&
	cmp -s "$tmp/file.html" "$tmp/failed.html" && ok "--report FILE.html writes the same page" ||
	bad "--report FILE.html"
"$OPSPLAN" runs show "$J/failed.jsonl" --journal "$J" --report html | cmp -s - "$tmp/failed.html" &&
	ok "the page is a pure function of the journal (same bytes twice)" || bad "two renderings differ"

echo "-- content"
for p in $PAGES; do
	f=$tmp/$p.html
	check "$p: one page, CSP default-src 'none'" has "$f" "Content-Security-Policy\" content=\"default-src 'none'"
	if python3 tests/runtime/html_refs.py "$f" >"$tmp/$p.refs"; then
		ok "$p: refers to nothing outside the file (no loading element, no reference)"
	else
		bad "$p: refers to something outside the file:"; cat "$tmp/$p.refs"
	fi
	want_sha=$(sha256sum "$J/$p.jsonl" | cut -d' ' -f1)
	check "$p: the journal's SHA-256" has "$f" "<code id=\"journal-sha256\">$want_sha</code>"
	check "$p: the timeline and its text alternative" grep -q '<svg id="timeline".*data-rows="[1-9]' "$f"
	check "$p: the timeline table" has "$f" 'id="timeline-table"'
	check "$p: print CSS" has "$f" "@media print"
done
f=$tmp/resumed-default-plan.html
check "resumed: done badge" has "$f" '<span class="badge ok">'
check "resumed: the resume point" grep -q 'class="mark resume"' "$f"
check "resumed: the stop before it" grep -q 'class="markl stop".*stopped at a gate' "$f"
check "resumed: maintenance band with its duration" grep -q 'class="bandl".*maintenance [0-9.]*s' "$f"
check "resumed: the window, its time and bound" grep -q 'window upgrade-replicas: [0-9.]*s of 10m00s' "$f"
check "resumed: gates with answer, who, when" grep -q 'class="gatel".*yes · --yes · [0-9:]*' "$f"
check "resumed: loop items as sub-rows" has "$f" '[0] patroni-001-0'
check "resumed: evidence (expression, value, verdict)" grep -q '<code>result.state == &quot;running&quot;</code></td><td>= <code>true</code></td><td class="st ok">✓ pass' "$f"
check "resumed: mutations collapsed in <details>" grep -q '<details class="muts"><summary>1 mutation</summary>' "$f"
check "resumed: parameters" grep -q '<code>cluster</code></th><td><code>patroni-001</code>' "$f"
f=$tmp/dry-run-default-plan.html
check "dry run: banner" has "$f" 'DRY RUN'
check "dry run: title" has "$f" '<title>[dry run] patroni-hotfix'
check "dry run: mode" has "$f" 'dry run (nothing was changed)'
f=$tmp/failed.html
check "failed: badge" has "$f" '<span class="badge failed">✕ failed</span>'
check "failed: the failure marked at its step" grep -q 'class="mark failure"' "$f"
check "failed: failure label names the cause" grep -q 'class="markl failure".*ImagePullBackOff' "$f"
check "failed: a retried attempt as its own segment" grep -q 'class="seg retry"' "$f"
check "failed: failed bars hatched (not colour alone)" grep -q 'class="seg failed"' "$f"
check "failed: failed rows carry a glyph" grep -q 'class="lbl failed"[^>]*><tspan class="g">✕' "$f"
check "failed: unclosed maintenance flagged" grep -q 'NOT CLOSED' "$f"
check "failed: exceeded window flagged" grep -q 'EXCEEDED' "$f"
check "failed: failed evidence" grep -q 'class="st failed">✕ fail' "$f"
f=$tmp/interrupted.html
check "interrupted: badge" has "$f" '<span class="badge cut">■ interrupted</span>'
check "interrupted: the signal" grep -q 'class="mark signal"' "$f"
check "interrupted: mutation without outcome" grep -q 'no outcome recorded' "$f"
check "interrupted: the cut attempt" grep -q 'class="seg cut"' "$f"
f=$tmp/incomplete.html
check "incomplete: unfinished step" grep -q 'class="seg open"' "$f"
check "incomplete: state" has "$f" '■ incomplete'
f=$tmp/loop.html
check "loop: 200 items folded" grep -q '… 195 more items' "$f"
check "loop: failed items kept visible" grep -q '\[133\] pod-133' "$f"
check "loop: every item in the step table" test "$(grep -c '<tr class="step' "$f")" -eq 201
f=$tmp/hostile.html
if grep -Eiq '<script|<img' "$f"; then bad "hostile: journal text came out as markup"; else ok "hostile: journal text is inert (no script or img tag; html_refs.py found no handler)"; fi
check "hostile: shown as text" has "$f" '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;&#39;&quot;&amp;amp;'
check "hostile: secret-looking parameters redacted" hasnt "$f" 'hunter2'
check "hostile: secret-looking parameters redacted (token)" hasnt "$f" 'tok-SECRET'
check "hostile: the parameter is listed as redacted" grep -q '<code>db_password</code></th><td><code>\[redacted\]' "$f"

echo "-- HTML validation"
if ! command -v tidy >/dev/null 2>&1; then
	SUDO=; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq tidy >/dev/null 2>&1
fi
if command -v tidy >/dev/null 2>&1; then
	for p in $PAGES; do
		tidy -q -e "$tmp/$p.html" >"$tmp/$p.tidy" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then ok "$p: tidy finds nothing"; else bad "$p: tidy exit $rc:"; head -5 "$tmp/$p.tidy"; fi
	done
else
	echo "  SKIP tidy is not installed and cannot be (apt-get install tidy)"
fi

echo "-- headless Chromium"
CHROME=$(command -v chromium || true)
if [ -z "$CHROME" ]; then
	SUDO=; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null 2>&1
	CHROME=$(command -v chromium || true)
fi
if [ -z "$CHROME" ]; then
	echo "  SKIP chromium is not installed and cannot be (apt-get install chromium): pages not rendered"
	echo "47-report-html: $fails failed"
	[ "$fails" -eq 0 ]
	exit
fi
# every request Chromium makes goes to this proxy, which records it
python3 - "$tmp/requests.log" >"$tmp/proxy.port" <<'EOF' &
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
log = open(sys.argv[1], "a")
def serve(c):
    try:
        log.write(c.recv(4096).split(b"\r\n")[0].decode("latin-1") + "\n"); log.flush()
        c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    except OSError:
        pass
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
proxy_pid=$!
for _ in $(seq 50); do [ -s "$tmp/proxy.port" ] && break; sleep 0.1; done
port=$(head -n 1 "$tmp/proxy.port")
# chrome ARGS...: one headless Chromium with its own profile, through the proxy
chrome() {
	local prof
	prof=$(mktemp -d "$tmp/prof.XXXXXX")
	timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$prof" --proxy-server="http://127.0.0.1:$port" --proxy-bypass-list='<-loopback>' \
		--enable-logging=stderr --v=0 --virtual-time-budget=2000 "$@"
}
# Chromium's own traffic (updates, time, accounts) also reaches the proxy;
# what a page asks for is any other host.
page_requests() {
	sed -E 's#^[A-Z]+ (https?://)?([^/: ]+).*#\2 &#' "$tmp/requests.log" |
		grep -Ev '^([a-z0-9-]+\.)*(google\.com|googleapis\.com|gstatic\.com|gvt1\.com) ' || true
}

# the control: a page that does load something is seen doing so
printf '<!DOCTYPE html><html><head><title>c</title></head><body><img src="http://example.invalid/c.png" alt=""></body></html>\n' >"$tmp/control.html"
: >"$tmp/requests.log"
chrome --dump-dom "file://$tmp/control.html" >/dev/null 2>&1
sleep 0.3
if page_requests | grep -q 'example.invalid'; then ok "control: a page's request reaches the recording proxy"; else bad "control: the proxy saw no request (the no-network check would prove nothing)"; fi

for p in $PAGES; do
	: >"$tmp/requests.log"
	chrome --dump-dom "file://$tmp/$p.html" >"$tmp/$p.dom" 2>"$tmp/$p.chrome"
	rc=$?
	chrome --screenshot="$ART/$p.png" --window-size=1366,900 --hide-scrollbars "file://$tmp/$p.html" >/dev/null 2>>"$tmp/$p.chrome"
	sleep 0.2
	[ $rc -eq 0 ] && ok "$p: Chromium loaded it" || bad "$p: chromium --dump-dom exit $rc"
	if [ -n "$(page_requests)" ]; then bad "$p: network requests:"; page_requests | head -3; else ok "$p: no network request"; fi
	if grep -q 'CONSOLE' "$tmp/$p.chrome"; then bad "$p: console messages:"; grep 'CONSOLE' "$tmp/$p.chrome" | head -3; else ok "$p: no console error"; fi
	rows=$(grep -o '<g class="row' "$tmp/$p.dom" | wc -l)
	want=$(grep -o 'data-rows="[0-9]*"' "$tmp/$p.dom" | head -n 1 | tr -dc 0-9)
	if [ "$rows" -gt 0 ] && [ "$rows" = "$want" ]; then ok "$p: the timeline has its $rows rows in the DOM"; else bad "$p: timeline rows in the DOM: $rows (want ${want:-?})"; fi
	check "$p: the timeline table in the DOM" grep -q 'id="timeline-table"' "$tmp/$p.dom"
	if [ -s "$ART/$p.png" ] && [ "$(head -c 8 "$ART/$p.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
		ok "$p: screenshot $ART/$p.png"
	else
		bad "$p: no screenshot"
	fi
done
# the hostile page ran nothing: its DOM has no script or img element
if grep -Eiq '<script|<img' "$tmp/hostile.dom"; then bad "hostile: the DOM has a script or img element"; else ok "hostile: no script or img element in the DOM"; fi

echo "47-report-html: $fails failed"
[ "$fails" -eq 0 ]
