/* cli_compile.c - `opsplan compile`: the IR of a plan, to stdout or -o FILE
 * (written to a temporary file and renamed, so a reader never sees half;
 * written straight through when FILE is a device, a FIFO or a symlink, which
 * a rename would replace: `-o /dev/null` run as root must not turn the device
 * into a regular file). */
#include "cli_compile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "graph.h"
#include "ir.h"
#include "mem.h"

static int usage(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "opsplan %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	cli_help(cmd, stderr);
	return -1;
}

static int parse_args(int argc, char **argv, const char *allowed, struct cli_plan_args *a)
{
	const char *cmd = argv[0];
	memset(a, 0, sizeof *a);
	a->cmd = cmd;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char *val = NULL;
		char opt = 0;
		if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			cli_help(cmd, stdout);
			return 1;
		} else if (!strcmp(s, "-p") || !strcmp(s, "--param")) {
			opt = 'p';
		} else if (!strncmp(s, "-p", 2) && s[2]) {
			opt = 'p';
			val = s + 2;
		} else if (!strcmp(s, "--params-file")) {
			opt = 'P';
		} else if (!strncmp(s, "--params-file=", 14)) {
			opt = 'P';
			val = s + 14;
		} else if (!strcmp(s, "-o") || !strcmp(s, "--output")) {
			opt = 'o';
		} else if (!strcmp(s, "--format")) {
			opt = 'f';
		} else if (!strncmp(s, "--format=", 9)) {
			opt = 'f';
			val = s + 9;
		} else if (!strcmp(s, "--assume")) {
			opt = 'a';
		} else if (!strncmp(s, "--assume=", 9)) {
			opt = 'a';
			val = s + 9;
		} else if (s[0] == '-' && s[1]) {
			return usage(cmd, "unknown option '%s'", s);
		} else {
			if (a->plan)
				return usage(cmd, "one plan at a time; '%s' is extra", s);
			a->plan = s;
			continue;
		}
		if (!strchr(allowed, opt == 'P' ? 'p' : opt))
			return usage(cmd, "option '%s' does not apply to this command", s);
		if (!val) {
			if (i + 1 >= argc)
				return usage(cmd, "option '%s' needs a value", s);
			val = argv[++i];
		}
		switch (opt) {
		case 'p':
			if (!strchr(val, '='))
				return usage(cmd, "-p '%s': expected NAME=VALUE", val);
			if (cli_params_add(&a->cp, val, cmd) < 0)
				return -1;
			break;
		case 'P':
			if (cli_params_file(&a->cp, val, cmd) < 0)
				return -1;
			break;
		case 'o': a->out = val; break;
		case 'f': a->format = val; break;
		case 'a': a->assume = val; break;
		}
	}
	if (!a->plan)
		return usage(cmd, "%s", "which plan? give the path of a plan file");
	cli_params_finish(&a->cp);
	a->params = a->cp.list;
	a->nparams = a->cp.n;
	return 0;
}

int cli_plan_parse(int argc, char **argv, const char *allowed, struct cli_plan_args *a)
{
	int rc = parse_args(argc, argv, allowed, a);
	if (rc != 0) {
		cli_params_release(&a->cp);
		a->params = NULL;
		a->nparams = 0;
	}
	return rc;
}

struct compiled *cli_plan_compile(const struct cli_plan_args *a, struct diag_list *d, int *exit_code)
{
	/* graph and explain describe a plan without its values; compile makes the IR */
	struct compile_opts o = {a->params, a->nparams, strcmp(a->cmd, "compile") == 0};
	diag_init(d);
	struct compiled *c = compile_file(a->plan, &o, d);
	diag_sort(d);
	const char *nc = getenv("NO_COLOR");
	diag_print(d, DIAG_TEXT, isatty(STDERR_FILENO) && !(nc && *nc), stderr);
	*exit_code = EXIT_OK;
	for (size_t i = 0; i < d->n; i++)
		if (d->items[i].code == OP011)
			*exit_code = EXIT_USAGE;
	if (*exit_code == EXIT_OK && (diag_errors(d) || !c->graph))
		*exit_code = EXIT_FINDINGS;
	return c;
}

void cli_plan_release(struct cli_plan_args *a, struct compiled *c, struct diag_list *d)
{
	compile_free(c);
	diag_release(d);
	cli_params_release(&a->cp);
	a->params = NULL;
}

static int write_through(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fflush(f) != 0) {
		fprintf(stderr, "opsplan compile: cannot write '%s': %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "opsplan compile: cannot close '%s': %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_atomic(const char *path, const char *text)
{
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return write_through(path, text);
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	const char *op = "open";
	if (!f)
		goto fail;
	op = "write";
	if (fputs(text, f) < 0 || fflush(f) != 0) {
		fclose(f);
		goto fail;
	}
	op = "fsync";
	if (fsync(fileno(f)) != 0) {
		fclose(f);
		goto fail;
	}
	op = "close";
	if (fclose(f) != 0)
		goto fail;
	op = "rename";
	if (rename(tmp, path) != 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	fprintf(stderr, "opsplan compile: cannot %s '%s': %s\n", op, path, strerror(errno));
	unlink(tmp);
	free(tmp);
	return -1;
}

int cli_compile(int argc, char **argv)
{
	struct cli_plan_args a;
	int rc = cli_plan_parse(argc, argv, "po", &a);
	if (rc != 0)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	struct diag_list d;
	int code;
	struct compiled *c = cli_plan_compile(&a, &d, &code);
	if (code == EXIT_OK) {
		char *ir = ir_emit(c->graph);
		if (a.out && strcmp(a.out, "-") != 0) {
			if (write_atomic(a.out, ir) < 0)
				code = EXIT_USAGE;
		} else if (fputs(ir, stdout) < 0 || fflush(stdout) != 0) {
			fprintf(stderr, "opsplan compile: cannot write standard output\n");
			code = EXIT_USAGE;
		}
		free(ir);
	}
	cli_plan_release(&a, c, &d);
	return code;
}
