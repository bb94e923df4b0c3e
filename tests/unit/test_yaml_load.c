/* test_yaml_load.c - the loader: locations, every rejection, scalar helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "fileio.h"
#include "mem.h"
#include "regexp.h"
#include "yaml_load.h"

struct ctx {
	struct diag_list d;
	struct ydoc *doc;
};

static struct ctx *load(const char *text)
{
	struct ctx *c = xcalloc(1, sizeof *c);
	diag_init(&c->d);
	c->doc = yaml_load_mem("t.yaml", text, strlen(text), &c->d);
	return c;
}

static void done(struct ctx *c)
{
	diag_release(&c->d);
	yaml_load_free(c->doc);
	free(c);
}

/* The load failed with exactly one diagnostic: code at line:col. */
static void expect_one(struct ctx *c, enum diag_code code, uint32_t line, uint32_t col)
{
	assert_null(c->doc->root);
	assert_int_equal(c->d.n, 1);
	assert_string_equal(diag_code_name(c->d.items[0].code), diag_code_name(code));
	assert_string_equal(c->d.items[0].loc.file, "t.yaml");
	assert_int_equal(c->d.items[0].loc.line, line);
	assert_int_equal(c->d.items[0].loc.col, col);
	assert_int_equal(diag_errors(&c->d), 1);
}

static void test_locations(void **state)
{
	(void)state;
	struct ctx *c = load("name: demo\n"
			     "steps:\n"
			     "  - id: healthy\n"
			     "    with: {pod: \"p-0\"}\n");
	assert_int_equal(c->d.n, 0);
	struct ynode *r = c->doc->root;
	assert_non_null(r);
	assert_int_equal(r->kind, YNODE_MAP);
	assert_int_equal(r->npairs, 2);
	assert_int_equal(r->loc.line, 1);
	assert_int_equal(r->loc.col, 1);
	struct ynode *name = ynode_get(r, "name");
	assert_string_equal(name->str, "demo");
	assert_int_equal(name->loc.line, 1);
	assert_int_equal(name->loc.col, 7);
	assert_int_equal(name->loc.end_line, 1);
	assert_int_equal(name->loc.end_col, 11);
	assert_int_equal(name->loc.off, 6);
	assert_int_equal(name->loc.end_off, 10);
	const struct ypair *p = ynode_pair(r, "steps");
	assert_int_equal(p->key->loc.line, 2);
	assert_int_equal(p->key->loc.col, 1);
	struct ynode *steps = p->value;
	assert_int_equal(steps->kind, YNODE_SEQ);
	assert_int_equal(steps->nitems, 1);
	assert_int_equal(steps->loc.line, 3);
	assert_int_equal(steps->loc.col, 3);
	struct ynode *with = ynode_get(steps->items[0], "with");
	assert_int_equal(with->kind, YNODE_MAP);
	assert_int_equal(with->loc.line, 4);
	assert_int_equal(with->loc.col, 11);
	assert_int_equal(with->loc.end_col, 23);   /* just past the '}' */
	struct ynode *pod = ynode_get(with, "pod");
	assert_int_equal(pod->style, YSTYLE_DOUBLE);
	assert_int_equal(pod->loc.col, 17);        /* the opening quote */
	assert_int_equal(pod->loc.end_col, 22);
	/* The text is registered for snippets. */
	assert_int_equal(c->d.nsrc, 1);
	assert_ptr_equal(c->d.src[0].text, c->doc->text);
	done(c);
}

/* libyaml counts columns in characters; ours are bytes. */
static void test_columns_are_bytes(void **state)
{
	(void)state;
	struct ctx *c = load("k: [\xc3\xa9, x]\nz: \xe2\x82\xac\xe2\x82\xac y\n");
	assert_int_equal(c->d.n, 0);
	struct ynode *k = ynode_get(c->doc->root, "k");
	assert_int_equal(k->items[1]->loc.col, 9);
	assert_int_equal(k->items[1]->loc.off, 8);
	struct ynode *z = ynode_get(c->doc->root, "z");
	assert_int_equal(z->loc.col, 4);
	assert_int_equal(z->loc.end_col, 12);
	done(c);
}

static void test_crlf_and_bom(void **state)
{
	(void)state;
	struct ctx *c = load("\xef\xbb\xbf" "a: 1\r\nb: 2\r\n");
	assert_int_equal(c->d.n, 0);
	struct ynode *b = ynode_get(c->doc->root, "b");
	assert_int_equal(b->loc.line, 2);
	assert_int_equal(b->loc.col, 4);
	done(c);
}

static void test_syntax_error(void **state)
{
	(void)state;
	struct ctx *c = load("a: 1\nb: [1, 2\nc: 3\n");
	assert_null(c->doc->root);
	assert_true(c->d.n >= 1);
	assert_int_equal(c->d.items[0].code, OP001);
	assert_true(c->d.items[0].loc.line >= 2);
	done(c);
	c = load("a: 'open\n");
	expect_one(c, OP001, 2, 1);
	done(c);
	/* Control characters: libyaml's reader counts bytes, after any BOM. */
	c = load("a: 1\nb: x\001y\n");
	expect_one(c, OP001, 2, 5);
	done(c);
	c = load("\xef\xbb\xbf" "a: 1\n\001");
	expect_one(c, OP001, 2, 1);
	done(c);
}

static void test_duplicate_key(void **state)
{
	(void)state;
	struct ctx *c = load("a: 1\nb:\n  c: 2\n  d: 3\n  c: 4\n");
	expect_one(c, OP002, 5, 3);
	assert_string_equal(c->d.items[0].msg, "duplicate key 'c'");
	assert_int_equal(c->d.items[0].nhints, 1);
	assert_string_equal(c->d.items[0].hints[0], "first defined at line 3");
	done(c);
	/* Keys that differ only in quoting are the same key. */
	c = load("{\"x\": 1, x: 2}");
	expect_one(c, OP002, 1, 10);
	done(c);
}

/* A map past the pairwise threshold: every duplicate, none invented. */
static void test_duplicate_key_big_map(void **state)
{
	(void)state;
	struct strbuf b = {0};
	for (int i = 0; i < 500; i++)
		sb_printf(&b, "k%d: %d\n", i, i);
	sb_puts(&b, "k7: again\nk499: again\nk7: thrice\n");
	struct ctx *c = load(b.s);
	assert_null(c->doc->root);
	assert_int_equal(c->d.n, 3);
	diag_sort(&c->d);
	assert_int_equal(c->d.items[0].loc.line, 501);
	assert_string_equal(c->d.items[0].msg, "duplicate key 'k7'");
	assert_string_equal(c->d.items[0].hints[0], "first defined at line 8");
	assert_int_equal(c->d.items[1].loc.line, 502);
	assert_int_equal(c->d.items[2].loc.line, 503);
	assert_string_equal(c->d.items[2].hints[0], "first defined at line 8");
	done(c);
	sb_release(&b);
}

static void test_tab_indent(void **state)
{
	(void)state;
	struct ctx *c = load("a:\n  b: 1\n\tc: 2\n");
	expect_one(c, OP003, 3, 1);
	done(c);
	/* A tab inside a value is fine. */
	c = load("a: \"x\ty\"\nb:\tc\n");
	assert_int_equal(c->d.n, 0);
	assert_string_equal(ynode_get(c->doc->root, "a")->str, "x\ty");
	done(c);
}

static void test_multi_doc(void **state)
{
	(void)state;
	struct ctx *c = load("a: 1\n---\nb: 2\n");
	expect_one(c, OP004, 2, 1);
	done(c);
	/* One explicit document is fine. */
	c = load("---\na: 1\n...\n");
	assert_int_equal(c->d.n, 0);
	assert_non_null(c->doc->root);
	done(c);
}

static void test_aliases(void **state)
{
	(void)state;
	struct ctx *c = load("base: &b {x: 1}\nuse: *b\n");
	assert_int_equal(c->d.n, 0);
	assert_ptr_equal(ynode_get(c->doc->root, "base"), ynode_get(c->doc->root, "use"));
	done(c);
	c = load("a: *nope\n");
	expect_one(c, OP001, 1, 4);
	assert_string_equal(c->d.items[0].msg, "unknown anchor 'nope'");
	done(c);
	c = load("a: &a [1, *a]\n");
	expect_one(c, OP005, 1, 11);
	done(c);
}

static void test_billion_laughs(void **state)
{
	(void)state;
	struct strbuf b = {0};
	sb_puts(&b, "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (char x = 'b'; x <= 'j'; x++) {
		sb_printf(&b, "%c: &%c [", x, x);
		for (int i = 0; i < 9; i++)
			sb_printf(&b, "%s*%c", i ? ", " : "", x - 1);
		sb_puts(&b, "]\n");
	}
	clock_t t0 = clock();
	struct ctx *c = load(b.s);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_null(c->doc->root);
	assert_int_equal(c->d.n, 1);
	assert_int_equal(c->d.items[0].code, OP005);
	/* 10 * 9^5 passes the 200000 budget on the line of 'f'. */
	assert_int_equal(c->d.items[0].loc.line, 6);
	assert_true(secs < 0.5);
	done(c);
	sb_release(&b);
}

/* 90,000 anchors and as many aliases: lookups must not be quadratic. */
static void test_many_anchors(void **state)
{
	(void)state;
	struct strbuf b = {0};
	sb_puts(&b, "a:\n");
	for (int i = 0; i < 90000; i++)
		sb_printf(&b, "  - &a%d x\n", i);
	sb_puts(&b, "b:\n");
	for (int i = 0; i < 90000; i++)
		sb_printf(&b, "  - *a%d\n", i);
	sb_puts(&b, "c: &a5 y\nd: *a5\n");   /* redefined: the later one wins */
	clock_t t0 = clock();
	struct ctx *c = load(b.s);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_int_equal(c->d.n, 0);
	struct ynode *a = ynode_get(c->doc->root, "a"), *bb = ynode_get(c->doc->root, "b");
	assert_int_equal(bb->nitems, 90000);
	assert_ptr_equal(bb->items[89999], a->items[89999]);
	assert_string_equal(ynode_get(c->doc->root, "d")->str, "y");
	assert_true(secs < 1.0);
	done(c);
	sb_release(&b);
}

static char *nested(int depth)
{
	char *s = xmalloc(2 * (size_t)depth + 2);
	memset(s, '[', (size_t)depth);
	memset(s + depth, ']', (size_t)depth);
	s[2 * depth] = '\n';
	s[2 * depth + 1] = '\0';
	return s;
}

static void test_depth(void **state)
{
	(void)state;
	char *ok = nested(YAML_LOAD_MAX_DEPTH);
	struct ctx *c = load(ok);
	assert_int_equal(c->d.n, 0);
	assert_non_null(c->doc->root);
	done(c);
	free(ok);
	char *deep = nested(10000);
	c = load(deep);
	expect_one(c, OP006, 1, YAML_LOAD_MAX_DEPTH + 1);
	done(c);
	free(deep);
}

static void test_too_large(void **state)
{
	(void)state;
	size_t n = YAML_LOAD_MAX_BYTES + 1;
	char *big = xmalloc(n);
	memset(big, '#', n);
	struct diag_list d;
	diag_init(&d);
	struct ydoc *doc = yaml_load_mem("t.yaml", big, n, &d);
	assert_null(doc->root);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.items[0].code, OP007);
	assert_int_equal(d.items[0].loc.line, 1);
	yaml_load_free(doc);
	diag_release(&d);
	free(big);
}

static void test_too_large_file(void **state)
{
	(void)state;
	char path[] = "/tmp/opsplan-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	/* sparse: 100 MB of nothing costs no disk and must cost no reading */
	assert_int_equal(ftruncate(fd, 100 << 20), 0);
	close(fd);
	struct diag_list d;
	diag_init(&d);
	struct ydoc *doc = yaml_load_file(path, &d);
	assert_null(doc->root);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.items[0].code, OP007);
	assert_string_equal(d.items[0].loc.file, path);
	yaml_load_free(doc);
	diag_release(&d);
	unlink(path);
}

static void test_utf8(void **state)
{
	(void)state;
	struct ctx *c = load("a: 1\nb: x\xff\n");
	expect_one(c, OP008, 2, 5);
	done(c);
	c = load("a: \xc0\xaf\n");          /* overlong '/' */
	expect_one(c, OP008, 1, 4);
	done(c);
	c = load("a: \xed\xa0\x80\n");      /* a UTF-16 surrogate */
	expect_one(c, OP008, 1, 4);
	done(c);
	c = load("a: \xf4\x90\x80\x80\n");  /* past U+10FFFF */
	expect_one(c, OP008, 1, 4);
	done(c);
	c = load("a: \xe2\x82\n");          /* truncated */
	expect_one(c, OP008, 1, 4);
	done(c);
	c = load("a: 1\rb: \xff\n");        /* old Mac line ends count too */
	expect_one(c, OP008, 2, 4);
	done(c);
	struct diag_list d;
	diag_init(&d);
	struct ydoc *doc = yaml_load_mem("t.yaml", "\xff\xfe" "a\0:\0", 6, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.items[0].code, OP008);
	assert_int_equal(d.items[0].nhints, 1);
	assert_non_null(strstr(d.items[0].hints[0], "UTF-16"));
	yaml_load_free(doc);
	diag_release(&d);
}

static void test_key_not_scalar(void **state)
{
	(void)state;
	struct ctx *c = load("? [a, b]\n: 1\n");
	expect_one(c, OP009, 1, 3);
	done(c);
	c = load("{{a: 1}: 2}\n");
	expect_one(c, OP009, 1, 2);
	done(c);
}

static void test_empty(void **state)
{
	(void)state;
	static const char *const empties[] = {"", "\n\n", "# just a comment\n", "---\n", "--- ~\n"};
	for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
		struct ctx *c = load(empties[i]);
		if (i == 4) {
			/* An explicit null is a document (the schema will say why it
			 * is not a plan), unlike an empty one. */
			assert_int_equal(c->d.n, 0);
		} else {
			expect_one(c, OP010, 1, 1);
		}
		done(c);
	}
}

static void test_io(void **state)
{
	(void)state;
	struct diag_list d;
	diag_init(&d);
	struct ydoc *doc = yaml_load_file("/nonexistent/plan.yaml", &d);
	assert_null(doc->root);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.items[0].code, OP011);
	assert_non_null(strstr(d.items[0].msg, "'/nonexistent/plan.yaml'"));
	assert_non_null(strstr(d.items[0].msg, "No such file"));
	yaml_load_free(doc);
	diag_release(&d);
	diag_init(&d);
	doc = yaml_load_file("/tmp", &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.items[0].code, OP011);
	yaml_load_free(doc);
	diag_release(&d);
}

static void test_load_file_ok(void **state)
{
	(void)state;
	char path[] = "/tmp/opsplan-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "opsplan: 1\nname: x\n";
	assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
	close(fd);
	struct diag_list d;
	diag_init(&d);
	struct ydoc *doc = yaml_load_file(path, &d);
	assert_int_equal(d.n, 0);
	assert_string_equal(doc->file, path);
	assert_int_equal(doc->len, sizeof text - 1);
	assert_string_equal(ynode_get(doc->root, "name")->str, "x");
	assert_string_equal(ynode_get(doc->root, "name")->loc.file, path);
	yaml_load_free(doc);
	diag_release(&d);
	unlink(path);
}

/* A file that is not a plan (a kubeconfig): same budgets, its own words,
 * and an empty file is no error. */
static void test_load_file_as(void **state)
{
	(void)state;
	static const struct yaml_load_opts kc = {.what = "kubeconfig", .empty_ok = 1};
	char path[] = "/tmp/opsplan-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct diag_list d;
	diag_init(&d);
	struct ydoc *doc = yaml_load_file_as(path, &kc, &d);
	assert_int_equal(d.n, 0);
	assert_null(doc->root);
	diag_release(&d);
	yaml_load_free(doc);
	/* a plan may not be empty */
	diag_init(&d);
	doc = yaml_load_file_as(path, NULL, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.items[0].code, OP010);
	diag_release(&d);
	yaml_load_free(doc);
	/* too large: the hint names what the file is */
	fd = open(path, O_WRONLY);
	assert_int_equal(ftruncate(fd, 100 << 20), 0);
	close(fd);
	diag_init(&d);
	doc = yaml_load_file_as(path, &kc, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.items[0].code, OP007);
	assert_int_equal(d.items[0].nhints, 1);
	assert_non_null(strstr(d.items[0].hints[0], "a kubeconfig is a few KiB"));
	assert_int_equal(doc->sys_errno, 0);
	yaml_load_free(doc);
	diag_release(&d);
	unlink(path);
	/* an I/O failure keeps its errno for callers that word their own message */
	diag_init(&d);
	doc = yaml_load_file_as("/nonexistent/kubeconfig", &kc, &d);
	assert_int_equal(doc->sys_errno, ENOENT);
	yaml_load_free(doc);
	diag_release(&d);
}

/* fileio_read: bounded for files that do not say their size (/dev/zero). */
static void test_fileio(void **state)
{
	(void)state;
	char *buf = (char *)1;
	size_t len = 1;
	assert_int_equal(fileio_read(&buf, &len, "/dev/zero", 1000), FILEIO_TOOBIG);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(fileio_read(&buf, &len, "/nonexistent/x", 1000), FILEIO_OPEN);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(fileio_read(&buf, &len, "/tmp", 1000), FILEIO_READ);
	assert_int_equal(errno, EISDIR);
	assert_int_equal(fileio_read(&buf, &len, "/dev/null", 1000), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
}

/* regexp: a catastrophic pattern is "could not tell", not "no match". */
static void test_regexp(void **state)
{
	(void)state;
	struct regexp *re = NULL;
	char err[256] = "";
	size_t off = 0;
	assert_int_equal(regexp_compile(&re, "^(a+", 4, err, sizeof err, &off), -1);
	assert_null(re);
	assert_int_equal(off, 4);
	assert_non_null(strstr(err, "missing closing parenthesis"));
	assert_int_equal(regexp_compile(&re, "^(a+)+$", 7, err, sizeof err, NULL), 0);
	assert_int_equal(regexp_match(re, "aaaa", 4, err, sizeof err), 1);
	assert_int_equal(regexp_match(re, "aab", 3, err, sizeof err), 0);
	const char evil[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";
	clock_t t0 = clock();
	assert_int_equal(regexp_match(re, evil, sizeof evil - 1, err, sizeof err), REGEXP_LIMIT);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
	assert_string_equal(err, "match limit exceeded");
	regexp_free(re);
	regexp_free(NULL);
}

static void test_scalars(void **state)
{
	(void)state;
	struct ctx *c = load("n1: ~\nn2: null\nn3:\nb1: true\nb2: False\nyes: yes\n"
			     "i: 42\nneg: -7\nf: 2.5e3\nhex: 0x1F\noct: 0o17\ninf: -.inf\n"
			     "q: \"42\"\nt: !!str 12\nv: 1.2.3\nlit: |\n  line\n");
	assert_int_equal(c->d.n, 0);
	struct ynode *r = c->doc->root;
	int b = -1;
	double x = 0;
	assert_true(ynode_is_null(ynode_get(r, "n1")));
	assert_true(ynode_is_null(ynode_get(r, "n2")));
	assert_true(ynode_is_null(ynode_get(r, "n3")));
	assert_false(ynode_is_null(ynode_get(r, "q")));
	assert_int_equal(ynode_bool(ynode_get(r, "b1"), &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(ynode_bool(ynode_get(r, "b2"), &b), 0);
	assert_int_equal(b, 0);
	/* YAML 1.2: "yes" is a string */
	assert_int_equal(ynode_bool(ynode_get(r, "yes"), &b), -1);
	assert_string_equal(ynode_kind_name(ynode_get(r, "yes")), "string");
	assert_int_equal(ynode_number(ynode_get(r, "i"), &x), 0);
	assert_true(x == 42);
	assert_int_equal(ynode_number(ynode_get(r, "neg"), &x), 0);
	assert_true(x == -7);
	assert_int_equal(ynode_number(ynode_get(r, "f"), &x), 0);
	assert_true(x == 2500);
	assert_int_equal(ynode_number(ynode_get(r, "hex"), &x), 0);
	assert_true(x == 31);
	assert_int_equal(ynode_number(ynode_get(r, "oct"), &x), 0);
	assert_true(x == 15);
	assert_int_equal(ynode_number(ynode_get(r, "inf"), &x), 0);
	assert_true(x < -1e308);
	assert_int_equal(ynode_number(ynode_get(r, "q"), &x), -1);
	assert_int_equal(ynode_number(ynode_get(r, "v"), &x), -1);
	assert_true(ynode_is_string(ynode_get(r, "q")));
	assert_true(ynode_is_string(ynode_get(r, "t")));
	assert_true(ynode_is_string(ynode_get(r, "v")));
	assert_false(ynode_is_string(ynode_get(r, "i")));
	assert_string_equal(ynode_kind_name(ynode_get(r, "i")), "number");
	assert_string_equal(ynode_kind_name(ynode_get(r, "b1")), "boolean");
	assert_string_equal(ynode_kind_name(ynode_get(r, "n1")), "null");
	assert_string_equal(ynode_kind_name(r), "mapping");
	struct ynode *lit = ynode_get(r, "lit");
	assert_int_equal(lit->style, YSTYLE_LITERAL);
	assert_string_equal(lit->str, "line\n");
	assert_null(ynode_get(r, "missing"));
	assert_null(ynode_get(ynode_get(r, "i"), "x"));
	done(c);
}

/* Scalars may hold NUL when double-quoted; len is the truth. */
static void test_scalar_nul(void **state)
{
	(void)state;
	struct ctx *c = load("a: \"x\\0y\"\n");
	assert_int_equal(c->d.n, 0);
	struct ynode *a = ynode_get(c->doc->root, "a");
	assert_int_equal(a->len, 3);
	assert_int_equal(a->str[1], '\0');
	assert_int_equal(a->str[3], '\0');
	done(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locations),
		cmocka_unit_test(test_columns_are_bytes),
		cmocka_unit_test(test_crlf_and_bom),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_duplicate_key_big_map),
		cmocka_unit_test(test_tab_indent),
		cmocka_unit_test(test_multi_doc),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_many_anchors),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_too_large_file),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_key_not_scalar),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_io),
		cmocka_unit_test(test_load_file_ok),
		cmocka_unit_test(test_load_file_as),
		cmocka_unit_test(test_fileio),
		cmocka_unit_test(test_regexp),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_scalar_nul),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
