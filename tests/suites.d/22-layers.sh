#!/usr/bin/env bash
# Suite 22-layers: the rooms of the house (docs/hacking.md) and what each may
# reach.  compiler/ knows nothing of runtime/ or cli/; runtime/ knows nothing
# of cli/ and never loads a plan (it reads the IR; its one YAML read is the
# kubeconfig, through yaml_load_file_as); runtime/action_*.c reach the cluster
# through kube.h only (never kube_int.h).  Checked on the sources (includes)
# and on the built libraries (symbols), so a call that slipped past the
# include rule (a local prototype) is caught too.
set -u
cd "$(dirname "$0")/../.."
BUILD=build; [ "${SAN:-0}" = 1 ] && BUILD=build-san
fail=0
ok()  { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

# headers that exist in a room
hdrs() { (cd "$1" && ls *.h 2>/dev/null) | sort -u; }
includes_of() {   # FILES... -> "file: header" for every quoted include
	grep -Ho '#include "[^"]*"' "$@" 2>/dev/null | sed 's/#include "\(.*\)"/\1/'
}
check_includes() {   # ROOM FORBIDDEN-ROOM...
	local room=$1; shift
	local hits=""
	for other in "$@"; do
		for h in $(hdrs "$other"); do
			[ -f "$room/$h" ] && continue   # a header of the same name in the room itself
			hits+=$(includes_of "$room"/*.c "$room"/*.h | grep ":$h\$")
		done
	done
	if [ -z "$hits" ]; then ok "$room/ includes nothing from $*"; else bad "$room/ includes from $*: $hits"; fi
}
check_includes compiler runtime cli
check_includes runtime cli

hits=$(grep -l '#include "kube_int.h"' runtime/action_*.c 2>/dev/null)
if [ -z "$hits" ]; then ok "no runtime/action_*.c includes kube_int.h (actions use kube.h)"; else bad "actions include kube_int.h: $hits"; fi

# symbols: what each library needs must come from itself, a lower room or the system
[ -f $BUILD/libcompiler.a ] && [ -f $BUILD/libruntime.a ] && [ -f $BUILD/libcli.a ] || {
	bad "the libraries are not built ($BUILD/lib{compiler,runtime,cli}.a): make first"; exit 1; }
defined() { nm -g --defined-only "$@" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u; }
undef()   { nm -u "$1" 2>/dev/null | awk '{ print $NF }' | sort -u; }
up=$(comm -12 <(undef $BUILD/libcompiler.a) <(defined $BUILD/libruntime.a $BUILD/libcli.a) | tr '\n' ' ')
if [ -z "$up" ]; then ok "libcompiler.a calls nothing in runtime/ or cli/"; else bad "libcompiler.a calls upwards: $up"; fi
up=$(comm -12 <(undef $BUILD/libruntime.a) <(defined $BUILD/libcli.a) | tr '\n' ' ')
if [ -z "$up" ]; then ok "libruntime.a calls nothing in cli/"; else bad "libruntime.a calls into cli/: $up"; fi
loads=$(undef $BUILD/libruntime.a | grep -E '^(compile_file|compile_mem|yaml_load_file|yaml_load_mem|plan_check[a-z_]*)$' | tr '\n' ' ')
if [ -z "$loads" ]; then ok "the runtime never loads a plan (its YAML read is the kubeconfig's yaml_load_file_as)"
else bad "the runtime loads plans: $loads"; fi

# the check itself bites: a compiler file that includes a runtime header is caught
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/compiler" "$tmp/runtime" "$tmp/cli"
printf '#include "kube.h"\n' > "$tmp/compiler/x.c"; : > "$tmp/runtime/kube.h"
if (cd "$tmp" && includes_of compiler/*.c | grep -q ':kube.h$'); then ok "the include check finds a planted violation"
else bad "the include check missed a planted violation"; fi
exit $fail
