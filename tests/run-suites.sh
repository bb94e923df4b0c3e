#!/usr/bin/env bash
# Run every test suite after the unit tests: each tests/suites.d/NN-name.sh is
# one suite; it exits 0 on success.  Prints a closing "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
: "${OPSPLAN:?set OPSPLAN to the binary under test}"
export OPSPLAN
pass=0; fail=0; failed=()
for s in tests/suites.d/*.sh; do
	[ -e "$s" ] || continue
	name=$(basename "$s" .sh)
	echo "== suite $name"
	start=$(date +%s)
	if bash "$s"; then
		pass=$((pass + 1)); echo "-- $name: ok ($(( $(date +%s) - start ))s)"
	else
		fail=$((fail + 1)); failed+=("$name"); echo "-- $name: FAILED ($(( $(date +%s) - start ))s)"
	fi
done
[ ${#failed[@]} -eq 0 ] || echo "failed suites: ${failed[*]}"
echo "suites: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
