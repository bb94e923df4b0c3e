/* cli_compile.h - what `compile`, `graph` and `explain` share: their
 * arguments, compiling the plan and printing its diagnostics to stderr. */
#ifndef OPSPLAN_CLI_COMPILE_H
#define OPSPLAN_CLI_COMPILE_H

#include <stddef.h>
#include "cli_params.h"
#include "compile.h"
#include "diag.h"

struct cli_plan_args {
	const char *cmd;         /* "compile", for messages */
	const char *plan;
	const char **params;     /* "name=value": --params-file entries then -p (borrowed from cp) */
	size_t nparams;
	struct cli_params cp;    /* owns what params points into */
	const char *out;         /* -o FILE */
	const char *format;      /* --format */
	const char *assume;      /* --assume */
};

/* Parse argv (argv[0] is the command); allowed: the options the command
 * takes, as a string of letters: 'p' -p and --params-file, 'o' -o, 'f' --format,
 * 'a' --assume.
 * Returns -1 after printing a usage error, 1 after printing --help, 0 ok.
 * On 0 a->params is allocated (cli_plan_release, or cli_params_release of
 * a->cp, frees it); otherwise nothing is left to free. */
int cli_plan_parse(int argc, char **argv, const char *allowed, struct cli_plan_args *a);

/* Compile a->plan with its -p values (required params enforced), print the
 * diagnostics to stderr.  *exit_code: EXIT_OK, EXIT_FINDINGS (errors) or
 * EXIT_USAGE (the file could not be read).  Caller frees the result and the
 * list (the list after the result: it borrows the sources). */
struct compiled *cli_plan_compile(const struct cli_plan_args *a, struct diag_list *d, int *exit_code);

/* Free what cli_plan_parse and cli_plan_compile gave: c (may be NULL), then
 * the list d it borrows from, then a's params. */
void cli_plan_release(struct cli_plan_args *a, struct compiled *c, struct diag_list *d);

#endif
