/* load_only.c - the loader's share of lint: yaml_load_file on each file
 * (tree, locations, every loading check) and nothing after it.
 * usage: load_only FILE... -> prints the number of diagnostics */
#include <stdio.h>

#include "diag.h"
#include "yaml_load.h"

int main(int argc, char **argv)
{
	size_t n = 0;
	for (int i = 1; i < argc; i++) {
		struct diag_list d;
		diag_init(&d);
		struct ydoc *doc = yaml_load_file(argv[i], &d);
		n += d.n;
		diag_release(&d);
		yaml_load_free(doc);
	}
	printf("%zu\n", n);
	return 0;
}
