#!/usr/bin/env bash
# make demo: the Patroni hot fix, end to end, against a sandbox namespace.
#
# A miniature OpenShift namespace (tests/sandbox, docs/sandbox.md) runs a real
# 3-member Patroni cluster whose image declares Patroni 1.6.5; an application
# writes to it all along; `opsplan run` applies the hot fix with the default
# plan (plans/patroni-hotfix.yaml); then we look at what the application saw.
# The sandbox is taken down on the way out, whatever happens.
#
#   DEMO_KEEP=1      keep the journal and report directory (always printed)
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
OPSPLAN=${OPSPLAN:-$ROOT/bin/opsplan}
SB=$ROOT/tests/sandbox/sandbox
WRITER=$ROOT/tests/sandbox/writer
OUT=$(mktemp -d /tmp/opsplan-demo.XXXXXX)
chmod 755 "$OUT"   # the pods run as user postgres and live under it
SBDIR=$OUT/sandbox
NS=demo
CLUSTER=patroni-001
writer_pid=

b=; n=
if [ -t 1 ]; then b=$(tput bold 2>/dev/null || true); n=$(tput sgr0 2>/dev/null || true); fi
heading() { printf '\n%s== %s%s\n' "$b" "$1" "$n"; shift; for l in "$@"; do printf '   %s\n' "$l"; done; echo; }
die() { echo "demo: $*" >&2; exit 1; }

cleanup() {
	[ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null
	if [ -d "$SBDIR" ]; then
		echo
		echo "== Taking the sandbox down (every process it started)"
		"$SB" down --dir "$SBDIR" >/dev/null 2>&1 || echo "   sandbox down reported a leftover process (see $SBDIR/logs)"
		rm -rf "$SBDIR"
	fi
	echo "   journal and report kept in $OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$OPSPLAN" ] || die "$OPSPLAN is not built (make all)"
command -v kubectl >/dev/null || die "kubectl is missing (make deps)"
command -v jq >/dev/null || die "jq is missing"

# pods_table: name, role, Patroni version the image declares, image digest.
pods_table() {
	kubectl get pods -l cluster-name=$CLUSTER -o json | jq -r '
		["POD", "ROLE", "READY", "PATRONI (image)", "IMAGE DIGEST"],
		(.items[] | [.metadata.name, (.metadata.labels.role // "-"),
			([.status.conditions[]? | select(.type == "Ready") | .status][0] // "-"),
			(.metadata.annotations["sandbox.opsplan.io/image-patroni-version"] // "-"),
			((.status.containerStatuses[0].imageID // "-") | sub(".*@"; "") | .[0:19])]) | @tsv' |
		column -t -s $'\t' | sed 's/^/   /'
}

heading "1. A namespace with a Patroni cluster on the buggy Patroni 1.6.5" \
	"Patroni 1.6.5 can take the database down when a node restarts (zalando/patroni#1508)." \
	"The sandbox is a small OpenShift API server on this machine with real Patroni and" \
	"PostgreSQL processes as pods, seeded like the BC Gov templates: StatefulSet $CLUSTER" \
	"(3 members, updateStrategy OnDelete), BuildConfig patroni-postgres, ImageStream" \
	"patroni-postgres:15-stable. Images only *declare* their Patroni version."
t0=$(date +%s)
up() { "$SB" up --dir "$SBDIR" --namespace $NS --cluster $CLUSTER --members 3 2>>"$OUT/sandbox-up.log" | tail -n 1; }
KC=$(up)
[ -f "$KC" ] || { tail -n 5 "$OUT/sandbox-up.log"; die "the sandbox did not come up (log: $OUT/sandbox-up.log)"; }
export KUBECONFIG=$KC
echo "   sandbox up in $(( $(date +%s) - t0 )) s; kubeconfig $KC"
echo
pods_table
echo
kubectl exec $CLUSTER-0 -- patronictl list 2>/dev/null | sed 's/^/   /'

heading "2. An application writes to the database all along" \
	"One INSERT every 20 ms through the $CLUSTER-master Service, as an application would." \
	"At the end it tells how many writes failed, the longest gap between two" \
	"acknowledged writes, and whether every acknowledged row is still there."
"$WRITER" --dir "$SBDIR" --seconds 0 --ready-file "$OUT/writer.ready" >"$OUT/writer.json" 2>"$OUT/writer.err" &
writer_pid=$!
for _ in $(seq 100); do [ -e "$OUT/writer.ready" ] && break; sleep 0.1; done
[ -e "$OUT/writer.ready" ] || die "the writer did not start: $(tail -n 3 "$OUT/writer.err")"
echo "   writer running (pid $writer_pid)"

heading "3. opsplan runs the hot fix: the default plan, no plan file given" \
	"The plan checks what the procedure asks a human to check (members, lag, disk, no" \
	"redeploy on image change, BuildConfig from the running PostgreSQL), builds the image" \
	"with Patroni 2.0.1 BEFORE maintenance mode (the build changes nothing running), then" \
	"pauses, tags, replaces the replicas one at a time, resumes, switches the leader over" \
	"to an upgraded member and replaces the old leader. --yes answers the two gates" \
	"(backup confirmed and start of maintenance; the switchover)." \
	"" \
	"\$ opsplan run -n $NS -p cluster=$CLUSTER -p version_annotation=sandbox.opsplan.io/image-patroni-version --yes" \
	"  (version_annotation: the sandbox declares the Patroni version in a pod annotation;" \
	"   on a real cluster the plan asks Patroni's REST API.)"
t0=$(date +%s.%N)
"$OPSPLAN" run -n $NS -p cluster=$CLUSTER -p version_annotation=sandbox.opsplan.io/image-patroni-version \
	--yes --journal "$OUT/journal" --report "$OUT/report.md" >"$OUT/report.txt"
rc=$?
t_run=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

kill -TERM "$writer_pid" 2>/dev/null
wait "$writer_pid" 2>/dev/null
writer_pid=

heading "4. The report (opsplan run's own, from its journal)" \
	"One line per step; the full report with every assertion's evidence is $OUT/report.txt" \
	"(Markdown for a change ticket: $OUT/report.md). 'Patroni 3.0.2' below is what every" \
	"sandbox pod really runs (Debian's package); the version the image declares, 2.0.1, is" \
	"what the plan checked, through version_annotation."
# The steps table without the evidence lines, then brackets, windows, gates.
awk '/^steps$/ { s = 1 } /^brackets$/ { s = 2 } s == 1 && !/^             / { print "   " $0 }
	s == 2 { print "   " $0 }' "$OUT/report.txt" | cut -c1-130
[ -s "$OUT/report.txt" ] || echo "   (no report: opsplan run exited $rc)"

heading "5. After: every pod on the new image, the leader moved, management on"
pods_table
echo
kubectl exec $CLUSTER-0 -- patronictl list 2>/dev/null | sed 's/^/   /'

heading "6. What the application saw"
if jq -e . "$OUT/writer.json" >/dev/null 2>&1; then
	jq -r '"   writes attempted       \(.writes)",
	       "   acknowledged           \(.acknowledged)",
	       "   failed                 \(.failed)   (expected around the switchover only: for about a second no member accepts writes)",
	       "   longest gap            \(.longest_gap_s) s (at \(.longest_gap_at_s) s)",
	       "   acknowledged rows lost \(.lost)"' "$OUT/writer.json"
	lost=$(jq -r .lost "$OUT/writer.json")
else
	echo "   the writer printed no report: $(tail -n 3 "$OUT/writer.err")"
	lost=unknown
fi
maint=$(grep -m1 '^time in maintenance:' "$OUT/report.txt" | sed 's/^time in maintenance: //')
echo
echo "   plan wall time ${t_run} s, of which in maintenance mode (no failover): ${maint:-unknown}"
if [ "$rc" = 0 ] && [ "$lost" = 0 ]; then
	echo "   ${b}Done: Patroni upgraded on every member, no acknowledged write lost.${n}"
else
	echo "   ${b}opsplan run exited $rc; rows lost: $lost. See $OUT/report.txt.${n}"
	exit 1
fi
