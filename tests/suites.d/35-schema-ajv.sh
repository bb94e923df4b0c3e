#!/usr/bin/env bash
# Suite 35: schema/plan.schema.json and opsplan agree.
#
# Every compiler case whose first line is `# schema: valid` or
# `# schema: invalid` is a schema-level case: its problems (or their absence)
# are about keys, types and formats, which JSON Schema can express.  Each is
# converted to JSON (js-yaml, YAML 1.2 booleans like opsplan's loader) and
# validated with ajv (draft 2020-12); ajv's verdict, `opsplan lint`'s verdict
# and the mark must all agree.  Cases marked `# schema: beyond` (duplicate ids,
# regex validity, defaults against match/enum...) and cases without a mark
# (expression and graph stages) are not schema-level.  The shipped plans must
# be valid for both.
set -u
cd "$(dirname "$0")/../.."
: "${OPSPLAN:?set OPSPLAN to the binary under test}"
AJV=tests/node_modules/.bin/ajv
SCHEMA=${OPSPLAN_PLAN_SCHEMA:-schema/plan.schema.json}
if [ ! -x "$AJV" ] || ! command -v node >/dev/null; then
	echo "35-schema-ajv: ajv or node missing: run 'make deps'" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name<TAB>mark<TAB>yaml path, for every file checked
: >"$tmp/list"
for f in tests/compiler/cases/*.yaml; do
	mark=$(head -n 1 "$f" | sed -n 's/^# schema: \(valid\|invalid\|beyond\)$/\1/p')
	case "$mark" in valid|invalid) printf '%s\t%s\t%s\n' "$(basename "$f" .yaml)" "$mark" "$f" >>"$tmp/list" ;; esac
done
for f in plans/*.yaml; do
	printf '%s\t%s\t%s\n' "plan-$(basename "$f" .yaml)" valid "$f" >>"$tmp/list"
done
n=$(wc -l <"$tmp/list")
# Fewer than this means the marks were lost, not that all is well.
if [ "$n" -lt 60 ]; then
	echo "35-schema-ajv: only $n schema-level files found, expected at least 60" >&2
	exit 1
fi

# YAML -> JSON, one node process for all files.
mkdir -p "$tmp/json"
cut -f1,3 "$tmp/list" >"$tmp/pairs"
NODE_PATH=tests/node_modules node -e '
const fs = require("fs"), yaml = require("js-yaml");
const [pairs, out] = process.argv.slice(1);
for (const line of fs.readFileSync(pairs, "utf8").split("\n")) {
	if (!line) continue;
	const [name, path] = line.split("\t");
	try {
		const doc = yaml.safeLoad(fs.readFileSync(path, "utf8"));
		fs.writeFileSync(out + "/" + name + ".json", JSON.stringify(doc === undefined ? null : doc));
	} catch (e) {
		console.error(path + ": js-yaml: " + e.message);
		process.exitCode = 1;
	}
}' "$tmp/pairs" "$tmp/json" || { echo "35-schema-ajv: YAML conversion failed" >&2; exit 1; }

"$AJV" compile --spec=draft2020 -s "$SCHEMA" >/dev/null || { echo "35-schema-ajv: the schema does not compile" >&2; exit 1; }
"$AJV" validate --spec=draft2020 -s "$SCHEMA" -d "$tmp/json/*.json" >"$tmp/ajv.out" 2>&1
fail=0
while IFS=$'\t' read -r name mark path; do
	if grep -qx "$tmp/json/$name.json valid" "$tmp/ajv.out"; then
		ajv=valid
	elif grep -qx "$tmp/json/$name.json invalid" "$tmp/ajv.out"; then
		ajv=invalid
	else
		echo "FAIL $name: no ajv verdict" >&2
		fail=$((fail + 1))
		continue
	fi
	"$OPSPLAN" lint "$path" >"$tmp/lint.out" 2>&1
	rc=$?
	case $rc in
	0) lint=valid ;;
	1) lint=invalid ;;
	*) echo "FAIL $name: opsplan lint exited $rc" >&2; cat "$tmp/lint.out" >&2; fail=$((fail + 1)); continue ;;
	esac
	if [ "$ajv" != "$mark" ] || [ "$lint" != "$mark" ]; then
		echo "FAIL $name ($path): marked $mark, ajv says $ajv, opsplan lint says $lint" >&2
		if [ "$ajv" != "$mark" ]; then
			awk -v f="$tmp/json/$name.json" '$0 ~ "^" f {p=1; print; next} /^\/.*\.json (valid|invalid)$/ {p=0} p' \
				"$tmp/ajv.out" | head -n 20 >&2
		fi
		[ "$lint" = "$mark" ] || head -n 20 "$tmp/lint.out" >&2
		fail=$((fail + 1))
	fi
done <"$tmp/list"
echo "35-schema-ajv: $n files, $((n - fail)) agree, $fail disagree"
[ "$fail" -eq 0 ]
