/* cli_run.c - `opsplan run`: compile (or load) the plan, reach the cluster,
 * open the journal and the namespace+cluster lock, run the scheduler, print
 * the report.
 *
 * Order matters for the exit codes people script against: usage (2) before
 * anything, then the plan (5), then the cluster (3), and only then does a
 * journal exist, so a run that never touched the cluster leaves no run. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_params.h"
#include "compile.h"
#include "diag.h"
#include "graph.h"
#include "ir.h"
#include "ir_load.h"
#include "journal.h"
#include "kube.h"
#include "mem.h"
#include "plan.h"
#include "progress.h"
#include "redact.h"
#include "report.h"
#include "sched.h"
#include "secrets.h"

#ifndef OPSPLAN_DATADIR
#define OPSPLAN_DATADIR "/usr/local/share/opsplan"
#endif

static volatile sig_atomic_t g_signals, g_abort;

/* First signal: abandon waits, finish the step, run finally.  Second: stop
 * now.  A journal append is write + fdatasync of one line; dying inside one
 * leaves a torn tail that --resume cuts, never a wrong record. */
static void on_signal(int sig)
{
	(void)sig;
	g_signals++;
	g_abort = 1;
	if (g_signals >= 2)
		_exit(EXIT_STOPPED);
}

struct run_args {
	const char *plan, *ns, *kubeconfig, *context, *resume, *journal, *output, *report;
	const char *evidence_age, *close_retry;
	const char **params;            /* --params-file entries, then -p: borrowed from cp */
	size_t nparams;
	struct cli_params cp;
	int yes, dry_run;
};

static int usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "opsplan run: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fprintf(stderr, "see 'opsplan run --help'\n");
	return -1;
}

static int parse(int argc, char **argv, struct run_args *a)
{
	memset(a, 0, sizeof *a);
	a->output = "text";
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char **dst = NULL;
		if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			cli_help("run", stdout);
			return 1;
		} else if (!strcmp(s, "--yes") || !strcmp(s, "-y")) {
			a->yes = 1;
			continue;
		} else if (!strcmp(s, "--dry-run")) {
			a->dry_run = 1;
			continue;
		} else if (!strcmp(s, "-p") || !strcmp(s, "--param")) {
			if (i + 1 >= argc)
				return usage("option '%s' needs a value", s);
			if (!strchr(argv[i + 1], '='))
				return usage("-p '%s': expected NAME=VALUE", argv[i + 1]);
			if (cli_params_add(&a->cp, argv[++i], "run") < 0)
				return -1;
			continue;
		} else if (!strncmp(s, "-p", 2) && s[2]) {
			if (!strchr(s + 2, '='))
				return usage("-p '%s': expected NAME=VALUE", s + 2);
			if (cli_params_add(&a->cp, s + 2, "run") < 0)
				return -1;
			continue;
		} else if (!strcmp(s, "--params-file") || !strncmp(s, "--params-file=", 14)) {
			const char *f = s[13] == '=' ? s + 14 : i + 1 < argc ? argv[++i] : NULL;
			if (!f)
				return usage("option '%s' needs a value", s);
			if (cli_params_file(&a->cp, f, "run") < 0)
				return -1;
			continue;
		} else if (!strcmp(s, "-n") || !strcmp(s, "--namespace")) {
			dst = &a->ns;
		} else if (!strcmp(s, "--kubeconfig")) {
			dst = &a->kubeconfig;
		} else if (!strcmp(s, "--context")) {
			dst = &a->context;
		} else if (!strcmp(s, "--resume")) {
			dst = &a->resume;
		} else if (!strcmp(s, "--journal")) {
			dst = &a->journal;
		} else if (!strcmp(s, "--output") || !strcmp(s, "-o")) {
			dst = &a->output;
		} else if (!strcmp(s, "--report")) {
			dst = &a->report;
		} else if (!strcmp(s, "--evidence-max-age")) {
			dst = &a->evidence_age;
		} else if (!strcmp(s, "--close-retry")) {
			dst = &a->close_retry;
		} else if (s[0] == '-' && s[1]) {
			const char *eq = strchr(s, '=');
			if (eq && !strncmp(s, "--", 2)) {
				/* --opt=value */
				static const char *const names[] = {"--namespace", "--kubeconfig", "--context", "--resume",
								    "--journal", "--output", "--report",
								    "--evidence-max-age", "--close-retry"};
				const char **dsts[] = {&a->ns, &a->kubeconfig, &a->context, &a->resume, &a->journal,
						       &a->output, &a->report, &a->evidence_age, &a->close_retry};
				for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
					if (strlen(names[k]) == (size_t)(eq - s) && !strncmp(s, names[k], (size_t)(eq - s))) {
						*dsts[k] = eq + 1;
						break;
					}
					if (k + 1 == sizeof names / sizeof names[0])
						return usage("unknown option '%s'", s);
				}
				continue;
			}
			return usage("unknown option '%s'", s);
		} else {
			if (a->plan)
				return usage("one plan at a time; '%s' is extra", s);
			a->plan = s;
			continue;
		}
		if (i + 1 >= argc)
			return usage("option '%s' needs a value", s);
		*dst = argv[++i];
	}
	if (a->evidence_age && plan_duration_parse(a->evidence_age) <= 0)
		return usage("--evidence-max-age '%s': expected a duration such as 5m", a->evidence_age);
	if (a->close_retry && plan_duration_parse(a->close_retry) <= 0)
		return usage("--close-retry '%s': expected a duration such as 10m", a->close_retry);
	if (strcmp(a->output, "text") && strcmp(a->output, "json"))
		return usage("--output '%s': use text or json", a->output);
	/* -p on --resume: only the sensitive values, which no file keeps (secrets_bind) */
	if (a->resume && a->plan)
		return usage("%s", "--resume continues a recorded run: give no plan");
	cli_params_finish(&a->cp);
	a->params = a->cp.list;
	a->nparams = a->cp.n;
	if (a->report) {
		size_t n = strlen(a->report);
		if (!(n > 3 && !strcmp(a->report + n - 3, ".md")) && !(n > 5 && !strcmp(a->report + n - 5, ".json")) &&
		    !(n > 5 && !strcmp(a->report + n - 5, ".html")))
			return usage("--report '%s': the file name must end in .md, .json or .html", a->report);
	}
	return 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct strbuf b = {0};
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0 && b.len < ((size_t)64 << 20))
		sb_add(&b, buf, n);
	fclose(f);
	sb_puts(&b, "");
	*len = b.len;
	return sb_detach(&b);
}

static const char *default_plan(void)
{
	static const char inst[] = OPSPLAN_DATADIR "/plans/patroni-hotfix.yaml";
	if (access(inst, R_OK) == 0)
		return inst;
	return "plans/patroni-hotfix.yaml";
}

/* The IR text of the plan: an IR file as is, a YAML plan compiled with -p.
 * Returns NULL after printing diagnostics; *code says which exit. */
static char *plan_ir(const struct run_args *a, const char *plan, json_t *kept, int *code)
{
	size_t n = strlen(plan);
	if (n > 5 && !strcmp(plan + n - 5, ".json")) {
		/* a compiled IR fixes its parameters but the sensitive ones: those
		 * come with -p again (secrets_bind refuses any other) */
		size_t len;
		char *t = read_file(plan, &len);
		if (!t) {
			fprintf(stderr, "opsplan run: cannot read '%s': %s\n", plan, strerror(errno));
			*code = EXIT_USAGE;
		}
		return t;
	}
	struct compile_opts o = {a->params, a->nparams, 1, kept};
	struct diag_list d;
	diag_init(&d);
	struct compiled *c = compile_file(plan, &o, &d);
	diag_sort(&d);
	const char *nc = getenv("NO_COLOR");
	diag_print(&d, DIAG_TEXT, isatty(STDERR_FILENO) && !(nc && *nc), stderr);
	char *ir = NULL;
	int unreadable = 0;
	for (size_t i = 0; i < d.n; i++)
		if (d.items[i].code == OP011)
			unreadable = 1;
	if (unreadable) {
		*code = EXIT_USAGE;
	} else if (diag_errors(&d) || !c->graph) {
		fprintf(stderr, "opsplan run: '%s' does not compile; nothing was run\n", plan);
		*code = EXIT_NOCOMPILE;
	} else {
		ir = ir_emit(c->graph);
	}
	compile_free(c);
	diag_release(&d);
	return ir;
}

static int write_private(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t n = strlen(text), off = 0;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	int rc = fsync(fd);
	close(fd);
	return rc;
}

static int report_out(const char *jpath, const struct run_args *a)
{
	struct journal_records r = {0};
	struct journal_err je;
	int rc = 0;
	if (journal_load(jpath, &r, &je) < 0) {
		fprintf(stderr, "opsplan run: cannot read back the journal: %s\n", je.msg);
		journal_records_release(&r);
		return -1;
	}
	if (!strcmp(a->output, "json")) {
		json_t *rep = report_json(&r);
		json_t *ev = json_pack("{s:s, s:o}", "event", "report", "report", rep);
		char *s = json_dumps(ev, JSON_COMPACT);
		printf("%s\n", s ? s : "{}");
		free(s);
		json_decref(ev);
	} else {
		report_render(&r, REPORT_TEXT, stdout);
	}
	fflush(stdout);
	if (a->report) {
		size_t n = strlen(a->report);
		enum report_format f = n > 3 && !strcmp(a->report + n - 3, ".md") ? REPORT_MARKDOWN
				       : n > 5 && !strcmp(a->report + n - 5, ".html") ? REPORT_HTML : REPORT_JSON;
		FILE *out = fopen(a->report, "w");
		if (!out || report_render(&r, f, out) < 0) {
			fprintf(stderr, "opsplan run: cannot write the report '%s': %s\n", a->report, strerror(errno));
			rc = -1;
		}
		if (out && fclose(out) != 0)
			rc = -1;
	}
	journal_records_release(&r);
	return rc;
}

/* A journal that fails verification (damaged, or changed after it was
 * written) is no record of what the run did: resuming from it could repeat
 * or skip a mutation.  Says so, returns the exit code. */
static int corrupt_journal(const char *jpath)
{
	fprintf(stderr, "opsplan run: refusing to resume from '%s': check the cluster by hand, keep the "
			"journal for inspection, and start a new run\n", jpath);
	return EXIT_REFUSED;
}

/* The namespace is there and ours to use; *uid gets its uid (the cluster's
 * identity in the journal) when the credentials may read it, else NULL. */
static int preflight(struct kube_client *kc, const char *ns, char **uid)
{
	char *path = kube_kind_path(kc, "Namespace", NULL, ns, NULL);
	json_t *out = NULL;
	struct kube_err e;
	int rc = kube_get(kc, path, &out, &e);
	free(path);
	*uid = NULL;
	if (rc == 0) {
		const char *u = json_string_value(json_object_get(json_object_get(out, "metadata"), "uid"));
		*uid = u ? xstrdup(u) : NULL;
	}
	json_decref(out);
	if (rc == 0 || e.cls == KUBE_ERR_FORBIDDEN)
		return 0;   /* a Role may allow the plan's verbs without namespaces/get */
	if (e.cls == KUBE_ERR_NOTFOUND || e.cls == KUBE_ERR_INVALID)
		fprintf(stderr, "opsplan run: cannot use namespace \"%s\" on %s: %s\n", ns, kube_server(kc), e.msg);
	else    /* the connection or the credential, not the namespace: the message says which */
		fprintf(stderr, "opsplan run: %s\n", e.msg);
	return -1;
}

/* Objects the run read whose identity outlives the procedure (not the pods
 * it replaces): a StatefulSet, a BuildConfig...  Each must still be the
 * same object (same uid) in the cluster a resume talks to. */
static int long_lived(const char *kind)
{
	static const char *const kinds[] = {"StatefulSet", "BuildConfig", "ImageStream", "Deployment",
					    "DeploymentConfig", "Service", "ConfigMap", "Namespace"};
	for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(kind, kinds[i]))
			return 1;
	return 0;
}

/* A resume must talk to the cluster the run started on: the namespace's uid
 * and the uids of the long-lived objects it read are compared before any
 * request that changes anything.  0 same; -1 refused, message printed. */
static int same_cluster(struct kube_client *kc, const struct journal_records *rec, const json_t *start,
			const char *ns, const char *ns_uid)
{
	const json_t *id = json_object_get(start, "cluster_identity");
	const char *was_server = json_string_value(json_object_get(id, "server"));
	const char *was_uid = json_string_value(json_object_get(id, "namespace_uid"));
	if (was_uid && ns_uid && strcmp(was_uid, ns_uid) != 0) {
		fprintf(stderr, "opsplan run: refusing to resume: this is another cluster: namespace \"%s\" on %s has "
				"uid %s, the run started on %s (namespace uid %s); nothing was sent\n", ns, kube_server(kc),
			ns_uid, was_server ? was_server : "?", was_uid);
		return -1;
	}
	for (size_t i = 0; i < rec->n; i++) {
		const struct journal_record *r = &rec->items[i];
		if (r->kind != JOURNAL_STEP_END)
			continue;
		const json_t *res = json_object_get(r->data, "result");
		const json_t *md = json_object_get(res, "metadata");
		const char *kind = json_string_value(json_object_get(res, "kind"));
		const char *name = json_string_value(json_object_get(md, "name"));
		const char *uid = json_string_value(json_object_get(md, "uid"));
		const char *ons = json_string_value(json_object_get(md, "namespace"));
		if (!long_lived(kind) || !name || !uid)
			continue;
		char *path = kube_kind_path(kc, kind, ons ? ons : ns, name, NULL);
		json_t *now = NULL;
		struct kube_err e;
		int rc = path ? kube_get(kc, path, &now, &e) : -1;
		free(path);
		const char *nuid = rc == 0 ? json_string_value(json_object_get(json_object_get(now, "metadata"), "uid")) : NULL;
		if (rc == 0 && nuid && !strcmp(nuid, uid)) {
			json_decref(now);
			continue;
		}
		if (rc < 0 && e.cls != KUBE_ERR_NOTFOUND) {
			fprintf(stderr, "opsplan run: cannot check that %s \"%s\" is the one the run read: %s\n", kind, name,
				e.msg);
			json_decref(now);
			return -2;
		}
		fprintf(stderr, "opsplan run: refusing to resume: %s \"%s\" on %s is %s, but the run read uid %s "
				"(on %s): another cluster, or the object was re-created; nothing was sent\n", kind, name,
			kube_server(kc), nuid ? nuid : "missing", uid, was_server ? was_server : "?");
		json_decref(now);
		return -1;
	}
	return 0;
}

/* An argument as a shell reads it back: quoted only when it must be. */
static void shell_arg(struct strbuf *b, const char *s)
{
	int plain = *s != 0;
	for (const char *p = s; *p && plain; p++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,", *p) != NULL;
	if (plain) {
		sb_printf(b, " %s", s);
		return;
	}
	sb_puts(b, " \"");
	for (const char *p = s; *p; p++) {
		if (strchr("\"\\$`", *p))
			sb_printf(b, "\\");
		sb_printf(b, "%c", *p);
	}
	sb_puts(b, "\"");
}

/* The command that continues this run, verbatim: where the journal is and
 * how to reach the cluster (never a credential). */
static char *resume_command(const char *run_id, const char *dir, const char *kubeconfig, const char *context,
			    const char *ns, const struct ir_plan *plan)
{
	struct strbuf b = {0};
	sb_puts(&b, "opsplan run --resume");
	shell_arg(&b, run_id);
	char *abs = dir ? realpath(dir, NULL) : NULL;
	if (abs || dir) {
		sb_puts(&b, " --journal");
		shell_arg(&b, abs ? abs : dir);
	}
	free(abs);
	if (kubeconfig && *kubeconfig) {
		sb_puts(&b, " --kubeconfig");
		shell_arg(&b, kubeconfig);
	}
	if (context && *context) {
		sb_puts(&b, " --context");
		shell_arg(&b, context);
	}
	if (ns && *ns) {
		sb_puts(&b, " -n");
		shell_arg(&b, ns);
	}
	/* sensitive values are kept nowhere: the resume gives them again */
	size_t i;
	const json_t *p;
	json_array_foreach(json_object_get(plan->doc, "params"), i, p)
		if (json_is_true(json_object_get(p, "sensitive")) && json_is_string(json_object_get(p, "digest")))
			sb_printf(&b, " -p %s=@FILE", json_string_value(json_object_get(p, "name")));
	return sb_detach(&b);
}

/* A gate on the terminal: the question, its evidence (redacted), yes/no. */
static int ask_terminal(void *ctx, const char *question, const json_t *show)
{
	(void)ctx;
	fprintf(stderr, "\n== %s\n", question);
	size_t i;
	json_t *e;
	json_array_foreach(show, i, e) {
		char *t = json_dumps(json_object_get(e, "value") ? json_object_get(e, "value") : e,
				     JSON_INDENT(2) | JSON_ENCODE_ANY);
		char *r = redact_text(t ? t : "null");
		const char *ex = json_string_value(json_object_get(e, "that"));
		fprintf(stderr, "   %s = %s\n", ex ? ex : "evidence", r);
		free(r);
		free(t);
	}
	fprintf(stderr, "Answer yes to go on [yes/no]: ");
	fflush(stderr);
	char line[64] = "";
	if (!fgets(line, sizeof line, stdin))
		line[0] = 0;
	line[strcspn(line, "\r\n")] = 0;
	return !strcasecmp(line, "yes") || !strcasecmp(line, "y");
}

static const char *whoami(void)
{
	struct passwd *pw = getpwuid(getuid());
	return pw ? pw->pw_name : "?";
}

/* One run of `opsplan run`, from the arguments to the report: what each
 * stage below fills in and cli_run frees. */
struct run {
	struct run_args a;
	char *dir, *irtext, *jpath, *irpath, *ns_uid, *kubeconfig_abs;
	struct ir_plan *plan;
	struct kube_client *kc;
	struct kube_config_opts ko;
	struct journal *j;
	struct journal_lock *lock;
	struct journal_records rec;
	json_t *start;                  /* the run-start record's data, on --resume */
	json_t *given;                  /* sensitive values, name -> string: in memory only */
	char run_id[JOURNAL_RUN_ID_MAX];
	const char *ns, *context, *kubeconfig, *cluster;
	int dry_run;
};

/* --resume: the recorded run's IR, parameters and how it reached its
 * cluster.  0, or the exit code (EXIT_OK: nothing to resume). */
static int load_recorded(struct run *r)
{
	struct journal_err je;
	char err[512];
	if (journal_resolve(r->dir, r->a.resume, &r->jpath, &je) < 0) {
		fprintf(stderr, "opsplan run: %s\n", je.msg);
		return EXIT_USAGE;
	}
	if (journal_load(r->jpath, &r->rec, &je) < 0) {
		fprintf(stderr, "opsplan run: %s\n", je.msg);
		return je.code == JOURNAL_ECORRUPT ? corrupt_journal(r->jpath) : EXIT_USAGE;
	}
	const struct journal_record *rs = journal_next(&r->rec, JOURNAL_RUN_START, NULL);
	if (!rs) {
		fprintf(stderr, "opsplan run: '%s' has no run-start record: nothing to resume\n", r->jpath);
		return EXIT_USAGE;
	}
	const struct journal_record *end = NULL;
	for (const struct journal_record *p = journal_next(&r->rec, JOURNAL_RUN_END, NULL); p;
	     p = journal_next(&r->rec, JOURNAL_RUN_END, p))
		end = p;
	const char *state = end ? json_string_value(json_object_get(end->data, "state")) : NULL;
	if (state && !strcmp(state, "done")) {
		fprintf(stderr, "opsplan run: run '%s' is done: nothing to resume\n", r->a.resume);
		return EXIT_OK;
	}
	r->start = json_deep_copy(rs->data);
	const char *id = json_string_value(json_object_get(r->start, "run_id"));
	snprintf(r->run_id, sizeof r->run_id, "%s", id ? id : "");
	const char *ip = json_string_value(json_object_get(r->start, "ir_path"));
	if (!ip || ir_load_file(&r->plan, ip, err, sizeof err) < 0) {
		fprintf(stderr, "opsplan run: cannot reload the run's IR: %s\n", ip ? err : "run-start names no ir_path");
		return EXIT_USAGE;
	}
	const char *want = json_string_value(json_object_get(r->start, "ir_hash"));
	if (!want || strcmp(want, r->plan->hash) != 0) {
		fprintf(stderr, "opsplan run: the IR beside the journal is not the one the run started with\n");
		return EXIT_USAGE;
	}
	if (!r->ns)
		r->ns = json_string_value(json_object_get(r->start, "namespace"));
	const char *ctx = json_string_value(json_object_get(r->start, "context"));
	if (!r->context && ctx && *ctx)
		r->context = ctx;
	/* the journal remembers how the run reached its cluster, never a credential */
	const char *kcfg = json_string_value(json_object_get(r->start, "kubeconfig"));
	if (!r->kubeconfig && !getenv("KUBECONFIG") && kcfg)
		r->kubeconfig = kcfg;
	r->dry_run = json_is_true(json_object_get(r->start, "dry_run"));
	journal_records_release(&r->rec);
	memset(&r->rec, 0, sizeof r->rec);
	return 0;
}

/* A new run: the plan compiled (or the IR loaded).  0 or the exit code. */
static int load_plan(struct run *r)
{
	char err[512];
	int code = EXIT_USAGE;
	const char *path = r->a.plan ? r->a.plan : default_plan();
	if (!r->a.plan && access(path, R_OK) != 0) {
		fprintf(stderr, "opsplan run: no PLAN given, and the default plan is not here: looked for '%s' "
				"(where 'make install' puts it) and './%s' (in a checkout); name a plan: "
				"opsplan run PLAN\n", OPSPLAN_DATADIR "/plans/patroni-hotfix.yaml", path);
		return EXIT_USAGE;
	}
	size_t n = strlen(path);
	int is_ir = n > 5 && !strcmp(path + n - 5, ".json");
	if (!is_ir) {
		json_decref(r->given);
		r->given = json_object();   /* what the compiler kept out of the IR */
	}
	r->irtext = plan_ir(&r->a, path, is_ir ? NULL : r->given, &code);
	if (!r->irtext)
		return code;
	if (ir_load(&r->plan, r->irtext, strlen(r->irtext), err, sizeof err) < 0) {
		fprintf(stderr, "opsplan run: %s: %s\n", path, err);
		return EXIT_NOCOMPILE;
	}
	return 0;
}

/* The -p values as an object, the last one of a name winning (an IR file,
 * --resume: only sensitive ones are allowed; secrets_bind checks). */
static json_t *given_values(const struct run_args *a)
{
	json_t *o = json_object();
	for (size_t i = 0; i < a->nparams; i++) {
		const char *eq = strchr(a->params[i], '=');
		char *name = xstrndup(a->params[i], (size_t)(eq - a->params[i]));
		json_t *v = json_string(eq + 1);
		json_object_set_new(o, name, v ? v : json_string(""));
		free(name);
	}
	return o;
}

/* The sensitive values into the plan, in memory, each registered with
 * redact before anything could print it.  0 or the exit code. */
static int bind_secrets(struct run *r)
{
	char err[512];
	if (!r->given)
		r->given = given_values(&r->a);
	if (secrets_bind(r->plan, r->given, err, sizeof err) < 0) {
		fprintf(stderr, "opsplan run: %s\n", err);
		return EXIT_USAGE;
	}
	return 0;
}

/* The cluster: a client, the namespace checked.  0 or the exit code. */
static int connect_cluster(struct run *r)
{
	r->ko.kubeconfig = r->kubeconfig;
	r->ko.context = r->context;
	r->ko.namespace_ = r->ns;
	struct kube_err ke;
	if (kube_client_new(&r->kc, &r->ko, &ke) < 0) {
		fprintf(stderr, "opsplan run: %s\n", ke.msg);
		/* a kubeconfig that cannot be used is a usage error, not an outage */
		return ke.cls == KUBE_ERR_CONFIG ? EXIT_USAGE : EXIT_CLUSTER;
	}
	r->ns = kube_namespace(r->kc);
	if (preflight(r->kc, r->ns, &r->ns_uid) < 0)
		return EXIT_CLUSTER;
	/* Secrets are read now, before the journal and any step: a missing key
	 * or a Role without `get secrets` stops the run before it changes
	 * anything; --resume reads them again */
	char err[512];
	int down = 0;
	if (secrets_fetch(r->plan, r->kc, r->ns, err, sizeof err, &down) < 0) {
		fprintf(stderr, "opsplan run: %s; nothing was run\n", err);
		return down ? EXIT_CLUSTER : EXIT_USAGE;
	}
	r->cluster = json_string_value(json_object_get(r->plan->params, "cluster"));
	if (!r->cluster)
		r->cluster = r->plan->name;
	return 0;
}

/* The lock, then the journal: continued (after checking it is the same
 * cluster) or created with its run-start.  0 or the exit code. */
static int open_journal(struct run *r)
{
	struct journal_err je;
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	if (!r->a.resume)
		journal_run_id(r->run_id, r->plan->name, time(NULL));
	if (!r->dry_run) {
		int lrc = journal_lock(&r->lock, r->dir, r->ns, r->cluster, r->run_id,
				       r->a.resume ? JOURNAL_LOCK_TAKEOVER : 0, &je);
		if (lrc < 0) {
			fprintf(stderr, "opsplan run: %s\n", je.msg);
			if (lrc == JOURNAL_ESTALE)
				fprintf(stderr, "opsplan run: a run died holding it; 'opsplan runs' lists it, "
						"'opsplan run --resume RUN' continues it\n");
			return EXIT_USAGE;
		}
	}
	if (r->a.resume) {
		if (journal_open_resume(&r->j, r->jpath, &r->rec, &je) < 0) {
			fprintf(stderr, "opsplan run: %s\n", je.msg);
			return je.code == JOURNAL_ECORRUPT ? corrupt_journal(r->jpath) : EXIT_USAGE;
		}
		int same = same_cluster(r->kc, &r->rec, r->start, r->ns, r->ns_uid);
		if (same < 0)
			return same == -1 ? EXIT_REFUSED : EXIT_CLUSTER;
		journal_append(r->j, JOURNAL_RESUME,
			       json_pack("{s:s, s:i, s:s, s:s, s:I, s:I}", "run_id", r->run_id, "pid", (int)getpid(), "host",
					 host, "user", whoami(), "cut_bytes", (json_int_t)r->rec.cut_bytes, "last_seq",
					 (json_int_t)journal_last_seq(r->j)), &je);
		return 0;
	}
	if (journal_create(&r->j, r->dir, r->run_id, &je) < 0) {
		fprintf(stderr, "opsplan run: %s\n", je.msg);
		return EXIT_USAGE;
	}
	r->irpath = xasprintf("%s/%s.ir.json", r->dir, r->run_id);
	if (write_private(r->irpath, r->irtext) < 0) {
		fprintf(stderr, "opsplan run: cannot write '%s': %s\n", r->irpath, strerror(errno));
		return EXIT_USAGE;
	}
	/* an absolute path, so the printed resume command works from anywhere */
	const char *kcp = r->kubeconfig ? r->kubeconfig : getenv("KUBECONFIG");
	if (kcp && *kcp && !strchr(kcp, ':'))
		r->kubeconfig_abs = realpath(kcp, NULL);
	json_t *pub = secrets_public_params(r->plan);   /* never a sensitive value */
	if (journal_append(r->j, JOURNAL_RUN_START,
			   json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:i, s:s?,"
				     " s:{s:s, s:s, s:s?}}",
				     "run_id", r->run_id, "plan", r->plan->name, "ir_hash", r->plan->hash, "ir_path",
				     r->irpath, "params", pub, "namespace", r->ns, "cluster", r->cluster,
				     "context", kube_context(r->kc), "dry_run", r->dry_run, "version", opsplan_version,
				     "user", whoami(), "host", host, "pid", (int)getpid(), "kubeconfig",
				     r->kubeconfig_abs, "cluster_identity", "server", kube_server(r->kc), "namespace",
				     r->ns, "namespace_uid", r->ns_uid), &je) < 0) {
		fprintf(stderr, "opsplan run: %s\n", je.msg);
		return EXIT_USAGE;
	}
	return 0;
}

/* The steps, with progress on screen and signals caught; then the report
 * and the last line (with the command that continues the run).  The exit
 * code. */
static int execute(struct run *r)
{
	enum progress_mode pm = !strcmp(r->a.output, "json") ? PROGRESS_JSON :
				isatty(STDERR_FILENO) ? PROGRESS_TTY : PROGRESS_PLAIN;
	struct progress *pg = progress_new(pm, pm == PROGRESS_JSON ? stdout : stderr);
	progress_event(pg, "run-start", json_pack("{s:s, s:s, s:s, s:b}", "run_id", r->run_id, "namespace", r->ns,
						  "cluster", r->cluster, "dry_run", r->dry_run),
		       "%s %s: plan %s in namespace %s (cluster %s)%s; journal %s", r->a.resume ? "resuming" : "run",
		       r->run_id, r->plan->name, r->ns, r->cluster, r->dry_run ? ", DRY RUN" : "", journal_path(r->j));

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	struct sched_opts so = {0};
	so.plan = r->plan;
	so.kc = r->kc;
	so.kopts = &r->ko;
	so.ns = r->ns;
	so.cluster = r->cluster;
	so.run_id = r->run_id;
	so.dry_run = r->dry_run;
	so.yes = r->a.yes;
	if (isatty(STDIN_FILENO) && isatty(STDERR_FILENO))
		so.prompt = ask_terminal;
	so.j = r->j;
	so.resume = r->a.resume ? &r->rec : NULL;
	so.pg = pg;
	so.evidence_max_ms = r->a.evidence_age ? plan_duration_parse(r->a.evidence_age) : 0;
	so.close_retry_ms = r->a.close_retry ? plan_duration_parse(r->a.close_retry) : 0;
	so.abort_waits = &g_abort;
	so.signals = &g_signals;
	int code = sched_exit_code(sched_run(&so));
	progress_free(pg);
	char *path = xstrdup(journal_path(r->j));
	journal_close(r->j);
	r->j = NULL;
	if (report_out(path, &r->a) < 0 && code == EXIT_OK)
		code = EXIT_USAGE;
	if (code != EXIT_OK && !r->dry_run) {
		const char *kcfg = r->kubeconfig_abs ? r->kubeconfig_abs : r->kubeconfig;
		if (!kcfg && r->a.resume)
			kcfg = json_string_value(json_object_get(r->start, "kubeconfig"));
		char *cmd = resume_command(r->run_id, r->dir, kcfg, kube_context(r->kc), r->ns, r->plan);
		fprintf(stderr, "opsplan run: %s (exit %d); journal %s; continue with '%s'\n",
			code == EXIT_STOPPED ? "stopped" : "failed", code, path, cmd);
		free(cmd);
	} else {
		fprintf(stderr, "opsplan run: %s (exit %d); journal %s\n", code == EXIT_OK ? "done" : "failed", code, path);
	}
	free(path);
	return code;
}

static void run_release(struct run *r)
{
	journal_close(r->j);
	journal_unlock(r->lock);
	journal_records_release(&r->rec);
	json_decref(r->start);
	kube_client_free(r->kc);
	ir_plan_free(r->plan);
	free(r->irtext);
	free(r->irpath);
	free(r->jpath);
	free(r->dir);
	cli_params_release(&r->a.cp);
	json_decref(r->given);
	free(r->ns_uid);
	free(r->kubeconfig_abs);
}

int cli_run(int argc, char **argv)
{
	struct run r;
	memset(&r, 0, sizeof r);
	int code = parse(argc, argv, &r.a);
	if (code != 0) {
		cli_params_release(&r.a.cp);
		return code > 0 ? EXIT_OK : EXIT_USAGE;
	}
	r.ns = r.a.ns;
	r.context = r.a.context;
	r.kubeconfig = r.a.kubeconfig;
	r.dry_run = r.a.dry_run;
	struct journal_err je;
	if (r.a.journal) {
		r.dir = xstrdup(r.a.journal);
	} else if (journal_default_dir(&r.dir, &je) < 0) {
		fprintf(stderr, "opsplan run: %s\n", je.msg);
		run_release(&r);
		return EXIT_USAGE;
	}
	code = r.a.resume ? load_recorded(&r) : load_plan(&r);
	if (!code && r.plan)
		code = bind_secrets(&r);
	if (!code && r.plan)
		code = connect_cluster(&r);
	if (!code && r.plan)
		code = open_journal(&r);
	if (!code && r.plan)
		code = execute(&r);
	run_release(&r);
	return code;
}
