#!/usr/bin/env bash
# Run every test suite after the unit tests: each tests/suites.d/NN-name.sh is
# one suite; it exits 0 on success, 77 when it cannot run here (skipped,
# counted as such, never as passed).  Prints a closing "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
: "${OPSPLAN:?set OPSPLAN to the binary under test}"
export OPSPLAN
pass=0; fail=0; failed=(); skipped=0
# Under SAN=1 the point is the sanitized opsplan: suites that never run it
# (the Python sandbox's own checks, the fuzzer with its own ASan build) ran
# in the plain pass already, and the executor suites take a sample of their
# crash points and scenarios so that CI stays well under 20 minutes.
SAN_SKIP=" 50-sandbox 51-sandbox-units 80-fuzz-short "
if [ "${SAN:-0}" = 1 ]; then
	export OPSPLAN_CRASH_POINTS=${OPSPLAN_CRASH_POINTS:-"intent:2 sent:4 step-end:3 step-end:9"}
	export E2E_ONLY=${E2E_ONLY:-"e2e kill-sw"}
	# the resume scenarios that exercise the most C (the outages are waits)
	export RESUME63_ONLY=${RESUME63_ONLY:-"sigterm other exec"}
fi
for s in tests/suites.d/*.sh; do
	[ -e "$s" ] || continue
	name=$(basename "$s" .sh)
	if [ "${SAN:-0}" = 1 ] && [[ "$SAN_SKIP" == *" $name "* ]]; then
		echo "== suite $name: skipped under SAN=1 (it does not run the sanitized binary; the plain pass ran it)"
		skipped=$((skipped + 1))
		continue
	fi
	echo "== suite $name"
	start=$(date +%s)
	bash "$s"
	rc=$?
	if [ $rc = 0 ]; then
		pass=$((pass + 1)); echo "-- $name: ok ($(( $(date +%s) - start ))s)"
	elif [ $rc = 77 ]; then
		# a suite that cannot run here says why and exits 77 (automake's SKIP)
		skipped=$((skipped + 1)); echo "-- $name: SKIPPED ($(( $(date +%s) - start ))s)"
	else
		fail=$((fail + 1)); failed+=("$name"); echo "-- $name: FAILED ($(( $(date +%s) - start ))s)"
	fi
done
[ ${#failed[@]} -eq 0 ] || echo "failed suites: ${failed[*]}"
echo "suites: $pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
