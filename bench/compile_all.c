/* compile_all.c - `opsplan compile` of many plans in one process, for the
 * benchmark: the whole compiler (load, schema, scopes, proofs, lints,
 * params) and the IR of each plan written out, as `opsplan compile PLAN`
 * does for one, minus a process start per plan.  The IR goes to /dev/null
 * through stdio so that writing it is counted too.
 * usage: compile_all [--no-ir] [-p NAME=VALUE]... FILE...
 *   -> "plans compiled, plans with errors, IR bytes" */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "diag.h"
#include "ir.h"

int main(int argc, char **argv)
{
	int ir = 1, first = 1;
	const char **params = calloc((size_t)argc + 1, sizeof *params);
	size_t nparams = 0;
	if (!params) {
		perror("compile_all");
		return 2;
	}
	for (; first < argc && argv[first][0] == '-'; first++) {
		if (!strcmp(argv[first], "--no-ir")) {
			ir = 0;
		} else if (!strcmp(argv[first], "-p") && first + 1 < argc) {
			params[nparams++] = argv[++first];
		} else {
			fprintf(stderr, "usage: compile_all [--no-ir] [-p NAME=VALUE]... FILE...\n");
			return 2;
		}
	}
	FILE *sink = fopen("/dev/null", "w");
	if (!sink) {
		perror("compile_all: /dev/null");
		return 2;
	}
	/* As the lint loop does (cli/cli_lint.c): each plan's memory is freed
	 * before the next is built, and without a trim threshold glibc hands
	 * the pages back and faults them in again for every plan. */
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
	size_t ok = 0, bad = 0, bytes = 0;
	for (int i = first; i < argc; i++) {
		struct diag_list d;
		diag_init(&d);
		/* as `opsplan compile -p ...`: a required param without a value is an error */
		struct compile_opts o = {params, nparams, 1, NULL};
		struct compiled *c = compile_file(argv[i], &o, &d);
		if (diag_errors(&d) || !c->graph) {
			bad++;
		} else {
			ok++;
			if (ir) {
				char *text = ir_emit(c->graph);
				size_t n = strlen(text);
				bytes += fwrite(text, 1, n, sink);
				free(text);
			}
		}
		compile_free(c);
		diag_release(&d);
	}
	fclose(sink);
	free(params);
	printf("%zu %zu %zu\n", ok, bad, bytes);
	return bad ? 1 : 0;
}
