#!/usr/bin/env bash
# Suite 62-crash-resume: the default plan (plans/patroni-hotfix.yaml) is
# SIGKILLed after every distinct (record kind, step) pair of its journal,
# then resumed, against one sandbox (issue 9, "Must show": the crash suite).
#
# A reference run gives the ordered list of distinct (kind, step) pairs
# (run-end and the finally steps' records left out).  To fit the budget the
# kill points are taken in chains: a run is killed after the first remaining
# pair (OPSPLAN_TEST_KILL=at:KIND:STEP), its --resume is killed after the
# next one, and so on; after each kill the journal's last record must be
# that pair.  A session that ends 0 ends its chain (the pair it aimed at did
# not come again in that session: the next chain starts with it); any other
# exit is a failure.  Each chain must leave, like one clean run: exactly one
# build (BuildConfig lastVersion +1), every member deleted exactly once and
# no replacement pod deleted (the sandbox's request trace), one switchover
# (timeline +1), management resumed, every member running with lag 0, and a
# writer that lost no acknowledged row.  The cluster is not reset between
# chains beyond waiting for it to be healthy: every chain after the reference
# run runs the hot fix on an already upgraded cluster.
#
# SAN=1 (or CRASH62_EVERY=N) takes every Nth pair (5 under SAN=1).
set -u
cd "$(dirname "$0")/../.."
: "${OPSPLAN:?set OPSPLAN to the binary under test}"
export OPSPLAN
DIR=$(mktemp -d /tmp/opsplan-cr62.XXXXXX)
chmod 755 "$DIR"   # the pods run as user postgres and live under it
SBX=$DIR/sbx
J=$DIR/journal
OUT=$DIR/out
mkdir -p "$OUT"
. tests/e2e/lib.sh
fail=0
ok()   { echo "ok   $*"; }
bad()  { echo "FAIL $*"; fail=1; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
cleanup() {
	writer_stop
	"$E2E_SB" down --dir "$SBX" >/dev/null 2>&1 || echo "FAIL sandbox down left a process"
	[ -n "${KEEP:-}" ] || rm -rf "$DIR"
}
trap cleanup EXIT
newest_run() { ls -t "$J"/*.jsonl 2>/dev/null | head -n 1; }
# no session of a healthy run takes a minute (a whole run: ~20 s); a wedged one fails its chain
SESSION_TIMEOUT=${CRASH62_SESSION_TIMEOUT:-150}
EVERY=${CRASH62_EVERY:-1}
[ "${SAN:-0}" = 1 ] && EVERY=${CRASH62_EVERY:-5}
T0=$(date +%s)

KC=$(OPSPLAN_SANDBOX_TRACE=1 "$E2E_SB" up --dir "$SBX" 2>"$OUT/up.err" | tail -n 1)
if [ ! -f "$KC" ]; then
	"$E2E_SB" down --dir "$SBX" >/dev/null 2>&1
	KC=$(OPSPLAN_SANDBOX_TRACE=1 "$E2E_SB" up --dir "$SBX" 2>"$OUT/up.err" | tail -n 1)
fi
if [ ! -f "$KC" ]; then bad "sandbox up: $(tail -n 2 "$OUT/up.err")"; exit 1; fi
export KUBECONFIG=$KC
ok "sandbox up"

# ---- the reference run ------------------------------------------------------------
healthy_wait || bad "reference: the cluster is not healthy before the run"
V0=$(bc_version); TL0=$(timeline); U0=$(pod_uids); M0=$(api_mark)
t=$(date +%s)
run_plan --yes >"$OUT/ref.out" 2>"$OUT/ref.err"
rc=$?
REF=$(newest_run)
check "reference run exits 0 in $(( $(date +%s) - t )) s ($(wc -l <"$REF") records)" [ $rc = 0 ]
[ $rc = 0 ] || { tail -n 15 "$OUT/ref.err"; exit 1; }
c=false
[ "$(bc_version)" = $(( V0 + 1 )) -a "$(timeline)" = $(( TL0 + 1 )) ] && deleted_once "$U0" "$M0" && c=true
check "reference run: one build, one switchover, every member deleted once" $c
FIN=$("$OPSPLAN" compile plans/patroni-hotfix.yaml -p cluster=$E2E_CL 2>/dev/null | jq -r '[.finally[].id] | join(" ")')
# the ordered distinct (kind, step) pairs, as KIND:STEP
mapfile -t ALL < <(jq -r --arg fin " $FIN " 'select(.kind != "run-end")
	| (.data.step // "-") as $s | select(($fin | index(" " + $s + " ")) | not) | "\(.kind):\($s)"' "$REF" | awk '!seen[$0]++')
PAIRS=()
for (( k = 0; k < ${#ALL[@]}; k += EVERY )); do PAIRS+=("${ALL[k]}"); done
echo "     ${#ALL[@]} distinct (kind, step) pairs in the reference run; killing at ${#PAIRS[@]} of them (every $EVERY)"
printf '%s\n' "${ALL[@]}" >"$OUT/pairs.txt"

# ---- the chains ---------------------------------------------------------------------
covered=0; chains=0; sessions=0; failed_pairs=()
# session KILL RUN: one session (a fresh run when RUN is empty, else --resume RUN),
# killed at KILL (empty: not killed); sets rc, run, serr
session() {
	local kill=$1 id=$2 env=()
	[ -n "$kill" ] && env=(OPSPLAN_TEST_KILL="at:$kill")
	sessions=$(( sessions + 1 ))
	serr=$OUT/s$sessions.err
	if [ -z "$id" ]; then
		( env "${env[@]}" timeout "$SESSION_TIMEOUT" "$OPSPLAN" run "${E2E_PARAMS[@]}" --journal "$J" --yes \
			</dev/null >"$OUT/s$sessions.out" 2>"$serr"; exit $? ) 2>/dev/null   # no "Killed" from bash
		rc=$?
		run=$(newest_run)
	else
		( env "${env[@]}" timeout "$SESSION_TIMEOUT" "$OPSPLAN" run --resume "$id" --journal "$J" --yes \
			</dev/null >"$OUT/s$sessions.out" 2>"$serr"; exit $? ) 2>/dev/null
		rc=$?
	fi
}
i=0
n=${#PAIRS[@]}
while [ $i -lt $n ]; do
	chains=$(( chains + 1 ))
	healthy_wait || { bad "chain $chains: the cluster is not healthy before it"; ensure_resumed; healthy_wait; }
	V=$(bc_version); TL=$(timeline); U=$(pod_uids); M=$(api_mark)
	was=$(pods_json | jq -r '[.items[].metadata.annotations["sandbox.opsplan.io/image-patroni-version"]] | unique | join(",")')
	writer_start "$OUT/c$chains.writer" || bad "chain $chains: the writer did not start"
	first=$i; killed=(); chain_ok=1
	session "${PAIRS[i]}" ""
	id=$(run_id "$run")
	while :; do
		if [ $rc = 137 ]; then
			want="${PAIRS[i]%%:*} ${PAIRS[i]#*:}"
			got=$(last_record "$run")
			if [ "$got" = "$want" ]; then
				covered=$(( covered + 1 )); killed+=("${PAIRS[i]}")
			else
				bad "chain $chains: killed at ${PAIRS[i]}, but the journal's last record is '$got'"
				failed_pairs+=("${PAIRS[i]}")
			fi
			i=$(( i + 1 ))
			if [ $i -lt $n ]; then session "${PAIRS[i]}" "$id"; else session "" "$id"; fi
			continue
		fi
		if [ $rc = 0 ]; then
			# the chain finished before reaching PAIRS[i] (or with no kill left)
			if [ $i = $first ] && [ $i -lt $n ]; then
				bad "chain $chains: a fresh run never reached ${PAIRS[i]} (it ended 0)"
				failed_pairs+=("${PAIRS[i]}"); i=$(( i + 1 ))
			fi
			break
		fi
		prev=${killed[${#killed[@]}-1]:-a fresh start}
		bad "chain $chains: session $sessions (resumed after the kill at $prev, aiming at ${PAIRS[i]:-the end}) exited $rc"
		sed 's/^/       /' "$serr" | grep -v '^       *$' | tail -n 8
		echo "       journal tail:"; tail -n 4 "$run" | jq -c '{seq, kind, step: .data.step, item: .data.item_index, status: .data.status, error: .data.error}' | sed 's/^/         /'
		failed_pairs+=("after:$prev")
		[ ${#killed[@]} = 0 ] && i=$(( i + 1 ))   # a fresh run that fails: do not start the next chain at the same pair
		chain_ok=0
		break
	done
	writer_stop
	what="chain $chains (${#killed[@]} kills: ${killed[0]:-none} .. ${killed[${#killed[@]}-1]:-none})"
	if [ $chain_ok = 1 ]; then
		D=$(jq_journal "$run" 'result("build").get("digest")')
		check "$what, on a cluster already declaring Patroni $was: exactly one build ($V -> $(bc_version)) and one switchover (timeline $TL -> $(timeline))" \
			[ "$(bc_version)" = $(( V + 1 )) -a "$(timeline)" = $(( TL + 1 )) ]
		check "$what: every member deleted exactly once, no replacement deleted" deleted_once "$U" "$M"
		c=false
		all_pods_on "$D" 2.0.1 && [ "$(paused)" = false ] && all_running_lag0 && c=true
		check "$what: every pod on the new digest, management resumed, every member running with lag 0" $c
	else
		ensure_resumed || bad "chain $chains: could not resume the cluster by hand"
		# the failed run may hold the namespace lock (a session ended by the
		# timeout); the next chain is a fresh run, so drop it (only ours: $J is this suite's)
		if ls "$J"/locks/*.lock >/dev/null 2>&1; then
			echo "     (chain $chains failed: removing its stale lock so the next chain can start)"
			rm -f "$J"/locks/*.lock
		fi
	fi
	check "$what: the writer lost no acknowledged row ($(writer_says "$OUT/c$chains.writer"))" writer_ok "$OUT/c$chains.writer"
done

echo "     figures: $covered of ${#PAIRS[@]} kill points covered (${#ALL[@]} pairs in the reference run), $chains chains, $sessions sessions, wall $(( $(date +%s) - T0 )) s"
[ ${#failed_pairs[@]} = 0 ] || echo "     failed kill points: ${failed_pairs[*]}"
[ $fail = 0 ]
