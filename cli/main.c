/* main.c - `opsplan`: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "version.h"


struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/* ORDER CLI */
static const struct command commands[] = {
	{"lint", cli_lint, "check plans for mistakes (CI-friendly output)"},
	{"compile", cli_compile, "compile a plan to its step graph (IR, JSON)"},
	{"graph", cli_graph, "draw a plan's step graph (dot or mermaid)"},
	{"explain", cli_explain, "say what a plan will do, in order, with its time bounds"},
	{"run", cli_run, "execute a plan against a namespace"},
	{"runs", cli_runs, "list recorded runs, or show one"},
	{"rbac", cli_rbac, "print the least-privilege Role a plan needs"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
	fprintf(out, "usage: opsplan [--version] [--help] <command> [<args>]\n\n"
		     "Runbooks as code: compile, lint and run risky database procedures on Kubernetes.\n\n"
		     "commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "  %-9s %s\n", "help", "show the help of a command ('opsplan help help': this list)");
	fprintf(out, "  %-9s %s\n", "version", "print the version (also --version)");
	fprintf(out, "\n'opsplan help <command>' or 'opsplan <command> --help' for details.\n"
		     "Exit codes: 0 ok, 1 findings or a failed step, 2 usage or I/O error,\n"
		     "3 cluster unreachable, 4 stopped at a gate or by the user, 5 plan does not compile\n"
		     "(run; the other commands say 1 for a plan with errors), 6 resume refused.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("opsplan %s\n", opsplan_version);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "help")) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		/* help and version have no page of their own: this list is theirs */
		if (!strcmp(argv[2], "help") || !strcmp(argv[2], "version")) {
			usage(stdout);
			return EXIT_OK;
		}
		if (cli_help(argv[2], stdout) < 0) {
			fprintf(stderr, "opsplan: no such command '%s'\n", argv[2]);
			return EXIT_USAGE;
		}
		return EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "opsplan: '%s' is not an opsplan command; see 'opsplan --help'\n", cmd);
	return EXIT_USAGE;
}
