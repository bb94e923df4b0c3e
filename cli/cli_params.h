/* cli_params.h - parameter values from the command line: -p NAME=VALUE,
 * -p NAME=@PATH (the value is the file's content, one trailing newline
 * dropped; '@@' starts a value that begins with a literal '@') and
 * --params-file FILE (a YAML or JSON mapping of names to values; several
 * allowed, later files win, -p wins over every file).
 *
 * The values may be secrets: messages name files and parameters, never a
 * value, and the strings are wiped before they are freed. */
#ifndef OPSPLAN_CLI_PARAMS_H
#define OPSPLAN_CLI_PARAMS_H

#include <stddef.h>

struct cli_params {
	const char **list;       /* "name=value": the files' entries, then -p; borrowed from owned */
	size_t n;
	char **owned;            /* every string made here */
	size_t nowned;
	char **cli;              /* -p entries, in order, until cli_params_finish */
	size_t ncli;
	char **files;            /* params-file entries */
	size_t nfiles;
};

/* One -p argument; cmd names the command in messages.  0, or -1 after
 * printing what is wrong. */
int cli_params_add(struct cli_params *p, const char *arg, const char *cmd);

/* One --params-file.  0, or -1 after printing what is wrong. */
int cli_params_file(struct cli_params *p, const char *path, const char *cmd);

/* Build p->list (files first, then -p, so that the last value wins). */
void cli_params_finish(struct cli_params *p);

/* Wipe and free everything; accepts a zeroed struct. */
void cli_params_release(struct cli_params *p);

#endif
