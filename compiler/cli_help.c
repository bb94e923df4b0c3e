/* cli_help.c - the --help text of every subcommand, in one place so that
 * `opsplan help X`, `opsplan X --help` and the man page agree. */
#include <string.h>

#include "cli.h"

struct help {
	const char *cmd;
	const char *text;
};

/* ORDER CLI */
static const struct help helps[] = {
	{"lint",
	 "usage: opsplan lint [--format text|json|sarif|github] [--quiet] [-W error] PATH...\n"
	 "\n"
	 "Check plans without touching a cluster.  PATH is a plan file or a directory,\n"
	 "searched recursively for *.yaml and *.yml in sorted order (hidden entries and\n"
	 "node_modules are skipped, symbolic links to directories are not followed).\n"
	 "\n"
	 "  --format F   text (default; colour on a terminal unless NO_COLOR is set),\n"
	 "               json (one finding per line), sarif (SARIF 2.1.0 for code\n"
	 "               scanning), github (workflow annotations)\n"
	 "  -q, --quiet  print errors only, no warnings and no summary\n"
	 "  -W error     treat warnings as errors (they are printed and fail the run)\n"
	 "\n"
	 "Exit status: 0 no findings, 1 findings, 2 usage or I/O error.\n"},
	{"compile",
	 "usage: opsplan compile PLAN [-p NAME=VALUE]... [-o FILE]\n"
	 "\n"
	 "Compile PLAN to its validated step graph (IR, JSON; see schema/ir.schema.json)\n"
	 "and write it to FILE or standard output.\n"},
	{"graph",
	 "usage: opsplan graph PLAN [--format dot|mermaid]\n"
	 "\n"
	 "Print the step graph of PLAN for Graphviz (dot, the default) or Mermaid.\n"},
	{"explain",
	 "usage: opsplan explain PLAN [-p NAME=VALUE]... [--assume typical]\n"
	 "\n"
	 "Say what PLAN will do, in order, with its parameters, brackets and time bounds.\n"},
	{"run",
	 "usage: opsplan run [PLAN] -n NAMESPACE [-p NAME=VALUE]... [options]\n"
	 "\n"
	 "Execute PLAN (default: the Patroni hot fix) against a namespace.\n"},
	{"runs",
	 "usage: opsplan runs [--journal DIR] [--format text|json]\n"
	 "       opsplan runs show RUN [--journal DIR] [--report text|md|json|FILE.md|FILE.json]\n"
	 "\n"
	 "List the recorded runs (id, plan, namespace/cluster, start, state, duration), or\n"
	 "print the report of one: every step with its status, attempts, duration and\n"
	 "evidence, brackets, windows, time in maintenance, gates and the exit code.\n"
	 "Reading never changes a journal; a torn tail is reported, and cut only by\n"
	 "'opsplan run --resume'.\n"
	 "\n"
	 "  --journal DIR  where the journals are (default $XDG_STATE_HOME/opsplan/runs,\n"
	 "                 else ~/.local/state/opsplan/runs)\n"
	 "  --format F     the list as text (default) or json\n"
	 "  RUN            a run id, a unique prefix of one, or the path of a journal\n"
	 "  --report R     text (default), md (Markdown), json, or a file name ending\n"
	 "                 in .md or .json to write the report there\n"
	 "\n"
	 "States: done, failed, stopped, interrupted (from the run's last record), running\n"
	 "(its lock is held), incomplete (it ended without a final record: resumable),\n"
	 "corrupt (the journal is damaged in the middle).\n"
	 "Exit status: 0 ok, 2 usage error, unknown run or unreadable journal.\n"},
	{"rbac",
	 "usage: opsplan rbac PLAN\n"
	 "\n"
	 "Print the least-privilege Role that PLAN needs, derived from its actions.\n"},
};

int cli_help(const char *cmd, FILE *out)
{
	for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) {
		if (!strcmp(helps[i].cmd, cmd)) {
			fputs(helps[i].text, out);
			return 0;
		}
	}
	return -1;
}
