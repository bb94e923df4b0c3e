/* cli_pending.c - commands that are not built yet.  Each says so plainly
 * and fails, so no script mistakes it for success.  Remove an entry when the
 * command is built. */
#include <stdio.h>

#include "cli.h"

static int pending(const char *cmd)
{
	fprintf(stderr, "opsplan: '%s' is not built yet in this version\n", cmd);
	return EXIT_USAGE;
}

int cli_rbac(int argc, char **argv) { (void)argc; (void)argv; return pending("rbac"); }
