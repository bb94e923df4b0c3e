/* test_journal.c - the write-ahead journal: round trip, file modes, torn
 * tails at every byte, corruption, the hash chain (forged, deleted, swapped
 * records; legacy journals), the run lock, redaction, injected write/fsync
 * failures, oversized records, run listing. */
#define _XOPEN_SOURCE 700   /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ir.h"   /* ir_sha256, to check the chain independently of journal.c */
#include "journal.h"
#include "mem.h"
#include "redact.h"

struct fx {
	char dir[64];
	char *runs;   /* dir/runs: created by the journal itself */
};

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/opsplan-journal-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->runs = xasprintf("%s/runs", f->dir);
	umask(022);
	journal_fault_inject(NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	nftw(f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f->runs);
	free(f);
	journal_fault_inject(NULL);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *s = xmalloc((size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return s;
}

static void spit(const char *path, const char *s, size_t n)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(s, 1, n, fp), n);
	fclose(fp);
}

/* A journal with three records: run-start, intent, run-end.  Returns its path. */
static char *make_three(struct fx *f, const char *id)
{
	struct journal *j;
	struct journal_err err = {0};
	assert_int_equal(journal_create(&j, f->runs, id, &err), 0);
	assert_int_equal(journal_append(j, JOURNAL_RUN_START,
					json_pack("{s:s, s:s, s:s, s:s, s:b}", "run_id", id, "plan", "demo",
						  "namespace", "ns1", "cluster", "pg", "dry_run", 0),
					&err), 0);
	assert_int_equal(journal_append(j, JOURNAL_INTENT,
					json_pack("{s:s, s:i, s:{s:s}}", "step", "delete", "attempt", 1,
						  "precondition", "uid", "u-123"),
					&err), 0);
	assert_int_equal(journal_append(j, JOURNAL_RUN_END,
					json_pack("{s:s, s:i}", "state", "done", "exit_code", 0), &err), 0);
	assert_int_equal(journal_last_seq(j), 3);
	char *path = xstrdup(journal_path(j));
	journal_close(j);
	return path;
}

static void test_round_trip_and_modes(void **state)
{
	struct fx *f = *state;
	char *path = make_three(f, "20261126T093012Z-demo-0001");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(f->runs, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	struct journal_records r = {0};
	struct journal_err err = {0};
	assert_int_equal(journal_load(path, &r, &err), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.cut_bytes, 0);
	assert_int_equal(r.items[0].kind, JOURNAL_RUN_START);
	assert_int_equal(r.items[1].kind, JOURNAL_INTENT);
	assert_int_equal(r.items[2].kind, JOURNAL_RUN_END);
	for (size_t i = 0; i < r.n; i++) {
		assert_int_equal(r.items[i].seq, i + 1);
		assert_int_equal(r.items[i].line, i + 1);
		assert_true(r.items[i].ms > 1700000000000LL);
	}
	assert_string_equal(json_string_value(json_object_get(r.items[0].data, "plan")), "demo");
	json_t *pre = json_object_get(r.items[1].data, "precondition");
	assert_string_equal(json_string_value(json_object_get(pre, "uid")), "u-123");
	/* each line is a JSON object a human can read with jq */
	size_t len;
	char *text = slurp(path, &len);
	assert_non_null(strstr(text, "{\"seq\":2,\"kind\":\"intent\",\"time\":\"20"));
	assert_int_equal(text[len - 1], '\n');
	free(text);
	journal_records_release(&r);

	/* a run id is used once */
	struct journal *j;
	assert_int_equal(journal_create(&j, f->runs, "20261126T093012Z-demo-0001", &err), JOURNAL_EIO);
	assert_null(j);
	assert_int_equal(journal_create(&j, f->runs, "../escape", &err), JOURNAL_EINVAL);
	assert_int_equal(journal_create(&j, "", "r", &err), JOURNAL_EINVAL);
	/* missing parents are created too, each 0700 */
	char *deep = xasprintf("%s/a/b/c", f->dir);
	assert_int_equal(journal_create(&j, deep, "r", &err), 0);
	journal_close(j);
	char *mid = xasprintf("%s/a/b", f->dir);
	assert_int_equal(stat(mid, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(mid);
	free(deep);
	free(path);
}

static void test_append_borrows_nothing(void **state)
{
	struct fx *f = *state;
	struct journal *j;
	struct journal_err err = {0};
	assert_int_equal(journal_create(&j, f->runs, "r1", &err), 0);
	json_t *mine = json_pack("{s:s, s:s}", "step", "x", "token", "abc");
	json_incref(mine);
	assert_int_equal(journal_append(j, JOURNAL_STEP_START, mine, &err), 0);
	/* the caller's object is not redacted under its feet */
	assert_string_equal(json_string_value(json_object_get(mine, "token")), "abc");
	json_decref(mine);
	assert_int_equal(journal_append(j, JOURNAL_STEP_START, json_string("not an object"), &err),
			 JOURNAL_EINVAL);
	assert_int_equal(journal_append(j, JOURNAL_KIND_COUNT, NULL, &err), JOURNAL_EINVAL);
	assert_int_equal(journal_append(j, JOURNAL_SIGNAL, NULL, &err), 0);
	assert_int_equal(journal_last_seq(j), 2);
	journal_close(j);
}

/* Cut the file inside its last record at every byte offset: loading keeps
 * the first two records and reports exactly the bytes it would cut. */
static void test_torn_tail_every_offset(void **state)
{
	struct fx *f = *state;
	char *path = make_three(f, "torn");
	size_t len;
	char *text = slurp(path, &len);
	size_t last = len - 1;
	while (last > 0 && text[last - 1] != '\n')
		last--;
	char *copy = xasprintf("%s/copy.jsonl", f->dir);
	for (size_t off = last; off < len; off++) {
		spit(copy, text, off);
		struct journal_records r = {0};
		struct journal_err err = {0};
		assert_int_equal(journal_load(copy, &r, &err), 0);
		assert_int_equal(r.n, 2);
		assert_int_equal(r.cut_bytes, off - last);
		journal_records_release(&r);
	}
	/* resume at a few of them: the file is cut and appends continue the seq */
	size_t offs[] = {last + 1, last + (len - last) / 2, len - 1};
	for (size_t k = 0; k < 3; k++) {
		spit(copy, text, offs[k]);
		struct journal_records r = {0};
		struct journal_err err = {0};
		struct journal *j;
		assert_int_equal(journal_open_resume(&j, copy, &r, &err), 0);
		assert_int_equal(r.cut_bytes, offs[k] - last);
		assert_int_equal(journal_last_seq(j), 2);
		assert_int_equal(journal_append(j, JOURNAL_RESUME,
						json_pack("{s:I}", "cut_bytes", (json_int_t)r.cut_bytes), &err), 0);
		journal_close(j);
		journal_records_release(&r);
		assert_int_equal(journal_load(copy, &r, &err), 0);
		assert_int_equal(r.n, 3);
		assert_int_equal(r.cut_bytes, 0);
		assert_int_equal(r.items[2].kind, JOURNAL_RESUME);
		assert_int_equal(r.items[2].seq, 3);
		journal_records_release(&r);
	}
	/* a complete last line whose bytes rotted (e.g. zeros after a crash) is
	 * torn too: nothing valid follows it */
	char *z = xstrdup(text);
	memset(z + last, 0, len - last - 1);
	spit(copy, z, len);
	struct journal_records r = {0};
	struct journal_err err = {0};
	assert_int_equal(journal_load(copy, &r, &err), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.cut_bytes, len - last);
	journal_records_release(&r);
	free(z);
	free(copy);
	free(text);
	free(path);
}

static void test_corrupt_middle_refused(void **state)
{
	struct fx *f = *state;
	char *path = make_three(f, "corrupt");
	size_t len;
	char *text = slurp(path, &len);
	char *second = strchr(text, '\n') + 1;
	char *target = strstr(second, "u-123");
	assert_non_null(target);
	target[2] = '9';   /* one byte flipped in record 2; checksum must catch it */
	spit(path, text, len);
	struct journal_records r = {0};
	struct journal_err err = {0};
	assert_int_equal(journal_load(path, &r, &err), JOURNAL_ECORRUPT);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_non_null(strstr(err.msg, "checksum mismatch"));
	journal_records_release(&r);
	struct journal *j;
	assert_int_equal(journal_open_resume(&j, path, &r, &err), JOURNAL_ECORRUPT);
	assert_null(j);
	journal_records_release(&r);
	/* the file was not touched by the refused resume */
	size_t len2;
	char *after = slurp(path, &len2);
	assert_int_equal(len2, len);
	free(after);
	free(text);

	/* a missing record in the middle is a gap in seq */
	free(path);
	path = make_three(f, "gap");
	text = slurp(path, &len);
	second = strchr(text, '\n') + 1;
	char *third = strchr(second, '\n') + 1;
	memmove(second, third, strlen(third) + 1);
	spit(path, text, strlen(text));
	assert_int_equal(journal_load(path, &r, &err), JOURNAL_ECORRUPT);
	assert_non_null(strstr(err.msg, "sequence 3 where 2 was expected"));
	journal_records_release(&r);
	free(text);
	free(path);
}

static pid_t dead_pid(void)
{
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	return p;
}

static void test_lock(void **state)
{
	struct fx *f = *state;
	struct journal_lock *a = NULL, *b = NULL;
	struct journal_err err = {0};
	char holder[JOURNAL_RUN_ID_MAX];
	assert_int_equal(journal_lock_held(f->runs, "ns1", "pg", holder), 0);
	assert_int_equal(journal_lock(&a, f->runs, "ns1", "pg", "run-a", 0, &err), 0);
	assert_int_equal(journal_lock_held(f->runs, "ns1", "pg", holder), 1);
	assert_string_equal(holder, "run-a");
	/* a second taker is refused and told who holds it */
	assert_int_equal(journal_lock(&b, f->runs, "ns1", "pg", "run-b", 0, &err), JOURNAL_ELOCKED);
	assert_null(b);
	assert_non_null(strstr(err.msg, "'run-a'"));
	/* even with takeover: a live holder is never taken over */
	assert_int_equal(journal_lock(&b, f->runs, "ns1", "pg", "run-b", JOURNAL_LOCK_TAKEOVER, &err),
			 JOURNAL_ELOCKED);
	/* another cluster in the same namespace is independent */
	assert_int_equal(journal_lock(&b, f->runs, "ns1", "pg2", "run-b", 0, &err), 0);
	journal_unlock(b);
	journal_unlock(a);
	assert_int_equal(journal_lock_held(f->runs, "ns1", "pg", holder), 0);
	assert_int_equal(journal_lock(&b, f->runs, "ns1", "pg", "run-b", 0, &err), 0);
	journal_unlock(b);
	/* names cannot escape the lock directory */
	assert_int_equal(journal_lock(&b, f->runs, "../x", "pg", "run-b", 0, &err), JOURNAL_EINVAL);
}

static void test_lock_stale(void **state)
{
	struct fx *f = *state;
	struct journal_lock *l = NULL;
	struct journal_err err = {0};
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	/* fork before allocating: the child exits at once, and valgrind would
	 * count what it inherited as its leaks */
	long dead = (long)dead_pid();
	char *locks = xasprintf("%s/locks", f->runs);
	mkdir(f->runs, 0700);
	mkdir(locks, 0700);
	char *path = xasprintf("%s/ns1.pg.lock", locks);
	char *content = xasprintf("%ld run-dead %s\n", dead, host);
	spit(path, content, strlen(content));
	assert_int_equal(journal_lock_held(f->runs, "ns1", "pg", NULL), 0);
	assert_int_equal(journal_lock(&l, f->runs, "ns1", "pg", "run-new", 0, &err), JOURNAL_ESTALE);
	assert_null(l);
	assert_non_null(strstr(err.msg, "'run-dead'"));
	assert_non_null(strstr(err.msg, "no longer running"));
	/* refused: the stale lock is still there for the next look */
	char *still = slurp(path, NULL);
	assert_string_equal(still, content);
	free(still);
	assert_int_equal(journal_lock(&l, f->runs, "ns1", "pg", "run-new", JOURNAL_LOCK_TAKEOVER, &err), 0);
	char *now = slurp(path, NULL);
	char *want = xasprintf("%ld run-new ", (long)getpid());
	assert_true(!strncmp(now, want, strlen(want)));
	free(want);
	free(now);
	journal_unlock(l);
	assert_int_equal(access(path, F_OK), -1);
	free(content);
	free(path);
	free(locks);
}

static void test_redact(void **state)
{
	struct fx *f = *state;
	json_error_t je;
	json_t *v = json_loads(
		"{\"token\":\"t0p\",\"Password\":\"hunter2\",\"keep\":\"visible\","
		"\"request\":{\"headers\":[{\"Authorization\":\"xyz\"},\"Bearer abc.def\"],"
		"\"user\":{\"client-key-data\":\"LS0t\",\"tokenFile\":\"/var/run/t\"}},"
		"\"env\":[{\"name\":\"PATRONI_SUPERUSER_PASSWORD\",\"value\":\"pw1\"},"
		"{\"name\":\"PGDATA\",\"value\":\"/data\"}],"
		"\"auth\":\"Bearer eyJhbGci\",\"nested\":{\"deeper\":{\"client_secret\":42}}}",
		0, &je);
	assert_non_null(v);
	journal_redact(v);
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	const char *gone[] = {"t0p", "hunter2", "xyz", "abc.def", "LS0t", "/var/run/t", "pw1",
			      "eyJhbGci", "42"};
	for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
		if (strstr(s, gone[i]))
			fail_msg("'%s' survived redaction: %s", gone[i], s);
	/* what is not secret is kept, keys included */
	assert_non_null(strstr(s, "\"keep\":\"visible\""));
	assert_non_null(strstr(s, "\"value\":\"/data\""));
	assert_non_null(strstr(s, "\"Password\":\"[redacted]\""));
	assert_non_null(strstr(s, "PATRONI_SUPERUSER_PASSWORD"));
	free(s);

	/* a secret the kube client registered is scrubbed inside free text */
	redact_add_secret("s3cr3t-value-xyz");
	json_t *msg = json_pack("{s:s, s:[s]}", "error", "exec plugin said s3cr3t-value-xyz twice",
				"lines", "curl: Authorization: Basic Zm9vOmJhcg==");
	journal_redact(msg);
	s = json_dumps(msg, JSON_COMPACT);
	assert_null(strstr(s, "s3cr3t-value-xyz"));
	assert_null(strstr(s, "Zm9vOmJhcg=="));
	assert_non_null(strstr(s, "exec plugin said [redacted] twice"));
	free(s);
	json_decref(msg);
	redact_reset();

	/* and every appended record is redacted on its way to disk */
	struct journal *j;
	struct journal_err err = {0};
	assert_int_equal(journal_create(&j, f->runs, "redact", &err), 0);
	assert_int_equal(journal_append(j, JOURNAL_INTENT, v, &err), 0);
	char *text = slurp(journal_path(j), NULL);
	for (size_t i = 0; i < sizeof gone / sizeof gone[0] - 1; i++)
		if (strstr(text, gone[i]))
			fail_msg("'%s' reached the journal file", gone[i]);
	free(text);
	journal_close(j);
}

/* An injected failure at the Nth write or fsync: the append fails, the
 * journal refuses more, and what is on disk loads with every acknowledged
 * record and nothing else. */
static void fault_case(struct fx *f, const char *spec, const char *id, size_t acked)
{
	struct journal *j;
	struct journal_err err = {0};
	assert_int_equal(journal_create(&j, f->runs, id, &err), 0);
	assert_int_equal(journal_fault_inject(spec), 0);
	size_t ok = 0;
	int rc = 0;
	for (int i = 0; i < 5 && rc == 0; i++) {
		rc = journal_append(j, JOURNAL_STEP_START, json_pack("{s:s, s:i}", "step", "s", "i", i), &err);
		if (rc == 0)
			ok++;
	}
	assert_int_equal(rc, JOURNAL_EIO);
	assert_int_equal(err.sys_errno, EIO);
	assert_int_equal(ok, acked);
	assert_int_equal(journal_append(j, JOURNAL_SIGNAL, NULL, &err), JOURNAL_EFAILED);
	struct journal_records r = {0};
	assert_int_equal(journal_load(journal_path(j), &r, &err), 0);
	assert_int_equal(r.n, acked);
	assert_int_equal(r.cut_bytes, 0);
	journal_records_release(&r);
	journal_close(j);
	journal_fault_inject(NULL);
}

static void test_fault_injection(void **state)
{
	struct fx *f = *state;
	fault_case(f, "write:3", "fw3", 2);      /* half of record 3 written, then cut back */
	fault_case(f, "write:1", "fw1", 0);
	fault_case(f, "fsync:1", "fs1", 0);      /* the first fdatasync */
	fault_case(f, "fsync:2", "fs2", 0);      /* the directory fsync of the first append */
	fault_case(f, "fsync:4", "fs4", 2);      /* record 3's fdatasync */
	assert_int_equal(journal_fault_inject("write:0"), -1);
	assert_int_equal(journal_fault_inject("open:1"), -1);
	assert_int_equal(journal_fault_inject(""), 0);
}

static void test_oversized_record_truncated(void **state)
{
	struct fx *f = *state;
	struct journal *j;
	struct journal_err err = {0};
	assert_int_equal(journal_create(&j, f->runs, "big", &err), 0);
	size_t n = 2u << 20;
	char *big = xmalloc(n + 1);
	memset(big, 'x', n);
	big[n] = '\0';
	assert_int_equal(journal_append(j, JOURNAL_STEP_END,
					json_pack("{s:s, s:s, s:s}", "step", "huge", "status", "ok", "result", big),
					&err), 0);
	free(big);
	struct journal_records r = {0};
	assert_int_equal(journal_load(journal_path(j), &r, &err), 0);
	assert_int_equal(r.n, 1);
	json_t *res = json_object_get(r.items[0].data, "result");
	assert_true(json_is_true(json_object_get(res, "truncated")));
	assert_int_equal(json_integer_value(json_object_get(res, "bytes")), (json_int_t)n + 2);
	assert_int_equal(strlen(json_string_value(json_object_get(res, "head"))), 4096);
	/* the small members are kept as they were */
	assert_string_equal(json_string_value(json_object_get(r.items[0].data, "status")), "ok");
	struct stat st;
	stat(journal_path(j), &st);
	assert_true(st.st_size < JOURNAL_RECORD_MAX);
	journal_records_release(&r);
	journal_close(j);
}

static void test_runs_list_and_resolve(void **state)
{
	struct fx *f = *state;
	char *p1 = make_three(f, "20261126T090000Z-demo-aaaa");
	char *p2 = make_three(f, "20261126T080000Z-demo-bbbb");
	/* an unfinished run: no run-end, nobody holds its lock */
	struct journal *j;
	struct journal_err err = {0};
	assert_int_equal(journal_create(&j, f->runs, "20261126T100000Z-demo-cccc", &err), 0);
	assert_int_equal(journal_append(j, JOURNAL_RUN_START,
					json_pack("{s:s, s:s, s:s}", "plan", "demo", "namespace", "ns2",
						  "cluster", "pg"), &err), 0);
	journal_close(j);
	struct journal_run_info *v;
	size_t n;
	assert_int_equal(journal_list_runs(f->runs, &v, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].id, "20261126T080000Z-demo-bbbb");
	assert_string_equal(v[1].id, "20261126T090000Z-demo-aaaa");
	assert_string_equal(v[1].state, "done");
	assert_int_equal(v[1].exit_code, 0);
	assert_string_equal(v[1].ns, "ns1");
	assert_string_equal(v[2].state, "incomplete");
	assert_int_equal(v[2].exit_code, -1);
	journal_run_info_free(v, n);
	/* while its lock is held by it, the unfinished run is running */
	struct journal_lock *l;
	assert_int_equal(journal_lock(&l, f->runs, "ns2", "pg", "20261126T100000Z-demo-cccc", 0, &err), 0);
	assert_int_equal(journal_list_runs(f->runs, &v, &n, &err), 0);
	assert_string_equal(v[2].state, "running");
	journal_run_info_free(v, n);
	journal_unlock(l);

	char *path;
	assert_int_equal(journal_resolve(f->runs, "20261126T09", &path, &err), 0);
	assert_string_equal(path, p1);
	free(path);
	assert_int_equal(journal_resolve(f->runs, "20261126T", &path, &err), JOURNAL_EINVAL);
	assert_non_null(strstr(err.msg, "ambiguous"));
	assert_int_equal(journal_resolve(f->runs, "bbbb", &path, &err), 0);   /* a unique part */
	assert_string_equal(path, p2);
	free(path);
	assert_int_equal(journal_resolve(f->runs, "-demo-", &path, &err), JOURNAL_EINVAL);
	assert_int_equal(journal_resolve(f->runs, "nope", &path, &err), JOURNAL_ENOTFOUND);
	assert_int_equal(journal_resolve(f->runs, p2, &path, &err), 0);
	free(path);
	/* a missing directory is an empty list, not an error */
	char *none = xasprintf("%s/none", f->dir);
	assert_int_equal(journal_list_runs(none, &v, &n, &err), 0);
	assert_int_equal(n, 0);
	journal_run_info_free(v, n);
	free(none);
	free(p1);
	free(p2);
}

static void test_run_id_and_dirs(void **state)
{
	(void)state;
	char id[JOURNAL_RUN_ID_MAX];
	journal_run_id(id, "Patroni Hotfix / demo!", 1795685412);
	assert_int_equal(strlen(id), strlen("20261126T093012Z-patroni-hotfix-demo-") + 4);
	assert_true(!strncmp(id, "20261126T093012Z-patroni-hotfix-demo-", 37));
	journal_run_id(id, "", 1795685412);
	assert_true(!strncmp(id, "20261126T093012Z-plan-", 22));
	char *d;
	setenv("XDG_STATE_HOME", "/x/state", 1);
	assert_int_equal(journal_default_dir(&d, NULL), 0);
	assert_string_equal(d, "/x/state/opsplan/runs");
	free(d);
	setenv("XDG_STATE_HOME", "relative", 1);   /* ignored, as XDG says */
	setenv("HOME", "/home/u", 1);
	assert_int_equal(journal_default_dir(&d, NULL), 0);
	assert_string_equal(d, "/home/u/.local/state/opsplan/runs");
	free(d);
	const char *name = journal_kind_name(JOURNAL_WINDOW_CLOSE);
	enum journal_kind k;
	assert_string_equal(name, "window-close");
	assert_int_equal(journal_kind_lookup(name, &k), 0);
	assert_int_equal(k, JOURNAL_WINDOW_CLOSE);
	assert_int_equal(journal_kind_lookup("nope", &k), -1);
}

static void test_resume_queries(void **state)
{
	(void)state;
	struct journal_records r = {0};
	uint64_t q = 0;
	journal_records_add(&r, ++q, JOURNAL_INTENT, 1, json_pack("{s:s, s:i}", "step", "pause", "attempt", 1));
	journal_records_add(&r, ++q, JOURNAL_OUTCOME, 2, json_pack("{s:s, s:i, s:b}", "step", "pause", "attempt", 1, "ok", 1));
	journal_records_add(&r, ++q, JOURNAL_STEP_END, 3, json_pack("{s:s, s:s}", "step", "pause", "status", "ok"));
	journal_records_add(&r, ++q, JOURNAL_INTENT, 4,
			    json_pack("{s:s, s:i, s:i}", "step", "del", "item_index", 0, "attempt", 1));
	journal_records_add(&r, ++q, JOURNAL_INTENT, 5,
			    json_pack("{s:s, s:i, s:i}", "step", "del", "item_index", 1, "attempt", 1));
	/* an outcome of another item does not resolve item 0 */
	journal_records_add(&r, ++q, JOURNAL_OUTCOME, 6,
			    json_pack("{s:s, s:i, s:i, s:b}", "step", "del", "item_index", 1, "attempt", 1, "ok", 1));
	journal_records_add(&r, ++q, JOURNAL_STEP_END, 7,
			    json_pack("{s:s, s:i, s:s}", "step", "del", "item_index", 1, "status", "ok"));
	journal_records_add(&r, ++q, JOURNAL_INTENT, 8, json_pack("{s:s, s:i}", "step", "switch", "attempt", 1));
	journal_records_add(&r, ++q, JOURNAL_OUTCOME, 9,
			    json_pack("{s:s, s:i, s:b}", "step", "switch", "attempt", 1, "ok", 0));
	/* a retry that died after its intent: an outcome of attempt 1 does not count */
	journal_records_add(&r, ++q, JOURNAL_INTENT, 10, json_pack("{s:s, s:i}", "step", "switch", "attempt", 2));
	const struct journal_record *u[4];
	assert_int_equal(journal_unresolved_intents(&r, u, 4), 2);
	assert_int_equal(u[0]->seq, 4);
	assert_int_equal(u[1]->seq, 10);
	assert_int_equal(journal_unresolved_intents(&r, u, 1), 2);   /* counts past max */
	assert_int_equal(journal_step_end(&r, "pause", -1)->seq, 3);
	assert_int_equal(journal_step_end(&r, "del", 1)->seq, 7);
	assert_null(journal_step_end(&r, "del", 0));
	assert_null(journal_step_end(&r, "switch", -1));
	journal_records_release(&r);
}

/* ---- the chain ------------------------------------------------------- */

/* A forger's tools: a CRC-32C of our own, so that an edited record carries a
 * valid checksum and only the chain can catch it. */
static uint32_t test_crc32c(const char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= (unsigned char)p[i];
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
	}
	return c ^ 0xFFFFFFFFu;
}

static void sha_hex(const char *p, size_t n, char out[65])
{
	uint8_t h[32];
	ir_sha256(p, n, h);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

#define NLINES 8
struct lines {
	char *l[NLINES];   /* each with its newline */
	size_t n;
};

static void lines_read(struct lines *ls, const char *path)
{
	char *text = slurp(path, NULL);
	ls->n = 0;
	for (char *p = text; *p && ls->n < NLINES;) {
		char *nl = strchr(p, '\n');
		assert_non_null(nl);
		ls->l[ls->n++] = xstrndup(p, (size_t)(nl - p) + 1);
		p = nl + 1;
	}
	free(text);
}

static void lines_write(const struct lines *ls, const char *path)
{
	struct strbuf b = {0};
	for (size_t i = 0; i < ls->n; i++)
		sb_puts(&b, ls->l[i]);
	spit(path, b.s ? b.s : "", b.len);
	free(b.s);
}

static void lines_free(struct lines *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		free(ls->l[i]);
	ls->n = 0;
}

/* Replace the first `from` by `to` in line i (before its checksum) and
 * recompute the checksum, as a careful forger would. */
static void forge(struct lines *ls, size_t i, const char *from, const char *to)
{
	char *line = ls->l[i];
	size_t body = strlen(line) - 22;   /* ,"crc32c":"xxxxxxxx"}\n */
	line[body] = '\0';
	char *at = strstr(line, from);
	assert_non_null(at);
	struct strbuf b = {0};
	sb_printf(&b, "%.*s%s%s", (int)(at - line), line, to, at + strlen(from));
	sb_printf(&b, ",\"crc32c\":\"%08x\"}\n", test_crc32c(b.s, b.len));
	free(line);
	ls->l[i] = sb_detach(&b);
}

/* Remove the chain link of line i (and recompute its checksum). */
static void unlink_line(struct lines *ls, size_t i)
{
	char *p = strstr(ls->l[i], ",\"prev\":\"");
	assert_non_null(p);
	char link[80];
	snprintf(link, sizeof link, "%.74s", p);
	forge(ls, i, link, "");
}

static void expect_corrupt(const char *path, const char *msg)
{
	struct journal_records r = {0};
	struct journal_err err = {0};
	size_t len;
	char *before = slurp(path, &len);
	assert_int_equal(journal_load(path, &r, &err), JOURNAL_ECORRUPT);
	if (!strstr(err.msg, msg))
		fail_msg("want '%s' in '%s'", msg, err.msg);
	assert_non_null(strstr(err.msg, path));
	journal_records_release(&r);
	struct journal *j;
	assert_int_equal(journal_open_resume(&j, path, &r, &err), JOURNAL_ECORRUPT);
	assert_null(j);
	journal_records_release(&r);
	/* a refused resume leaves the file as it was */
	size_t len2;
	char *after = slurp(path, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(after, before, len);
	free(after);
	free(before);
}

/* Every record links to the sha256 of the line before it (newline
 * included); the first to the sha256 of nothing. */
static void test_chain_format(void **state)
{
	struct fx *f = *state;
	char *path = make_three(f, "chain");
	struct lines ls;
	lines_read(&ls, path);
	assert_int_equal(ls.n, 3);
	char want[65], link[120];
	sha_hex("", 0, want);
	assert_string_equal(want, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	for (size_t i = 0; i < ls.n; i++) {
		snprintf(link, sizeof link, ",\"prev\":\"%s\",\"crc32c\":\"", want);
		if (!strstr(ls.l[i], link))
			fail_msg("line %zu lacks %s: %s", i + 1, link, ls.l[i]);
		sha_hex(ls.l[i], strlen(ls.l[i]), want);
	}
	struct journal_records r = {0};
	struct journal_err err = {0};
	assert_int_equal(journal_load(path, &r, &err), 0);
	assert_int_equal(r.legacy, 0);
	journal_records_release(&r);

	/* a resumed journal continues the chain: the new record links to the
	 * old last line */
	struct journal *j;
	assert_int_equal(journal_open_resume(&j, path, &r, &err), 0);
	assert_int_equal(journal_append(j, JOURNAL_RESUME, NULL, &err), 0);
	journal_close(j);
	journal_records_release(&r);
	lines_free(&ls);
	lines_read(&ls, path);
	assert_int_equal(ls.n, 4);
	snprintf(link, sizeof link, ",\"prev\":\"%s\",", want);
	assert_non_null(strstr(ls.l[3], link));
	assert_int_equal(journal_load(path, &r, &err), 0);
	assert_int_equal(r.n, 4);
	journal_records_release(&r);
	lines_free(&ls);
	free(path);
}

/* Records edited, deleted, swapped, with valid checksums: the chain refuses
 * each, naming the file, the line and the seq. */
static void test_chain_forgery_refused(void **state)
{
	struct fx *f = *state;
	char *path = make_three(f, "forged");
	struct lines orig, ls;
	lines_read(&orig, path);

	/* an edited middle record */
	lines_read(&ls, path);
	forge(&ls, 1, "u-123", "u-999");
	lines_write(&ls, path);
	expect_corrupt(path, "record 3 (line 3) does not follow record 2 (line 2): "
			     "the journal was changed after it was written");
	lines_free(&ls);

	/* an edited last record whose link was left alone loads: nothing
	 * follows it to catch it (documented); one whose link was changed is
	 * refused though it is last */
	lines_write(&orig, path);
	lines_read(&ls, path);
	forge(&ls, 2, "\"done\"", "\"failed\"");
	lines_write(&ls, path);
	struct journal_records r = {0};
	struct journal_err err = {0};
	assert_int_equal(journal_load(path, &r, &err), 0);
	journal_records_release(&r);
	char *p = strstr(ls.l[2], ",\"prev\":\"") + 9;
	char old[65];
	snprintf(old, sizeof old, "%.64s", p);
	forge(&ls, 2, old, "0000000000000000000000000000000000000000000000000000000000000000");
	lines_write(&ls, path);
	expect_corrupt(path, "record 3 (line 3) does not follow record 2 (line 2)");
	lines_free(&ls);

	/* a deleted middle record, the next one renumbered */
	lines_write(&orig, path);
	lines_read(&ls, path);
	free(ls.l[1]);
	ls.l[1] = ls.l[2];
	ls.n = 2;
	forge(&ls, 1, "{\"seq\":3,", "{\"seq\":2,");
	lines_write(&ls, path);
	expect_corrupt(path, "record 2 (line 2) does not follow record 1 (line 1)");
	lines_free(&ls);

	/* a swapped pair, renumbered */
	lines_write(&orig, path);
	lines_read(&ls, path);
	char *t = ls.l[1];
	ls.l[1] = ls.l[2];
	ls.l[2] = t;
	forge(&ls, 1, "{\"seq\":3,", "{\"seq\":2,");
	forge(&ls, 2, "{\"seq\":2,", "{\"seq\":3,");
	lines_write(&ls, path);
	expect_corrupt(path, "record 2 (line 2) does not follow record 1 (line 1)");
	lines_free(&ls);

	/* a swapped pair not renumbered is a seq error already */
	lines_write(&orig, path);
	lines_read(&ls, path);
	t = ls.l[1];
	ls.l[1] = ls.l[2];
	ls.l[2] = t;
	lines_write(&ls, path);
	expect_corrupt(path, "sequence 3 where 2 was expected");
	lines_free(&ls);

	/* an edited first record is caught by the second; a first record with
	 * a forged link does not start the journal */
	lines_write(&orig, path);
	lines_read(&ls, path);
	forge(&ls, 0, "\"demo\"", "\"other\"");
	lines_write(&ls, path);
	expect_corrupt(path, "record 2 (line 2) does not follow record 1 (line 1)");
	lines_free(&ls);
	lines_read(&ls, path);
	p = strstr(ls.l[0], ",\"prev\":\"") + 9;
	snprintf(old, sizeof old, "%.64s", p);
	forge(&ls, 0, old, "0000000000000000000000000000000000000000000000000000000000000000");
	lines_write(&ls, path);
	expect_corrupt(path, "record 1 (line 1) does not start the journal");
	lines_free(&ls);

	/* links on some records and not on others */
	lines_write(&orig, path);
	lines_read(&ls, path);
	unlink_line(&ls, 2);
	lines_write(&ls, path);
	expect_corrupt(path, "record 3 (line 3) lacks a chain link ('prev') and record 2 (line 2) does");
	lines_free(&ls);
	lines_read(&ls, path);
	unlink_line(&ls, 0);
	unlink_line(&ls, 1);
	lines_write(&ls, path);   /* no record has a link now: legacy, loads */
	assert_int_equal(journal_load(path, &r, &err), 0);
	assert_int_equal(r.legacy, 1);
	journal_records_release(&r);
	lines_free(&ls);
	lines_write(&orig, path);
	lines_read(&ls, path);
	unlink_line(&ls, 0);
	lines_write(&ls, path);
	expect_corrupt(path, "record 2 (line 2) has a chain link ('prev') and record 1 (line 1) does not");
	lines_free(&ls);

	/* a malformed link is a bad record: refused in the middle */
	lines_write(&orig, path);
	lines_read(&ls, path);
	p = strstr(ls.l[1], ",\"prev\":\"") + 9;
	snprintf(old, sizeof old, "%.64s", p);
	forge(&ls, 1, old, "xyz");
	lines_write(&ls, path);
	expect_corrupt(path, "line 2 (byte");
	lines_free(&ls);

	lines_free(&orig);
	free(path);
}

/* A journal from before the chain (no prev anywhere) loads, resumes, cuts
 * its torn tail, and stays legacy when continued. */
static void test_chain_legacy(void **state)
{
	struct fx *f = *state;
	char *path = make_three(f, "legacy");
	struct lines ls;
	lines_read(&ls, path);
	for (size_t i = 0; i < ls.n; i++)
		unlink_line(&ls, i);
	lines_write(&ls, path);
	struct journal_records r = {0};
	struct journal_err err = {0};
	assert_int_equal(journal_load(path, &r, &err), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.legacy, 1);
	journal_records_release(&r);

	/* a torn tail, then resume: cut, and the appended record has no link */
	size_t len;
	char *text = slurp(path, &len);
	spit(path, text, len - 7);
	struct journal *j;
	assert_int_equal(journal_open_resume(&j, path, &r, &err), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.legacy, 1);
	assert_int_equal(r.cut_bytes, strlen(ls.l[2]) - 7);
	assert_int_equal(journal_append(j, JOURNAL_RESUME, NULL, &err), 0);
	journal_close(j);
	journal_records_release(&r);
	free(text);
	text = slurp(path, NULL);
	assert_null(strstr(text, "\"prev\""));
	assert_int_equal(journal_load(path, &r, &err), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.legacy, 1);
	assert_int_equal(r.items[2].kind, JOURNAL_RESUME);
	journal_records_release(&r);
	free(text);
	lines_free(&ls);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip_and_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_borrows_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail_every_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_middle_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_injection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_record_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runs_list_and_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_id_and_dirs, setup, teardown),
		cmocka_unit_test(test_resume_queries),
		cmocka_unit_test_setup_teardown(test_chain_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_forgery_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_legacy, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
