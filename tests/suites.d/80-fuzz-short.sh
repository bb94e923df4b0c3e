#!/usr/bin/env bash
# 80-fuzz-short: about 20 seconds of libFuzzer over loader + compile stages +
# printers (tests/fuzz/run.sh; `make fuzz` runs it longer).  Skipped, saying
# so, when clang or its fuzzer runtime is missing.
set -u
cd "$(dirname "$0")/../.."
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' > "$probe/p.c"
if ! command -v clang >/dev/null; then
	echo "  skip: clang is not installed (apt-get install clang libclang-rt-14-dev)"
	exit 77
fi
if ! clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" 2>"$probe/err"; then
	echo "  skip: clang cannot link a libFuzzer target (install libclang-rt-14-dev): $(head -1 "$probe/err")"
	exit 77
fi
FUZZ_SECONDS=${FUZZ_SECONDS:-20} bash tests/fuzz/run.sh
