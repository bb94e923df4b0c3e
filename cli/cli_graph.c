/* cli_graph.c - `opsplan graph`: the step graph for Graphviz or Mermaid. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_compile.h"
#include "graph.h"

int cli_graph(int argc, char **argv)
{
	struct cli_plan_args a;
	int rc = cli_plan_parse(argc, argv, "pf", &a);
	if (rc != 0)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	const char *fmt = a.format ? a.format : "dot";
	if (strcmp(fmt, "dot") != 0 && strcmp(fmt, "mermaid") != 0) {
		fprintf(stderr, "opsplan graph: unknown format '%s' (dot or mermaid)\n", fmt);
		cli_params_release(&a.cp);
		return EXIT_USAGE;
	}
	struct diag_list d;
	int code;
	struct compiled *c = cli_plan_compile(&a, &d, &code);
	if (code == EXIT_OK) {
		if (!strcmp(fmt, "dot"))
			graph_write_dot(c->graph, stdout);
		else
			graph_write_mermaid(c->graph, stdout);
		if (fflush(stdout) != 0)
			code = EXIT_USAGE;
	}
	cli_plan_release(&a, c, &d);
	return code;
}
