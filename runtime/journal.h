/* journal.h - the executor's write-ahead journal: one append-only file per run.
 *
 * Why: `opsplan run --resume RUN` must continue after a crash, a Ctrl-C or a
 * lost laptop without repeating a non-idempotent step blindly, and the run
 * report must be provable from what happened.  So the executor writes an
 * `intent` record (with the precondition it took, e.g. the pod uid or the
 * current leader) before every mutation and an `outcome` after it, and every
 * append is on disk (write + fdatasync) before journal_append returns.
 * Models: Redis AOF (aof-load-truncated cuts a torn tail), git lockfiles.
 *
 * On disk: DIR/RUN_ID.jsonl, mode 0600, DIR mode 0700, default DIR
 * $XDG_STATE_HOME/opsplan/runs (~/.local/state/opsplan/runs).  One JSON object
 * per line, keys in this order:
 *
 *   {"seq":1,"kind":"run-start","time":"2026-11-26T09:30:12.345Z",
 *    "ms":1795685412345,"data":{...},"prev":"e3b0c442...b855",
 *    "crc32c":"1a2b3c4d"}
 *
 * seq counts from 1 without gaps; prev is the SHA-256, in lowercase hex, of
 * the previous record's line (its bytes, newline included), and for the
 * first record the SHA-256 of zero bytes (e3b0c442...7852b855); crc32c is
 * the CRC-32C (Castagnoli) of the line's bytes before `,"crc32c"`, prev
 * included, in lowercase hex.  The CRC finds a torn write; the chain makes
 * the journal tamper-evident: a record edited (its CRC recomputed), deleted,
 * inserted or moved breaks the link of the record after it.  The last
 * record has no record after it: an edit of it alone is not detected.  The
 * chain detects, it does not authenticate: whoever can write the file can
 * rewrite every link.  Journals written before the chain have no prev on
 * any record (legacy) and still load.  A line is at most
 * JOURNAL_RECORD_MAX bytes: oversized members of data are replaced by
 * {"truncated":true,"bytes":N,"head":"..."} (never dropped silently).
 * Every record is redacted (journal_redact) before it is written.
 *
 * Loading: a torn tail (an incomplete or unverifiable last record, with no
 * valid record after it) is cut and its size reported in cut_bytes; a bad
 * record followed by a valid one, a gap in seq, a record whose prev is not
 * the hash of the line before it (even the last: its CRC is valid, so it is
 * no torn write), or prev on some records and not on others, is corruption
 * and loading refuses it (JOURNAL_ECORRUPT, naming the file, line and seq).
 *
 * Errors are values: every fallible function returns 0 or a negative
 * JOURNAL_E* code and fills *err (err may be NULL) with a message that names
 * the file and the place. */
#ifndef OPSPLAN_JOURNAL_H
#define OPSPLAN_JOURNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define JOURNAL_RECORD_MAX (1u << 20)   /* bytes per line, newline included */
#define JOURNAL_FILE_MAX   (1u << 30)   /* a journal larger than this is refused */
#define JOURNAL_RUN_ID_MAX 96           /* buffer size for journal_run_id */

/* Record kinds.  ORDER JOURNAL_KIND: append only; the second column is what
 * the file carries.  The fields each kind's data holds (a contract between
 * the executor, --resume and the report; extra fields are allowed):
 *
 *  run-start     run_id, plan, ir_hash, ir (object) or ir_path, params (object),
 *                namespace, cluster, context, dry_run (bool), version, user,
 *                host, pid  (an IR past the record bound would be truncated:
 *                write it beside the journal and give ir_path instead)
 *  resume        run_id, pid, host, user, cut_bytes (torn tail removed), last_seq
 *  step-start    step (id), title, action, attempt (1-based), item_index and
 *                item_label when inside a for_each
 *  intent        before any mutation: step, item_index, attempt, action,
 *                request (the resolved request: method, path, body...),
 *                precondition (object, e.g. {"uid":...} or {"leader":...}),
 *                idempotent (bool)
 *  outcome       after it: step, item_index, attempt, ok (bool), http_status,
 *                summary, error
 *  step-end      step, item_index, status ("ok"|"failed"|"skipped"), attempts,
 *                duration_ms, result (the step's result JSON), summary, error,
 *                assertions: [{"kind":"require"|"expect","that":EXPR,
 *                "value":EVALUATED,"verdict":"pass"|"fail"|"error",
 *                "message":...}]  (the evidence)
 *  gate          step, question, state ("asked"|"answered"|"stopped"),
 *                answer, by ("user"|"--yes")
 *  window-open   window (group id), within_ms
 *  window-close  window, elapsed_ms, exceeded (bool)
 *  bracket-open  bracket (e.g. "maintenance"), step
 *  bracket-close bracket, step
 *  signal        signal ("SIGINT"|"SIGTERM"), count
 *  run-end       state ("done"|"failed"|"stopped"|"interrupted"), exit_code, error
 */
#define JOURNAL_KINDS(X)                              \
	X(JOURNAL_RUN_START, "run-start")             \
	X(JOURNAL_STEP_START, "step-start")           \
	X(JOURNAL_INTENT, "intent")                   \
	X(JOURNAL_OUTCOME, "outcome")                 \
	X(JOURNAL_STEP_END, "step-end")               \
	X(JOURNAL_GATE, "gate")                       \
	X(JOURNAL_WINDOW_OPEN, "window-open")         \
	X(JOURNAL_WINDOW_CLOSE, "window-close")       \
	X(JOURNAL_BRACKET_OPEN, "bracket-open")       \
	X(JOURNAL_BRACKET_CLOSE, "bracket-close")     \
	X(JOURNAL_SIGNAL, "signal")                   \
	X(JOURNAL_RUN_END, "run-end")                 \
	X(JOURNAL_RESUME, "resume")

enum journal_kind {
#define X(k, name) k,
	JOURNAL_KINDS(X)
#undef X
	JOURNAL_KIND_COUNT
};

const char *journal_kind_name(enum journal_kind k);           /* "run-start" */
int journal_kind_lookup(const char *name, enum journal_kind *out); /* 0 or -1 */

/* Error codes (append only). */
enum {
	JOURNAL_OK = 0,
	JOURNAL_EIO = -1,        /* a system call failed; sys_errno says which */
	JOURNAL_ECORRUPT = -2,   /* a bad record in the middle, a seq gap, a broken chain */
	JOURNAL_ELOCKED = -3,    /* the namespace+cluster lock is held by a live run */
	JOURNAL_ESTALE = -4,     /* the lock was left by a dead run; take it over explicitly */
	JOURNAL_EINVAL = -5,     /* bad argument (kind, run id, fields not an object) */
	JOURNAL_EFAILED = -6,    /* an earlier append failed; the journal takes no more */
	JOURNAL_ENOTFOUND = -7,  /* no such run */
};

struct journal_err {
	int code;                /* JOURNAL_E* */
	int sys_errno;           /* errno of the failed call, or 0 */
	char msg[512];           /* lowercase, no trailing period, subject in quotes */
};

/* ---- loaded records ------------------------------------------------- */

struct journal_record {
	uint64_t seq;
	enum journal_kind kind;
	int64_t ms;              /* wall clock, milliseconds since the epoch */
	json_t *data;            /* an object; owned by the records */
	size_t line;             /* 1-based line in the file (0: built in memory) */
};

/* Zero-initialise, or fill with journal_load / journal_open_resume. */
struct journal_records {
	char *path;              /* owned; NULL when built in memory */
	struct journal_record *items;
	size_t n, cap;
	size_t cut_bytes;        /* torn tail found after the last good record */
	int legacy;              /* 1: records without chain links (an older opsplan
				    wrote them): loaded without the tamper check */
};

/* Read every record of the journal at path without changing the file (a torn
 * tail is reported in out->cut_bytes, not cut).  *out is the caller's: free
 * with journal_records_release, also after a failure. */
int journal_load(const char *path, struct journal_records *out, struct journal_err *err);
void journal_records_release(struct journal_records *r);   /* accepts NULL */

/* Append a record in memory (tests, and the loader itself).  Consumes data
 * (NULL: an empty object). */
void journal_records_add(struct journal_records *r, uint64_t seq, enum journal_kind kind,
			 int64_t ms, json_t *data);

/* The first record of kind after `after` (NULL: from the start), or NULL.
 * Borrowed.  Iterate: for (p = journal_next(r, K, NULL); p; p = journal_next(r, K, p)) */
const struct journal_record *journal_next(const struct journal_records *r, enum journal_kind kind,
					  const struct journal_record *after);

/* ---- what --resume needs to know (journal_query.c) ------------------ */

/* The last step-end of step (and loop item, -1 for none), or NULL when that
 * step never ended.  Borrowed. */
const struct journal_record *journal_step_end(const struct journal_records *r, const char *step,
					      long long item_index);

/* Intents with no outcome after them (same step, item_index and attempt):
 * mutations that may or may not have reached the cluster because the run
 * died in between.  The executor must check the intent's precondition (the
 * pod uid, the current leader) before acting again, never repeat blindly.
 * Stores up to max borrowed pointers in out, in journal order; returns how
 * many there are (which may exceed max). */
size_t journal_unresolved_intents(const struct journal_records *r, const struct journal_record **out,
				  size_t max);

/* The last mutation of step (and item) that no step-end of that step and
 * item follows: what an execution that died mid-step had sent or was about
 * to send.  *outcome (may be NULL) gets the outcome journaled for that
 * intent, or NULL when the process died before one was written.  A resumed
 * step continues from it: an intent with an ok outcome is never sent again.
 * Borrowed. */
const struct journal_record *journal_open_intent(const struct journal_records *r, const char *step,
						 long long item_index, const struct journal_record **outcome);

/* ---- writing -------------------------------------------------------- */

struct journal;

/* Create DIR (0700, parents too, each new one made durable in its parent)
 * and DIR/RUN_ID.jsonl (0600, must not exist).  The first append also fsyncs
 * DIR so that the file's name is durable.  Take journal_lock first: the
 * journal itself does not stop two writers.
 * *out is the caller's; journal_close it. */
int journal_create(struct journal **out, const char *dir, const char *run_id,
		   struct journal_err *err);

/* Open an existing journal to continue it (journal_lock first, as above): load its records into *records
 * (the caller's, as with journal_load), cut a torn tail from the file itself
 * (records->cut_bytes says how much) and position appends after the last good
 * record, seq and chain continuing (a legacy journal gets legacy records). */
int journal_open_resume(struct journal **out, const char *path, struct journal_records *records,
			struct journal_err *err);

/* Append one record and make it durable (write + fdatasync) before returning.
 * Consumes fields (a JSON object, or NULL for none): the journal writes a
 * redacted, size-bounded deep copy, so a caller that kept its own reference
 * (json_incref) sees its object unchanged.  After any failure the journal is
 * left loadable (a partial write is cut back) and refuses further appends
 * with JOURNAL_EFAILED: after a failed fsync nothing can be trusted (the
 * PostgreSQL fsync lesson), so the executor must stop the run.  Not
 * async-signal-safe: a signal handler sets a flag, the main loop appends the
 * `signal` record. */
int journal_append(struct journal *j, enum journal_kind kind, json_t *fields,
		   struct journal_err *err);

void journal_close(struct journal *j);                 /* accepts NULL */
const char *journal_path(const struct journal *j);     /* borrowed */
uint64_t journal_last_seq(const struct journal *j);    /* 0 before the first record */

/* ---- runs ----------------------------------------------------------- */

/* The default journal directory: $XDG_STATE_HOME/opsplan/runs, else
 * $HOME/.local/state/opsplan/runs.  *out is the caller's (free). */
int journal_default_dir(char **out, struct journal_err *err);

/* A sortable, readable run id: 20261126T093012Z-patroni-hotfix-3f2a (UTC time,
 * the plan name reduced to [a-z0-9-] and at most 40 bytes, 4 random hex
 * digits).  out must hold JOURNAL_RUN_ID_MAX bytes. */
void journal_run_id(char *out, const char *plan, time_t now);

/* Find RUN in dir: an exact run id, a unique prefix of one, a unique part of
 * one (e.g. its random suffix), or a path to a .jsonl file.  *path_out is the caller's (free). */
int journal_resolve(const char *dir, const char *run, char **path_out, struct journal_err *err);

struct journal_run_info {
	char *id, *path, *plan, *ns, *cluster;   /* owned by the array */
	char *state;             /* run-end's state, "running" (its lock is held),
				    "incomplete" (no run-end: resumable) or "corrupt" */
	char *error;             /* load error or run-end's error, or NULL */
	int64_t started_ms, last_ms;
	int exit_code;           /* -1 when the run did not end */
	int dry_run;
	size_t cut_bytes;
};

/* Every run in dir, sorted by id (oldest first).  A missing dir is an empty
 * list.  *out is the caller's: journal_run_info_free(*out, *n). */
int journal_list_runs(const char *dir, struct journal_run_info **out, size_t *n,
		      struct journal_err *err);
void journal_run_info_free(struct journal_run_info *v, size_t n);

/* ---- one run per namespace+cluster ---------------------------------- */

/* DIR/locks/NAMESPACE.CLUSTER.lock, held with flock (so the kernel releases
 * it when the holder dies) and holding "pid run_id host".  A lock file that
 * can be taken but still names an owner was left by a dead run: that is
 * JOURNAL_ESTALE unless flags has JOURNAL_LOCK_TAKEOVER; err says who held it.
 * A live holder is JOURNAL_ELOCKED.  *out is the caller's: journal_unlock. */
#define JOURNAL_LOCK_TAKEOVER 1
struct journal_lock;
int journal_lock(struct journal_lock **out, const char *dir, const char *ns, const char *cluster,
		 const char *run_id, int flags, struct journal_err *err);
void journal_unlock(struct journal_lock *l);           /* accepts NULL */

/* Who holds the lock of ns+cluster right now: 1 held (run id copied to
 * run_id_out, JOURNAL_RUN_ID_MAX bytes, may be NULL), 0 free or stale. */
int journal_lock_held(const char *dir, const char *ns, const char *cluster, char *run_id_out);

/* ---- secrets -------------------------------------------------------- */

/* Blank, recursively and in place, every value whose key contains (ignoring
 * case) token, password, passwd, passphrase, secret, authorization, cookie,
 * client-key or private-key; the value of {"name": <such a name>, "value": V}
 * pairs (container env); and strings starting with "Bearer ".  Blanked values
 * become "[redacted]".  Every other string goes through redact_text
 * (redact.h): secrets the kube client registered and credential patterns
 * inside free text are scrubbed too.  Applied to every record
 * journal_append writes. */
void journal_redact(json_t *v);

/* ---- fault injection (tests) ---------------------------------------- */

/* Make the Nth write (spec "write:N") or fdatasync/fsync ("fsync:N") done by
 * the journal from now on fail with EIO; a failing write first writes half of
 * its bytes, as a crash would.  NULL or "" turns injection off.  The
 * environment variable OPSPLAN_JOURNAL_FAULT is read on the first
 * journal_create/journal_open_resume.  Returns 0, or -1 on a bad spec. */
int journal_fault_inject(const char *spec);

#endif
