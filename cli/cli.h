/* cli.h - the subcommands of `opsplan`.  Each takes argv after the command
 * name (argv[0] is the command) and returns the process exit status.
 * ORDER CLI: the table in cli/main.c lists them with their one-line help. */
#ifndef OPSPLAN_CLI_H
#define OPSPLAN_CLI_H

#include <stdio.h>

#include "version.h"

/* Exit codes, documented in docs/operations.md.  Append only. */
enum {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1,      /* lint: findings; run: a step failed */
	EXIT_USAGE = 2,         /* bad usage or an I/O error */
	EXIT_CLUSTER = 3,       /* run: cannot reach or authenticate to the cluster */
	EXIT_STOPPED = 4,       /* run: stopped at a gate or by the user */
	EXIT_NOCOMPILE = 5,     /* run: the plan does not compile */
	EXIT_REFUSED = 6,       /* run --resume: another cluster, or a journal that fails verification */
};

int cli_lint(int argc, char **argv);
int cli_compile(int argc, char **argv);
int cli_graph(int argc, char **argv);
int cli_explain(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_runs(int argc, char **argv);
int cli_rbac(int argc, char **argv);

/* Print the --help text of a command to out; 0 found, -1 unknown command. */
int cli_help(const char *cmd, FILE *out);


#endif
