/* journal.c - the write-ahead journal's records: format, append, load,
 * redaction and fault injection.  See journal.h for the contract and the
 * file format; journal_lock.c holds the lock, journal_runs.c the run list. */
#include "journal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ir.h"   /* ir_sha256: the one sha256 of the project */
#include "journal_impl.h"
#include "mem.h"
#include "redact.h"
#include "iso_time.h"

/* ---- kinds ----------------------------------------------------------- */

static const char *const kind_names[] = {
#define X(k, name) name,
	JOURNAL_KINDS(X)
#undef X
};

const char *journal_kind_name(enum journal_kind k)
{
	if ((unsigned)k >= JOURNAL_KIND_COUNT)
		return "?";
	return kind_names[k];
}

int journal_kind_lookup(const char *name, enum journal_kind *out)
{
	for (int k = 0; k < JOURNAL_KIND_COUNT; k++) {
		if (!strcmp(kind_names[k], name)) {
			*out = (enum journal_kind)k;
			return 0;
		}
	}
	return -1;
}

/* ---- small helpers shared through journal_impl.h -------------------- */

int journal_seterr_(struct journal_err *err, int code, int errnum, const char *fmt, ...)
{
	if (!err)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->code = code;
	err->sys_errno = errnum;
	return code;
}

static int sync_dir(const char *dir);

/* Make a directory we just created durable: its name lives in its parent. */
static int sync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return sync_dir(".");
	char *parent = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	int rc = sync_dir(parent);
	free(parent);
	return rc;
}

int journal_mkdirs_(const char *dir, struct journal_err *err)
{
	if (!dir[0])
		return journal_seterr_(err, JOURNAL_EINVAL, 0, "empty journal directory name");
	char *p = xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) == 0) {
			if (sync_parent(p) < 0) {
				rc = journal_seterr_(err, JOURNAL_EIO, errno, "cannot fsync the parent of '%s': %s",
						     p, strerror(errno));
				goto done;
			}
		} else if (errno != EEXIST) {
			rc = journal_seterr_(err, JOURNAL_EIO, errno, "cannot create directory '%s': %s",
					     p, strerror(errno));
			goto done;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		rc = journal_seterr_(err, JOURNAL_EIO, errno, "'%s' is not a directory", dir);
done:
	free(p);
	return rc;
}

int64_t journal_now_ms_(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- CRC-32C (Castagnoli), reflected, table driven ------------------- */

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32c(const char *p, size_t n)
{
	if (!crc_table[1])
		crc_init();
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++)
		c = crc_table[(c ^ (unsigned char)p[i]) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

/* ---- the chain: each record names the hash of the one before --------- */

#define CHAIN_HEX 64   /* sha256 in lowercase hex */

/* The chain link to a line: sha256 of its bytes, newline included, as
 * lowercase hex.  The first record links to zero bytes (nothing precedes
 * it), so one rule covers every record. */
static void chain_hash(const char *p, size_t n, char out[CHAIN_HEX + 1])
{
	static const char hexdig[] = "0123456789abcdef";
	uint8_t h[32];
	ir_sha256(p, n, h);
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hexdig[h[i] >> 4];
		out[2 * i + 1] = hexdig[h[i] & 15];
	}
	out[CHAIN_HEX] = '\0';
}

static int chain_link_ok(const char *s)
{
	if (strlen(s) != CHAIN_HEX)
		return 0;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p) && !(*p >= 'a' && *p <= 'f'))
			return 0;
	return 1;
}

/* ---- fault injection ------------------------------------------------ */

enum fault_op { FAULT_NONE, FAULT_WRITE, FAULT_FSYNC };
static enum fault_op fault_op;
static long fault_left;
static int fault_env_read;

int journal_fault_inject(const char *spec)
{
	fault_env_read = 1;
	fault_op = FAULT_NONE;
	if (!spec || !*spec)
		return 0;
	enum fault_op op;
	const char *num;
	if (!strncmp(spec, "write:", 6)) {
		op = FAULT_WRITE;
		num = spec + 6;
	} else if (!strncmp(spec, "fsync:", 6)) {
		op = FAULT_FSYNC;
		num = spec + 6;
	} else {
		return -1;
	}
	char *end;
	long n = strtol(num, &end, 10);
	if (*end || n < 1)
		return -1;
	fault_op = op;
	fault_left = n;
	return 0;
}

static void fault_env(void)
{
	if (fault_env_read)
		return;
	const char *s = getenv("OPSPLAN_JOURNAL_FAULT");
	if (s && journal_fault_inject(s) < 0)
		fprintf(stderr, "opsplan: ignoring OPSPLAN_JOURNAL_FAULT '%s' (want write:N or fsync:N)\n", s);
	fault_env_read = 1;
}

static int fault_hit(enum fault_op op)
{
	if (fault_op != op)
		return 0;
	if (--fault_left > 0)
		return 0;
	fault_op = FAULT_NONE;
	return 1;
}

/* Write all of p, retrying short writes and EINTR.  An injected failure
 * writes half the bytes first, so tests see a torn record as a crash would
 * leave it. */
static int write_all(int fd, const char *p, size_t n)
{
	if (fault_hit(FAULT_WRITE)) {
		ssize_t w = write(fd, p, n / 2);
		(void)w;
		errno = EIO;
		return -1;
	}
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int sync_fd(int fd, int data_only)
{
	if (fault_hit(FAULT_FSYNC)) {
		errno = EIO;
		return -1;
	}
	return data_only ? fdatasync(fd) : fsync(fd);
}

static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = sync_fd(fd, 0);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* ---- redaction ------------------------------------------------------ */

static const char *const secret_words[] = {
	"token", "password", "passwd", "passphrase", "secret", "authorization",
	"cookie", "client-key", "client_key", "private-key", "private_key",
};

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

static int secret_name(const char *key)
{
	for (size_t i = 0; i < sizeof secret_words / sizeof secret_words[0]; i++)
		if (contains_ci(key, secret_words[i]))
			return 1;
	return 0;
}

/* The replacement of a string value that carries a secret, or NULL when it
 * carries none: "Bearer ..." as a whole, else what redact.c scrubs (secrets
 * the kube client registered, credential patterns inside free text such as
 * an error message). */
static json_t *redacted_string(const json_t *e, int plan_text)
{
	if (!json_is_string(e))
		return NULL;
	const char *s = json_string_value(e);
	if (!strncasecmp(s, "bearer ", 7))
		return json_string("[redacted]");
	char *t = plan_text ? redact_values(s) : redact_text(s);
	json_t *r = NULL;
	if (strcmp(t, s) != 0) {
		r = json_string(t);
		if (!r)
			r = json_string("[redacted]");
	}
	free(t);
	return r;
}

/* Members that hold text of the plan itself (a step id, its title, a
 * condition as written): registered secrets are scrubbed from them, but not
 * credential patterns -- `secret=...` in a title is prose, not a credential. */
static int plan_text_key(const char *key)
{
	static const char *const keys[] = {"step", "title", "that", "plan", "action", "window", "bracket"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!strcmp(key, keys[i]))
			return 1;
	return 0;
}

void journal_redact(json_t *v)
{
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			json_t *r = redacted_string(e, 0);
			if (r)
				json_array_set_new(v, i, r);
			else
				journal_redact(e);
		}
		return;
	}
	if (!json_is_object(v))
		return;
	/* container env and similar: {"name": "PGPASSWORD", "value": "..."} */
	json_t *name = json_object_get(v, "name");
	if (json_is_string(name) && secret_name(json_string_value(name)) && json_object_get(v, "value"))
		json_object_set_new(v, "value", json_string("[redacted]"));
	const char *key;
	json_t *e;
	json_object_foreach(v, key, e) {
		json_t *r = secret_name(key) ? json_string("[redacted]") : redacted_string(e, plan_text_key(key));
		if (r)
			json_object_set_new(v, key, r);
		else
			journal_redact(e);
	}
}

/* ---- bounding ------------------------------------------------------- */

#define TRUNC_HEAD 4096

static size_t dump_len(const json_t *v)
{
	return json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* The marker that replaces an oversized value: its size and its first bytes,
 * cut at a UTF-8 character boundary. */
static json_t *trunc_marker(const json_t *v)
{
	size_t n = dump_len(v);
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	size_t h = n < TRUNC_HEAD ? n : TRUNC_HEAD;
	while (h > 0 && h < n && ((unsigned char)s[h] & 0xC0) == 0x80)
		h--;
	json_t *m = json_pack("{s:b, s:I, s:s%}", "truncated", 1, "bytes", (json_int_t)n, "head", s, h);
	free(s);
	return m;
}

/* Replace the largest members of data by markers until it fits budget;
 * the whole of data when that is not enough. */
static json_t *bound_data(json_t *data, size_t budget)
{
	while (dump_len(data) > budget) {
		const char *key, *big = NULL;
		json_t *e;
		size_t bigsz = 0;
		json_object_foreach(data, key, e) {
			size_t sz = dump_len(e);
			if (sz > bigsz && !json_object_get(e, "truncated")) {
				bigsz = sz;
				big = key;
			}
		}
		if (!big || bigsz <= 2 * TRUNC_HEAD + 64) {
			json_t *m = trunc_marker(data);
			json_decref(data);
			return json_pack("{s:o}", "data", m);
		}
		json_object_set_new(data, big, trunc_marker(json_object_get(data, big)));
	}
	return data;
}

/* ---- records in memory ---------------------------------------------- */

void journal_records_add(struct journal_records *r, uint64_t seq, enum journal_kind kind,
			 int64_t ms, json_t *data)
{
	XGROW(r->items, r->cap, r->n + 1);
	struct journal_record *rec = &r->items[r->n++];
	rec->seq = seq;
	rec->kind = kind;
	rec->ms = ms;
	rec->data = data ? data : json_object();
	rec->line = 0;
}

void journal_records_release(struct journal_records *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		json_decref(r->items[i].data);
	free(r->items);
	free(r->path);
	memset(r, 0, sizeof *r);
}

const struct journal_record *journal_next(const struct journal_records *r, enum journal_kind kind,
					  const struct journal_record *after)
{
	size_t i = after ? (size_t)(after - r->items) + 1 : 0;
	for (; i < r->n; i++)
		if (r->items[i].kind == kind)
			return &r->items[i];
	return NULL;
}

/* ---- loading -------------------------------------------------------- */

#define CRC_SUFFIX_LEN 21   /* ,"crc32c":"xxxxxxxx"} */

/* Check one line (without its newline) and decode it into rec (data owned
 * by the caller on success) and its chain link into prev ("" when the
 * record has none: written by an opsplan before the chain).  On failure,
 * why says what is wrong. */
static int parse_line(const char *line, size_t len, struct journal_record *rec, char prev[CHAIN_HEX + 1],
		      char *why, size_t whysz)
{
	if (len + 1 > JOURNAL_RECORD_MAX) {
		snprintf(why, whysz, "record longer than %u bytes", JOURNAL_RECORD_MAX);
		return -1;
	}
	if (len < CRC_SUFFIX_LEN + 8 || memcmp(line, "{\"seq\":", 7) != 0 ||
	    memcmp(line + len - CRC_SUFFIX_LEN, ",\"crc32c\":\"", 11) != 0 ||
	    memcmp(line + len - 2, "\"}", 2) != 0) {
		snprintf(why, whysz, "not a journal record");
		return -1;
	}
	char hex[9];
	memcpy(hex, line + len - 10, 8);
	hex[8] = '\0';
	char *end;
	unsigned long want = strtoul(hex, &end, 16);
	uint32_t got = crc32c(line, len - CRC_SUFFIX_LEN);
	if (*end || (uint32_t)want != got) {
		snprintf(why, whysz, "checksum mismatch");
		return -1;
	}
	json_error_t je;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	json_int_t seq = 0, ms = 0;
	const char *kind = NULL, *link = NULL;
	json_t *data = NULL;
	if (!o || json_unpack(o, "{s:I, s:s, s:I, s:o, s?:s}", "seq", &seq, "kind", &kind, "ms", &ms,
			      "data", &data, "prev", &link) < 0 || seq < 1 || !json_is_object(data) ||
	    (link && !chain_link_ok(link))) {
		snprintf(why, whysz, "malformed record%s%s", o ? "" : ": ", o ? "" : je.text);
		json_decref(o);
		return -1;
	}
	snprintf(prev, CHAIN_HEX + 1, "%s", link ? link : "");
	if (journal_kind_lookup(kind, &rec->kind) < 0) {
		snprintf(why, whysz, "unknown record kind '%s' (written by a newer opsplan?)", kind);
		json_decref(o);
		return -1;
	}
	rec->seq = (uint64_t)seq;
	rec->ms = (int64_t)ms;
	rec->data = json_incref(data);
	json_decref(o);
	return 0;
}

/* Is there a valid record anywhere in buf[pos, size)?  Decides whether a bad
 * record is a torn tail (nothing good after it) or corruption. */
static int valid_record_after(const char *buf, size_t size, size_t pos)
{
	char why[128], prev[CHAIN_HEX + 1];
	while (pos < size) {
		const char *nl = memchr(buf + pos, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - (buf + pos)) : size - pos;
		struct journal_record rec;
		if (parse_line(buf + pos, len, &rec, prev, why, sizeof why) == 0) {
			json_decref(rec.data);
			return 1;
		}
		if (!nl)
			break;
		pos += len + 1;
	}
	return 0;
}

/* Does rec, with chain link prev, follow the records before it?  tip is the
 * hash of the line before (of nothing for the first record); the first
 * record decides whether the journal is chained or legacy (out->legacy),
 * and every other record must agree: a journal that has the link on some
 * records and not on others was edited, not written by one opsplan. */
static int check_link(const struct journal_record *rec, const char *prev, const char *tip,
		      const char *path, size_t lineno, struct journal_records *out, struct journal_err *err)
{
	int has = prev[0] != '\0';
	if (out->n == 0) {
		out->legacy = !has;
		if (!has || !strcmp(prev, tip))
			return 0;
		return journal_seterr_(err, JOURNAL_ECORRUPT, 0,
				       "corrupt journal '%s': record %" PRIu64 " (line %zu) does not start "
				       "the journal: the journal was changed after it was written",
				       path, rec->seq, lineno);
	}
	const struct journal_record *before = &out->items[out->n - 1];
	if (has == !out->legacy && (!has || !strcmp(prev, tip)))
		return 0;
	if (has != !out->legacy)
		return journal_seterr_(err, JOURNAL_ECORRUPT, 0,
				       "corrupt journal '%s': record %" PRIu64 " (line %zu) %s a chain link "
				       "('prev') and record %" PRIu64 " (line %zu) %s: the journal was changed "
				       "after it was written",
				       path, rec->seq, lineno, has ? "has" : "lacks", before->seq, before->line,
				       has ? "does not" : "does");
	return journal_seterr_(err, JOURNAL_ECORRUPT, 0,
			       "corrupt journal '%s': record %" PRIu64 " (line %zu) does not follow record %"
			       PRIu64 " (line %zu): the journal was changed after it was written",
			       path, rec->seq, lineno, before->seq, before->line);
}

/* Decode buf into out.  tip gets the chain link a next record must carry:
 * the hash of the last good line. */
static int parse_buffer(const char *buf, size_t size, const char *path, struct journal_records *out,
			char tip[CHAIN_HEX + 1], struct journal_err *err)
{
	size_t pos = 0, lineno = 0;
	char why[256], prev[CHAIN_HEX + 1];
	chain_hash("", 0, tip);
	while (pos < size) {
		lineno++;
		const char *nl = memchr(buf + pos, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - (buf + pos)) : size - pos;
		struct journal_record rec;
		int bad = !nl;   /* no newline: the write never finished */
		if (bad)
			snprintf(why, sizeof why, "incomplete record");
		else
			bad = parse_line(buf + pos, len, &rec, prev, why, sizeof why) < 0;
		if (bad) {
			if (nl && valid_record_after(buf, size, pos + len + 1))
				return journal_seterr_(err, JOURNAL_ECORRUPT, 0,
						       "corrupt journal '%s': line %zu (byte %zu): %s, "
						       "and valid records follow it",
						       path, lineno, pos, why);
			out->cut_bytes = size - pos;
			return 0;
		}
		if (rec.seq != out->n + 1) {
			json_decref(rec.data);
			return journal_seterr_(err, JOURNAL_ECORRUPT, 0,
					       "corrupt journal '%s': line %zu (byte %zu): sequence %" PRIu64
					       " where %zu was expected",
					       path, lineno, pos, rec.seq, out->n + 1);
		}
		/* A valid checksum with a broken link is never a torn write (the
		 * checksum covers the link): refused even on the last line. */
		int rc = check_link(&rec, prev, tip, path, lineno, out, err);
		if (rc < 0) {
			json_decref(rec.data);
			return rc;
		}
		journal_records_add(out, rec.seq, rec.kind, rec.ms, rec.data);
		out->items[out->n - 1].line = lineno;
		chain_hash(buf + pos, len + 1, tip);
		pos += len + 1;
	}
	return 0;
}

/* Read the journal at path into out; *good_size is the length of its valid
 * prefix (everything but the torn tail). */
static int load_fd(int fd, const char *path, struct journal_records *out, size_t *good_size,
		   char tip[CHAIN_HEX + 1], struct journal_err *err)
{
	struct stat st;
	char *buf = NULL;
	int rc = 0;
	if (fstat(fd, &st) < 0) {
		rc = journal_seterr_(err, JOURNAL_EIO, errno, "cannot stat '%s': %s", path, strerror(errno));
		goto done;
	}
	if ((uint64_t)st.st_size > JOURNAL_FILE_MAX) {
		rc = journal_seterr_(err, JOURNAL_EINVAL, 0, "journal '%s' is larger than %u bytes",
				     path, JOURNAL_FILE_MAX);
		goto done;
	}
	size_t size = (size_t)st.st_size, got = 0;
	buf = xmalloc(size + 1);
	while (got < size) {
		ssize_t r = pread(fd, buf + got, size - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = journal_seterr_(err, JOURNAL_EIO, errno, "cannot read '%s': %s", path,
					     strerror(errno));
			goto done;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	free(out->path);
	out->path = xstrdup(path);
	rc = parse_buffer(buf, got, path, out, tip, err);
	*good_size = got - out->cut_bytes;
done:
	free(buf);
	return rc;
}

int journal_load(const char *path, struct journal_records *out, struct journal_err *err)
{
	size_t good;
	char tip[CHAIN_HEX + 1];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return journal_seterr_(err, errno == ENOENT ? JOURNAL_ENOTFOUND : JOURNAL_EIO, errno,
				       "cannot open journal '%s': %s", path, strerror(errno));
	int rc = load_fd(fd, path, out, &good, tip, err);
	close(fd);
	return rc;
}

/* ---- writing -------------------------------------------------------- */

struct journal {
	int fd;
	char *path;
	char *dir;
	uint64_t seq;            /* last seq written */
	off_t size;              /* bytes of good records */
	int dir_synced;          /* the directory entry is durable */
	int failed;              /* sticky: an append failed */
	int legacy;              /* resumed a journal from before the chain: write no links */
	char tip[CHAIN_HEX + 1]; /* the link the next record carries */
};

static struct journal *journal_new(int fd, const char *path)
{
	struct journal *j = xcalloc(1, sizeof *j);
	j->fd = fd;
	j->path = xstrdup(path);
	const char *slash = strrchr(path, '/');
	j->dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	chain_hash("", 0, j->tip);
	return j;
}

static int valid_run_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n >= JOURNAL_RUN_ID_MAX || id[0] == '.')
		return 0;
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return 0;
	return 1;
}

int journal_create(struct journal **out, const char *dir, const char *run_id,
		   struct journal_err *err)
{
	*out = NULL;
	fault_env();
	if (!valid_run_id(run_id))
		return journal_seterr_(err, JOURNAL_EINVAL, 0, "invalid run id '%s'", run_id);
	int rc = journal_mkdirs_(dir, err);
	if (rc < 0)
		return rc;
	char *path = xasprintf("%s/%s.jsonl", dir, run_id);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = journal_seterr_(err, JOURNAL_EIO, errno, "cannot create journal '%s': %s", path,
				     strerror(errno));
		goto done;
	}
	*out = journal_new(fd, path);
done:
	free(path);
	return rc;
}

int journal_open_resume(struct journal **out, const char *path, struct journal_records *records,
			struct journal_err *err)
{
	*out = NULL;
	fault_env();
	size_t good = 0;
	int rc = 0;
	char tip[CHAIN_HEX + 1];
	int fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return journal_seterr_(err, errno == ENOENT ? JOURNAL_ENOTFOUND : JOURNAL_EIO, errno,
				       "cannot open journal '%s': %s", path, strerror(errno));
	rc = load_fd(fd, path, records, &good, tip, err);
	if (rc < 0)
		goto fail;
	if (records->cut_bytes > 0 && (ftruncate(fd, (off_t)good) < 0 || sync_fd(fd, 0) < 0)) {
		rc = journal_seterr_(err, JOURNAL_EIO, errno, "cannot cut the torn tail of '%s': %s",
				     path, strerror(errno));
		goto fail;
	}
	*out = journal_new(fd, path);
	(*out)->seq = records->n ? records->items[records->n - 1].seq : 0;
	(*out)->size = (off_t)good;
	/* a legacy journal stays legacy: links on only the new records would
	 * read as an edited journal */
	(*out)->legacy = records->legacy;
	memcpy((*out)->tip, tip, sizeof tip);
	return 0;
fail:
	close(fd);
	return rc;
}

/* The record's line, chain link (prev; NULL for none), checksum and
 * newline included.  Caller frees. */
static char *format_record(uint64_t seq, enum journal_kind kind, int64_t ms, json_t *data,
			   const char *prev, size_t *len)
{
	char iso[40];
	iso_time(iso, sizeof iso, ms);
	struct strbuf b = {0};
	sb_printf(&b, "{\"seq\":%" PRIu64 ",\"kind\":\"%s\",\"time\":\"%s\",\"ms\":%" PRId64 ",\"data\":",
		  seq, journal_kind_name(kind), iso, ms);
	char *body = json_dumps(data, JSON_COMPACT);
	sb_puts(&b, body);
	free(body);
	if (prev)
		sb_printf(&b, ",\"prev\":\"%s\"", prev);
	uint32_t crc = crc32c(b.s, b.len);
	sb_printf(&b, ",\"crc32c\":\"%08" PRIx32 "\"}\n", crc);
	*len = b.len;
	return sb_detach(&b);
}

/* Crash tests: OPSPLAN_TEST_KILL makes the process SIGKILL itself once a
 * record is durable, so the crash suites can make every record a kill point:
 *   record:N            the record with seq N (a resumed run's seqs go on)
 *   at:KIND:STEP[:K]    the Kth (default 1st) record of KIND whose data.step
 *                       is STEP ("-" for records without a step) written by
 *                       this process */
static void test_kill_after(uint64_t seq, enum journal_kind kind, const json_t *data)
{
	static int parsed, count, seen;
	static uint64_t want;
	static char want_kind[32], want_step[128];
	if (!parsed) {
		const char *e = getenv("OPSPLAN_TEST_KILL");
		if (e && !strncmp(e, "record:", 7))
			want = strtoull(e + 7, NULL, 10);
		else if (e && !strncmp(e, "at:", 3) &&
			 sscanf(e + 3, "%31[^:]:%127[^:]:%d", want_kind, want_step, &count) < 3)
			count = 1;
		parsed = 1;
	}
	if (want && seq == want)
		raise(SIGKILL);
	if (want_kind[0] && !strcmp(journal_kind_name(kind), want_kind)) {
		const char *st = json_string_value(json_object_get(data, "step"));
		if (!strcmp(st ? st : "-", want_step) && ++seen == count)
			raise(SIGKILL);
	}
}

int journal_append(struct journal *j, enum journal_kind kind, json_t *fields,
		   struct journal_err *err)
{
	json_t *data = NULL;
	char *line = NULL;
	const char *op = NULL;
	int rc = 0;
	if (j->failed) {
		json_decref(fields);
		return journal_seterr_(err, JOURNAL_EFAILED, 0,
				       "journal '%s' refuses appends after an earlier failure", j->path);
	}
	if ((unsigned)kind >= JOURNAL_KIND_COUNT || (fields && !json_is_object(fields))) {
		json_decref(fields);
		return journal_seterr_(err, JOURNAL_EINVAL, 0, "invalid record for journal '%s'", j->path);
	}
	data = fields ? json_deep_copy(fields) : json_object();
	json_decref(fields);
	journal_redact(data);
	/* room for the envelope: seq, kind, time, ms, chain link, checksum */
	data = bound_data(data, JOURNAL_RECORD_MAX - 256);
	size_t len;
	line = format_record(j->seq + 1, kind, journal_now_ms_(), data, j->legacy ? NULL : j->tip, &len);
	/* what we write we must be able to load: never grow past the load limit */
	if ((uint64_t)j->size + len > JOURNAL_FILE_MAX) {
		j->failed = 1;
		rc = journal_seterr_(err, JOURNAL_EFAILED, EFBIG, "journal '%s' is full (%u bytes)", j->path,
				     JOURNAL_FILE_MAX);
		goto done;
	}
	if (write_all(j->fd, line, len) < 0) {
		op = "write";
		goto fail;
	}
	if (sync_fd(j->fd, 1) < 0) {
		op = "fdatasync";
		goto fail;
	}
	if (!j->dir_synced) {
		if (sync_dir(j->dir) < 0) {
			op = "fsync of the directory";
			goto fail;
		}
		j->dir_synced = 1;
	}
	j->seq++;
	j->size += (off_t)len;
	chain_hash(line, len, j->tip);
	test_kill_after(j->seq, kind, data);
	goto done;
fail:
	rc = journal_seterr_(err, JOURNAL_EIO, errno, "cannot append to journal '%s': %s failed: %s",
			     j->path, op, strerror(errno));
	j->failed = 1;
	/* Best effort: leave only acknowledged records, so the file stays loadable
	 * and a record we reported as failed does not come back on resume. */
	if (ftruncate(j->fd, j->size) == 0)
		(void)fsync(j->fd);
done:
	free(line);
	json_decref(data);
	return rc;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j->dir);
	free(j);
}

const char *journal_path(const struct journal *j)
{
	return j->path;
}

uint64_t journal_last_seq(const struct journal *j)
{
	return j->seq;
}
