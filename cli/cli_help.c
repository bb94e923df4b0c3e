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
	 "usage: opsplan lint [--format text|json|sarif|github] [--quiet] [-W error]\n"
	 "                    [--exclude GLOB]... PATH...\n"
	 "\n"
	 "Check plans without touching a cluster.  PATH is a plan file or a directory,\n"
	 "searched recursively for *.yaml and *.yml in sorted order (hidden entries and\n"
	 "node_modules are skipped, symbolic links to directories are not followed); a\n"
	 "YAML file found there that is not a plan (no top-level 'opsplan:', e.g. a\n"
	 "Kubernetes manifest) is skipped and counted in the summary.\n"
	 "\n"
	 "The nearest .opsplan.yaml above PATH configures the run: 'exclude:' globs,\n"
	 "'severity:' of a warning (error, warning or off) and 'silence:' of warnings\n"
	 "under a path, with a reason (docs/diagnostics.md, 'Lint configuration').\n"
	 "\n"
	 "  --exclude G  skip files and directories G matches: a glob without '/'\n"
	 "               matches any name on the path, one with '/' the path\n"
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
	 "and write it to FILE or standard output.\n"
	 "\n"
	 "Exit status: 0 written, 1 the plan has errors (as lint, graph, explain and rbac\n"
	 "say; only run says 5, since its 1 means a step failed), 2 usage or I/O error.\n"},
	{"graph",
	 "usage: opsplan graph PLAN [--format dot|mermaid]\n"
	 "\n"
	 "Print the step graph of PLAN for Graphviz (dot, the default) or Mermaid, with\n"
	 "a legend: boxes are steps, octagons gates, folders groups; orange opens a\n"
	 "bracket, green closes one; red dashed edges lead to on_failure steps, the bold\n"
	 "one to finally.\n"
	 "\n"
	 "Exit status: 0 printed, 1 the plan has errors, 2 usage or I/O error.\n"},
	{"explain",
	 "usage: opsplan explain PLAN [-p NAME=VALUE]... [--assume typical]\n"
	 "\n"
	 "Say what PLAN will do, in order, with its parameters, brackets and time bounds.\n"
	 "Gate prompts are shown with the values of -p and the defaults filled in.\n"
	 "\n"
	 "Exit status: 0 explained, 1 the plan has errors, 2 usage or I/O error.\n"},
	{"run",
	 "usage: opsplan run [PLAN|IR.json] [-n NAMESPACE] [--kubeconfig FILE] [--context CTX]\n"
	 "                   [-p NAME=VALUE]... [--yes] [--dry-run] [--resume RUN] [--journal DIR]\n"
	 "                   [--output text|json] [--report FILE.md|FILE.json|FILE.html]\n"
	 "\n"
	 "Execute PLAN against a namespace: compile it (or load a compiled IR), reach the\n"
	 "cluster, take the namespace+cluster lock, run every step in order with its\n"
	 "retries, polls, windows and gates, then `finally`, and print the report.  With\n"
	 "no PLAN: the installed Patroni hot fix (PREFIX/share/opsplan/plans/patroni-hotfix.yaml,\n"
	 "else ./plans/patroni-hotfix.yaml).\n"
	 "\n"
	 "  -n, --namespace NS   the namespace (default: the context's, else \"default\")\n"
	 "  --kubeconfig FILE    this kubeconfig only (default $KUBECONFIG, ~/.kube/config,\n"
	 "                       else the in-cluster service account)\n"
	 "  --context CTX        a kubeconfig context other than the current one\n"
	 "  -p NAME=VALUE        a plan parameter (not with an IR: its values are fixed,\n"
	 "                       but sensitive ones); NAME=@FILE reads the value from FILE\n"
	 "                       (one trailing newline dropped; '@@' for a literal '@')\n"
	 "  --params-file FILE   a YAML or JSON mapping of parameter names to values;\n"
	 "                       several allowed; -p wins\n"
	 "  -y, --yes            answer yes at every gate and confirm\n"
	 "  --dry-run            real reads; Kubernetes mutations sent with dryRun=All;\n"
	 "                       Patroni and build requests printed, not sent; waits\n"
	 "                       and polls described, not waited for\n"
	 "  --resume RUN         continue a run that stopped, failed or died (RUN: its id,\n"
	 "                       a unique part of it, or its journal's path); an interrupted\n"
	 "                       mutation is checked against the cluster, never repeated blindly;\n"
	 "                       brackets open where it stopped are opened again first;\n"
	 "                       sensitive values are kept nowhere: give them again with\n"
	 "                       -p or --params-file (checked against the IR's digest);\n"
	 "                       values from Secrets are read again\n"
	 "  --journal DIR        where journals go (default $XDG_STATE_HOME/opsplan/runs,\n"
	 "                       else ~/.local/state/opsplan/runs)\n"
	 "  --output F           text (default: a live line on a terminal, timestamped\n"
	 "                       lines otherwise, on stderr; the report on stdout) or json\n"
	 "                       (JSON-lines events and the report on stdout)\n"
	 "  --report FILE        also write the report as Markdown (.md), JSON (.json) or\n"
	 "                       a self-contained HTML page with a timeline (.html)\n"
	 "  --evidence-max-age D a mutation first re-takes the reads it depends on when they\n"
	 "                       are older than D (default 5m) or from an earlier session\n"
	 "  --close-retry D      a step that closes an open bracket (Patroni resume) retries\n"
	 "                       an API outage for up to D (default 10m)\n"
	 "\n"
	 "Gates: on a terminal the evidence is shown and a yes is asked for; with --yes\n"
	 "they pass; with neither, the run stops before the gate (exit 4), runs finally,\n"
	 "and can be resumed.  Ctrl-C or SIGTERM once: the current wait is abandoned,\n"
	 "finally runs, exit 4; twice: stop at once (the journal stays resumable).\n"
	 "\n"
	 "Exit status: 0 done, 1 a step failed, 2 usage or I/O error, 3 cannot reach or\n"
	 "authenticate to the cluster, 4 stopped at a gate or by a signal, 5 the plan\n"
	 "does not compile, 6 --resume refused (the journal fails verification: damaged\n"
	 "or changed after it was written; or another cluster).\n"},
	{"runs",
	 "usage: opsplan runs [--journal DIR] [--format text|json]\n"
	 "       opsplan runs show RUN [--journal DIR] [--report text|md|json|html|FILE.{md,json,html}]\n"
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
	 "  --report R     text (default), md (Markdown), json, html (one self-contained\n"
	 "                 page: a timeline, then the report; no script, no network),\n"
	 "                 or a file name ending in .md, .json or .html to write it there\n"
	 "\n"
	 "States: done, failed, stopped, interrupted (from the run's last record), running\n"
	 "(its lock is held), incomplete (it ended without a final record: resumable),\n"
	 "corrupt (the journal is damaged in the middle or was changed after it was\n"
	 "written: each record carries the hash of the one before).\n"
	 "Exit status: 0 ok, 2 usage error, unknown run or unreadable journal, 6 the\n"
	 "journal fails verification.\n"},
	{"rbac",
	 "usage: opsplan rbac PLAN [-p NAME=VALUE]...\n"
	 "\n"
	 "Print the least-privilege Role (YAML) that running PLAN needs: the resources,\n"
	 "subresources and verbs of every action it calls, with k8s.* kinds taken from\n"
	 "each step's with.kind.  A kind computed at run time, or a cluster-scoped one,\n"
	 "is named in a comment instead of guessed.\n"
	 "\n"
	 "Exit status: 0 printed, 1 the plan has errors, 2 usage or I/O error.\n"},
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
