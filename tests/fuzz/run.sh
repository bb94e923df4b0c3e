#!/usr/bin/env bash
# tests/fuzz/run.sh - `make fuzz`: build tests/fuzz/fuzz_lint.c with clang's
# libFuzzer, ASan and UBSan against the library sources, seed it from
# tests/compiler/cases and plans/, and run it for FUZZ_SECONDS (default 60).
# The corpus grows in build/fuzz/corpus across runs; a crash leaves its input
# in build/fuzz/artifacts/ and fails the run.
set -u
cd "$(dirname "$0")/../.."
SECS=${FUZZ_SECONDS:-60}
CLANG=${CLANG:-clang}
OUT=build/fuzz   # under build/: ignored by git, removed by make clean
command -v "$CLANG" >/dev/null || { echo "fuzz: clang is not installed (apt-get install clang libclang-rt-14-dev)"; exit 2; }
mkdir -p "$OUT/obj" "$OUT/corpus" "$OUT/artifacts"
PKGS="yaml-0.1 libcurl jansson libpcre2-8"
FLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -fno-omit-frame-pointer \
 -Icompiler -Iruntime $(pkg-config --cflags $PKGS) -DOPSPLAN_DATADIR=\"/usr/local/share/opsplan\" \
 -fsanitize=address,undefined -fno-sanitize-recover=undefined"

# Rebuild an object when its source or any header is newer (headers are few).
# Objects go into an archive, so the target pulls in only what the compiler
# stages reach; a runtime file that does not compile right now is skipped.
newest_h=$(ls -t compiler/*.h runtime/*.h 2>/dev/null | head -1)
objs=()
for src in compiler/*.c runtime/*.c; do
	:
	obj=$OUT/obj/$(echo "$src" | tr / _).o
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_h" -nt "$obj" ]; then
		if ! "$CLANG" $FLAGS -fsanitize=fuzzer-no-link -c -o "$obj" "$src" 2>"$OUT/cc.err"; then
			echo "fuzz: skipping $src, it does not compile: $(grep -m1 error "$OUT/cc.err")"
			rm -f "$obj"
			continue
		fi
	fi
	objs+=("$obj")
done
rm -f "$OUT/libfuzz.a"
ar rcs "$OUT/libfuzz.a" "${objs[@]}"
if ! "$CLANG" $FLAGS -fsanitize=fuzzer -o "$OUT/fuzz_lint" tests/fuzz/fuzz_lint.c "$OUT/libfuzz.a" \
	$(pkg-config --libs $PKGS) -lm 2>"$OUT/ld.err"; then
	echo "fuzz: cannot link the target:"
	grep -E 'undefined reference|error' "$OUT/ld.err" | head -5
	exit 2
fi

# Seeds: every plan and compiler case there is; the target reads them as-is.
seeds=$OUT/seeds
rm -rf "$seeds"; mkdir -p "$seeds"
n=0
while IFS= read -r -d '' f; do
	cp "$f" "$seeds/$(echo "$f" | tr / _)"; n=$((n + 1))
done < <(find tests/compiler/cases plans -type f \( -name '*.yaml' -o -name '*.yml' \) -print0 2>/dev/null)
if [ "$n" -lt 5 ]; then
	# Too few shipped plans yet: add generated ones so the fuzzer starts deep.
	python3 bench/gen_corpus.py "$seeds/generated" 5 >/dev/null && mv "$seeds"/generated/* "$seeds"/ && rmdir "$seeds/generated"
	n=$((n + 5))
fi
echo "fuzz: $n seeds, $(ls "$OUT/corpus" | wc -l) corpus entries, ${SECS}s"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
"$OUT/fuzz_lint" "$OUT/corpus" "$seeds" -dict=tests/fuzz/yaml.dict -max_total_time="$SECS" \
	-max_len=16384 -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$OUT/artifacts/" 2>"$OUT/fuzz.log"
rc=$?
grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$OUT/fuzz.log" | tail -3
if [ "$rc" -ne 0 ]; then
	echo "fuzz: FAILED (exit $rc); the input is in $OUT/artifacts/, the report in $OUT/fuzz.log:"
	grep -E 'ERROR|SUMMARY|runtime error' "$OUT/fuzz.log" | head -5
	exit 1
fi
echo "fuzz: no crash in ${SECS}s"
