#!/usr/bin/env bash
# Suite 51-sandbox-units: the sandbox's pure parts (patch types, selectors, the
# store's versions, preconditions and watch log) without starting anything.
set -u
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 tests/sandbox/test_units.py
