/* test_ir.c - the emitting side of the IR: sha256 against FIPS 180-4
 * vectors, the hash rule, determinism, the document's members (params with
 * -p values and defaults, deps, templates as JSON pointers, durations,
 * loop bounds, brackets), and the -p checks OP150-OP154. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>

#include "cli.h"
#include "compile.h"
#include "diag.h"
#include "graph.h"
#include "ir.h"
#include "mem.h"
#include "yaml_load.h"

static void hex(const uint8_t d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Run twice: with the SHA extensions when the CPU has them, then the
 * portable rounds (OPSPLAN_NO_SHANI), so both paths meet the vectors. */
static void sha256_vectors(void);

static void test_sha256_vectors(void **state)
{
	(void)state;
	unsetenv("OPSPLAN_NO_SHANI");
	sha256_vectors();
	setenv("OPSPLAN_NO_SHANI", "1", 1);
	sha256_vectors();
	unsetenv("OPSPLAN_NO_SHANI");
}

static void sha256_vectors(void)
{
	static const struct {
		const char *in;
		const char *hex;
	} v[] = {
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
		{"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		 "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
	};
	uint8_t d[32];
	char h[65];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		ir_sha256(v[i].in, strlen(v[i].in), d);
		hex(d, h);
		assert_string_equal(h, v[i].hex);
	}
	/* a million 'a': many blocks */
	char *m = xmalloc(1000000);
	memset(m, 'a', 1000000);
	ir_sha256(m, 1000000, d);
	hex(d, h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(m);
	/* 55 bytes: the padding fits the last block exactly (value from coreutils sha256sum) */
	ir_sha256("0123456789012345678901234567890123456789012345678901234", 55, d);
	hex(d, h);
	assert_string_equal(h, "f34d5a0f80c0cbf84c8c0b90218c22637abd199965249da736a20143c8c9c9d9");
}

static void test_hash_rule(void **state)
{
	(void)state;
	const char *t = "{\n  \"ir_version\": 1,\n  \"hash\": \"x\",\n  \"a\": 1\n}\n";
	char out[72];
	assert_int_equal(ir_hash(t, strlen(t), out), 0);
	const char *without = "{\n  \"ir_version\": 1,\n  \"a\": 1\n}\n";
	uint8_t d[32];
	char h[65];
	ir_sha256(without, strlen(without), d);
	hex(d, h);
	assert_memory_equal(out, "sha256:", 7);
	assert_string_equal(out + 7, h);
	assert_int_equal(ir_hash("one\ntwo\n", 8, out), -1);
}

struct fx {
	struct diag_list d;
	struct compiled *c;
	char *ir;
	json_t *j;
};

static struct fx *emit(const char *yaml, const char *const *params, size_t np)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct compile_opts o = {params, np, 1};
	diag_init(&f->d);
	f->c = compile_mem("t.yaml", yaml, strlen(yaml), &o, &f->d);
	if (diag_errors(&f->d) == 0 && f->c->graph) {
		f->ir = ir_emit(f->c->graph);
		json_error_t e;
		f->j = json_loads(f->ir, 0, &e);
		if (!f->j)
			fail_msg("IR is not JSON: %s", e.text);
	}
	return f;
}

static void done(struct fx *f)
{
	json_decref(f->j);
	free(f->ir);
	compile_free(f->c);
	diag_release(&f->d);
	free(f);
}

static const char *PLAN =
	"opsplan: 1\n"
	"name: t\n"
	"params:\n"
	"  cluster: {type: string, required: true, match: '^p-[0-9]+$'}\n"
	"  wait: {type: duration, default: 90s}\n"
	"  mode: {type: string, default: safe, enum: [safe, fast]}\n"
	"  n: {type: integer, default: 3}\n"
	"  extra: {type: string}\n"
	"defaults: {timeout: 1m, retry: {attempts: 2, delay: 5s}}\n"
	"steps:\n"
	"  - id: healthy\n"
	"    do: patroni.cluster\n"
	"    with: {pod: \"${{ params.cluster }}-0\"}\n"
	"  - id: each\n"
	"    for_each: '[\"a\", \"b\"]'\n"
	"    as: name\n"
	"    do: k8s.patch\n"
	"    with:\n"
	"      kind: ConfigMap\n"
	"      name: \"${{ name }}\"\n"
	"      patch: {data: {\"a/b\": \"${{ params.mode }}\", plain: text, n: 3, on: true}}\n"
	"  - id: nap\n"
	"    do: sleep\n"
	"    with: {duration: 90s}\n"
	"    needs: [healthy]\n";

static void test_deterministic(void **state)
{
	(void)state;
	const char *p1[] = {"cluster=p-1"};
	const char *p2[] = {"cluster=p-2"};
	struct fx *a = emit(PLAN, p1, 1), *b = emit(PLAN, p1, 1), *c = emit(PLAN, p2, 1);
	assert_non_null(a->ir);
	assert_string_equal(a->ir, b->ir);
	assert_string_not_equal(a->ir, c->ir);
	const char *ha = json_string_value(json_object_get(a->j, "hash"));
	const char *hc = json_string_value(json_object_get(c->j, "hash"));
	assert_string_not_equal(ha, hc);
	/* the hash written is the hash of the text */
	char h[72];
	assert_int_equal(ir_hash(a->ir, strlen(a->ir), h), 0);
	assert_string_equal(h, ha);
	assert_memory_equal(a->ir, "{\n  \"ir_version\": 1,\n  \"hash\": \"sha256:", 38);
	assert_int_equal(a->ir[strlen(a->ir) - 1], '\n');
	done(a);
	done(b);
	done(c);
}

static json_t *param(json_t *j, const char *name)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(j, "params"), i, p)
		if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0)
			return p;
	fail_msg("no param %s", name);
	return NULL;
}

static json_t *step(json_t *j, const char *id)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(j, "steps"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "id")), id) == 0)
			return s;
	fail_msg("no step %s", id);
	return NULL;
}

static void test_params(void **state)
{
	(void)state;
	const char *p[] = {"cluster=p-7", "mode=fast"};
	struct fx *f = emit(PLAN, p, 2);
	assert_non_null(f->j);
	json_t *c = param(f->j, "cluster");
	assert_string_equal(json_string_value(json_object_get(c, "value")), "p-7");
	assert_string_equal(json_string_value(json_object_get(c, "from")), "cli");
	assert_string_equal(json_string_value(json_object_get(c, "src")), "t.yaml:4:3");
	json_t *w = param(f->j, "wait");
	assert_int_equal(json_integer_value(json_object_get(w, "value")), 90);
	assert_int_equal(json_integer_value(json_object_get(w, "value_ms")), 90000);
	assert_string_equal(json_string_value(json_object_get(w, "from")), "default");
	assert_string_equal(json_string_value(json_object_get(param(f->j, "mode"), "value")), "fast");
	assert_int_equal(json_integer_value(json_object_get(param(f->j, "n"), "value")), 3);
	json_t *x = param(f->j, "extra");
	assert_true(json_is_null(json_object_get(x, "value")));
	assert_string_equal(json_string_value(json_object_get(x, "from")), "unset");
	done(f);
}

static int has_code(const struct fx *f, enum diag_code c)
{
	for (size_t i = 0; i < f->d.n; i++)
		if (f->d.items[i].code == c)
			return 1;
	return 0;
}

static void test_param_errors(void **state)
{
	(void)state;
	struct fx *f = emit(PLAN, NULL, 0);
	assert_true(has_code(f, OP150));
	assert_null(f->ir);
	done(f);
	const char *bad_match[] = {"cluster=q-1"};
	f = emit(PLAN, bad_match, 1);
	assert_true(has_code(f, OP152));
	done(f);
	const char *bad_type[] = {"cluster=p-1", "n=2.5"};
	f = emit(PLAN, bad_type, 2);
	assert_true(has_code(f, OP151));
	done(f);
	const char *bad_dur[] = {"cluster=p-1", "wait=later"};
	f = emit(PLAN, bad_dur, 2);
	assert_true(has_code(f, OP151));
	done(f);
	const char *unknown[] = {"cluster=p-1", "mdoe=fast"};
	f = emit(PLAN, unknown, 2);
	assert_true(has_code(f, OP153));
	done(f);
	const char *choice[] = {"cluster=p-1", "mode=yolo"};
	f = emit(PLAN, choice, 2);
	assert_true(has_code(f, OP154));
	done(f);
}

static void test_steps(void **state)
{
	(void)state;
	const char *p[] = {"cluster=p-1"};
	struct fx *f = emit(PLAN, p, 1);
	assert_non_null(f->j);
	json_t *h = step(f->j, "healthy");
	assert_string_equal(json_string_value(json_object_get(h, "src")), "t.yaml:11:5");
	assert_string_equal(json_string_value(json_object_get(h, "effect")), "read");
	assert_int_equal(json_integer_value(json_object_get(h, "timeout_ms")), 60000);
	/* 2 x 1m + 5s */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(h, "bounds"), "worst_ms")), 125000);
	json_t *t = json_array_get(json_object_get(h, "templates"), 0);
	assert_string_equal(json_string_value(json_object_get(t, "pointer")), "/pod");
	assert_string_equal(json_string_value(json_object_get(t, "src")), "t.yaml:13:18");

	json_t *e = step(f->j, "each");
	json_t *fe = json_object_get(e, "for_each");
	assert_string_equal(json_string_value(json_object_get(fe, "as")), "name");
	assert_int_equal(json_integer_value(json_object_get(fe, "max_items")), 2);
	assert_string_equal(json_string_value(json_object_get(fe, "max_items_from")), "literal");
	json_t *tp = json_object_get(e, "templates");
	assert_int_equal(json_array_size(tp), 2);   /* sorted, '/' escaped as ~1 */
	assert_string_equal(json_string_value(json_object_get(json_array_get(tp, 0), "pointer")), "/name");
	assert_string_equal(json_string_value(json_object_get(json_array_get(tp, 1), "pointer")), "/patch/data/a~1b");
	json_t *data = json_object_get(json_object_get(json_object_get(e, "with"), "patch"), "data");
	assert_string_equal(json_string_value(json_object_get(data, "plain")), "text");
	assert_int_equal(json_integer_value(json_object_get(data, "n")), 3);
	assert_true(json_is_true(json_object_get(data, "on")));
	json_t *deps = json_object_get(e, "deps");
	assert_string_equal(json_string_value(json_array_get(deps, 0)), "healthy");

	json_t *n = step(f->j, "nap");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(n, "with"), "duration")), 90);
	assert_string_equal(json_string_value(json_array_get(json_object_get(n, "needs"), 0)), "healthy");
	assert_string_equal(json_string_value(json_array_get(json_object_get(n, "deps"), 0)), "healthy");
	done(f);
}

static void test_brackets_and_exprs(void **state)
{
	(void)state;
	const char *yaml =
		"opsplan: 1\nname: t\nsteps:\n"
		"  - id: pause\n    do: patroni.pause\n    with: {pod: p-0}\n"
		"    require:\n      - that: run.dry_run == false\n        else: \"dry ${{ run.id }}\"\n"
		"  - id: resume\n    do: patroni.resume\n    with: {pod: p-0}\n"
		"finally:\n"
		"  - id: again\n    do: patroni.resume\n    with: {pod: p-0}\n    when: '\"maintenance\" in run.opened'\n";
	struct fx *f = emit(yaml, NULL, 0);
	assert_non_null(f->j);
	json_t *b = json_array_get(json_object_get(f->j, "brackets"), 0);
	assert_string_equal(json_string_value(json_object_get(b, "name")), "maintenance");
	assert_string_equal(json_string_value(json_array_get(json_object_get(b, "opened_by"), 0)), "pause");
	assert_int_equal(json_array_size(json_object_get(b, "closed_by")), 2);
	json_t *cond = json_array_get(json_object_get(step(f->j, "pause"), "require"), 0);
	json_t *that = json_object_get(cond, "that");
	assert_string_equal(json_string_value(json_object_get(that, "text")), "run.dry_run == false");
	assert_string_equal(json_string_value(json_object_get(that, "src")), "t.yaml:8:15");
	assert_string_equal(json_string_value(json_object_get(json_object_get(cond, "else"), "text")), "dry ${{ run.id }}");
	json_t *fin = json_array_get(json_object_get(f->j, "finally"), 0);
	assert_string_equal(json_string_value(json_object_get(fin, "context")), "finally");
	json_t *when = json_object_get(fin, "when");
	assert_string_equal(json_string_value(json_object_get(when, "text")), "\"maintenance\" in run.opened");
	assert_string_equal(json_string_value(json_object_get(when, "src")), "t.yaml:17:12");
	done(f);
}

static void test_json_of_ynode(void **state)
{
	(void)state;
	struct diag_list d;
	diag_init(&d);
	const char *y = "a: [1, 2.5, true, null, ~, \"3\", x, '']\nb: {c: -4}\n";
	struct ydoc *doc = yaml_load_mem("y.yaml", y, strlen(y), &d);
	json_t *j = ir_json_of_ynode(doc->root);
	char *s = json_dumps(j, JSON_COMPACT);
	assert_string_equal(s, "{\"a\":[1,2.5,true,null,null,\"3\",\"x\",\"\"],\"b\":{\"c\":-4}}");
	free(s);
	json_decref(j);
	yaml_load_free(doc);
	diag_release(&d);
}

/* within:/timeout: from a duration param: the IR carries the resolved
 * milliseconds (the -p value, else the default) and the param's name. */
static void test_duration_params(void **state)
{
	(void)state;
	static const char *plan =
		"opsplan: 1\nname: t\nparams:\n  window: {type: duration, default: 4m}\n"
		"  per_try: {type: duration, default: 20s}\nsteps:\n"
		"  - id: g\n    within: ${{ params.window }}\n    steps:\n"
		"      - id: a\n        do: log\n        with: {message: a}\n        timeout: \"${{ params.per_try }}\"\n"
		"  - id: b\n    do: log\n    with: {message: b}\n";
	struct fx *f = emit(plan, NULL, 0);
	assert_non_null(f->j);
	json_t *g = step(f->j, "g");
	assert_int_equal(json_integer_value(json_object_get(g, "within_ms")), 240000);
	assert_string_equal(json_string_value(json_object_get(g, "within_param")), "window");
	assert_string_equal(json_string_value(json_object_get(g, "within_src")), "t.yaml:8:13");
	json_t *a = json_array_get(json_object_get(g, "children"), 0);
	assert_string_equal(json_string_value(json_object_get(a, "id")), "a");
	assert_int_equal(json_integer_value(json_object_get(a, "timeout_ms")), 20000);
	assert_string_equal(json_string_value(json_object_get(a, "timeout_param")), "per_try");
	json_t *b = step(f->j, "b");
	assert_null(json_object_get(b, "within_param"));
	assert_null(json_object_get(b, "timeout_param"));
	done(f);
	const char *p[] = {"window=90s", "per_try=5s"};
	f = emit(plan, p, 2);
	assert_non_null(f->j);
	assert_int_equal(json_integer_value(json_object_get(step(f->j, "g"), "within_ms")), 90000);
	json_t *a2 = json_array_get(json_object_get(step(f->j, "g"), "children"), 0);
	assert_int_equal(json_integer_value(json_object_get(a2, "timeout_ms")), 5000);
	done(f);
	/* the -p window is too narrow for the -p timeout: no IR */
	const char *narrow[] = {"window=10s", "per_try=30s"};
	f = emit(plan, narrow, 2);
	assert_true(has_code(f, OP086));
	assert_null(f->ir);
	done(f);
}

/* Run cli_explain with its standard output in a file; returns the text. */
static char *explain_text(const char *plan, const char *param, int *rc)
{
	char path[] = "/tmp/opsplan-test-explain-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	char *argv[] = {"explain", (char *)plan, "-p", (char *)param, NULL};
	*rc = cli_explain(param ? 4 : 2, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	off_t n = lseek(fd, 0, SEEK_END);
	char *text = xcalloc((size_t)n + 1, 1);
	assert_int_equal(pread(fd, text, (size_t)n, 0), n);
	close(fd);
	unlink(path);
	return text;
}

/* explain says which value the window proof used and where it came from. */
static void test_explain_param_window(void **state)
{
	(void)state;
	char dir[] = "/tmp/opsplan-test-ir-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *plan = xasprintf("%s/p.yaml", dir);
	FILE *f = fopen(plan, "w");
	assert_non_null(f);
	fputs("opsplan: 1\nname: t\nparams:\n  replica_window: {type: duration, default: 4m}\nsteps:\n"
	      "  - id: g\n    within: ${{ params.replica_window }}\n    steps:\n"
	      "      - id: a\n        do: log\n        with: {message: a}\n        timeout: 1m\n", f);
	fclose(f);
	int rc;
	char *t = explain_text(plan, NULL, &rc);
	assert_int_equal(rc, 0);
	if (!strstr(t, "window must finish within 4m (params.replica_window, its default"))
		fail_msg("explain without -p:\n%s", t);
	free(t);
	t = explain_text(plan, "replica_window=90s", &rc);
	assert_int_equal(rc, 0);
	if (!strstr(t, "window must finish within 1m30s (params.replica_window, given with -p)"))
		fail_msg("explain with -p:\n%s", t);
	free(t);
	unlink(plan);
	rmdir(dir);
	free(plan);
}

/* -o FILE: a regular file is replaced whole (temporary file and rename); a
 * FIFO (like /dev/null, or a device) is written through and stays what it
 * was, where a rename would have replaced it with a regular file. */
static void test_output_file_kinds(void **state)
{
	(void)state;
	char dir[] = "/tmp/opsplan-test-ir-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *plan = xasprintf("%s/p.yaml", dir), *reg = xasprintf("%s/out.json", dir);
	char *fifo = xasprintf("%s/fifo", dir), *got = xasprintf("%s/got.json", dir);
	FILE *f = fopen(plan, "w");
	assert_non_null(f);
	fputs("opsplan: 1\nname: t\nsteps:\n  - id: a\n    do: log\n    with: {message: hi}\n", f);
	fclose(f);

	char *argv1[] = {"compile", plan, "-o", reg, NULL};
	assert_int_equal(cli_compile(4, argv1), 0);
	struct stat st;
	assert_int_equal(lstat(reg, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_true(st.st_size > 100);

	assert_int_equal(mkfifo(fifo, 0600), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {   /* the reader: copy the FIFO into got.json; gives up after 5 s */
		alarm(5);
		int in = open(fifo, O_RDONLY), out = open(got, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		char buf[4096];
		ssize_t n;
		while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
			if (write(out, buf, (size_t)n) != n)
				_exit(1);
		_exit(in >= 0 && out >= 0 ? 0 : 1);
	}
	char *argv2[] = {"compile", plan, "-o", fifo, NULL};
	assert_int_equal(cli_compile(4, argv2), 0);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	json_error_t je;
	json_t *a = json_load_file(reg, 0, &je), *b = json_load_file(got, 0, &je);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);

	unlink(plan);
	unlink(reg);
	unlink(fifo);
	unlink(got);
	rmdir(dir);
	free(plan);
	free(reg);
	free(fifo);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_hash_rule),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_param_errors),
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_brackets_and_exprs),
		cmocka_unit_test(test_json_of_ynode),
		cmocka_unit_test(test_duration_params),
		cmocka_unit_test(test_explain_param_window),
		cmocka_unit_test(test_output_file_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
