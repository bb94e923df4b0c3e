#!/usr/bin/env bash
# 21-diagnostics-doc: docs/diagnostics.md documents every code of
# compiler/diag_codes.h with its slug and severity, and no code that does not
# exist.  Whoever appends a code appends its section.
set -u
cd "$(dirname "$0")/../.."
codes=compiler/diag_codes.h doc=docs/diagnostics.md
[ -f "$doc" ] || { echo "  FAIL $doc is missing"; exit 1; }
fails=0
n=0
while read -r code sev slug; do
	n=$((n + 1))
	want="### $code \`$slug\` ($sev)"
	if ! grep -qxF "$want" "$doc"; then
		echo "  FAIL $doc lacks the heading: $want"
		fails=$((fails + 1))
	fi
done < <(sed -nE 's/^X\((OP[0-9]+), *DIAG_([A-Z]+), *"([^"]+)".*/\1 \2 \3/p' "$codes" |
	 awk '{print $1, tolower($2), $3}')
[ "$n" -gt 0 ] || { echo "  FAIL no codes found in $codes"; exit 1; }
for code in $(sed -nE 's/^### (OP[0-9]+) .*/\1/p' "$doc"); do
	if ! grep -qE "^X\($code," "$codes"; then
		echo "  FAIL $doc documents $code, which $codes does not have"
		fails=$((fails + 1))
	fi
done
dups=$(sed -nE 's/^### (OP[0-9]+) .*/\1/p' "$doc" | sort | uniq -d)
[ -z "$dups" ] || { echo "  FAIL documented twice: $dups"; fails=$((fails + 1)); }
echo "21-diagnostics-doc: $n codes, $fails problems"
[ "$fails" = 0 ]
