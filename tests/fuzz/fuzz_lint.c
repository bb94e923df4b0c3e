/* fuzz_lint.c - libFuzzer target: bytes -> loader -> every compile stage ->
 * every printer, as `opsplan lint` runs them.  Any crash, sanitizer report,
 * leak or input that takes seconds is a bug. */
#include <stdint.h>
#include <stdio.h>

#include "compile.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	struct diag_list d;
	diag_init(&d);
	struct compile_opts o = {0};
	struct compiled *c = compile_mem("fuzz.yaml", (const char *)data, size, &o, &d);
	diag_sort(&d);
	if (devnull) {
		diag_print(&d, DIAG_TEXT, 1, devnull);
		diag_print(&d, DIAG_JSON, 0, devnull);
		diag_print(&d, DIAG_SARIF, 0, devnull);
		diag_print(&d, DIAG_GITHUB, 0, devnull);
	}
	/* Printing reads the source, so the list goes before the document. */
	diag_release(&d);
	compile_free(c);
	return 0;
}
