/* sched.h - the executor: runs a loaded IR step by step against a cluster,
 * journaling every step, intent, outcome, gate, window and bracket.
 *
 * Semantics are docs/ir.md's ("Semantics the compiler assumed"): lists run
 * in array order (a stable topological order of deps), `when`, `require`
 * (no retry), attempts with per-attempt timeout and delay*backoff^(n-1),
 * `until` polling inside the attempt, `expect`, `for_each` (`serial` items
 * at a time, each in its own thread), `within` windows as deadlines, gates, `on_failure`, then `finally`
 * after success, failure, a gate stop and the first signal. */
#ifndef OPSPLAN_SCHED_H
#define OPSPLAN_SCHED_H

#include <signal.h>
#include <stdint.h>
#include <jansson.h>

#include "journal.h"

struct ir_plan;
struct kube_client;
struct progress;
struct kube_config_opts;

struct sched_opts {
	const struct ir_plan *plan;            /* borrowed */
	struct kube_client *kc;                /* NULL only for plans without cluster actions (tests) */
	const struct kube_config_opts *kopts;  /* how kc was made: loop workers (serial > 1) make
						  their own clients; NULL runs loops one item at a time */
	const char *ns, *cluster, *run_id;
	int dry_run;
	int yes;                               /* --yes: gates and confirms answer yes */
	/* Ask a person (the CLI's terminal): the question and the evidence
	 * ({"that", "value"} objects); 1 yes, 0 no.  NULL: nobody to ask, a
	 * gate without --yes stops the run (resumable). */
	int (*prompt)(void *ctx, const char *question, const json_t *show);
	void *prompt_ctx;
	struct journal *j;                     /* borrowed; every record goes here */
	const struct journal_records *resume;  /* the journal so far when resuming, else NULL */
	struct progress *pg;                   /* borrowed */
	volatile sig_atomic_t *abort_waits;    /* set by the first signal: abandon waits */
	volatile sig_atomic_t *signals;        /* how many signals arrived */
	int64_t evidence_max_ms;               /* a mutation re-takes the reads it depends on
						  when older (0: 5 minutes); on resume, reads
						  of an earlier session are always re-taken */
	int64_t close_retry_ms;                /* a step that closes an open bracket retries
						  transient API errors this long (0: 10 minutes) */
};

/* How a run ended; the CLI maps it to an exit status. */
enum sched_outcome {
	SCHED_DONE,          /* every step ok (or failed with on_failure: continue) */
	SCHED_FAILED,        /* a step failed */
	SCHED_CLUSTER,       /* a step failed because the cluster could not be reached
				(transport, auth, an outage), or an outage kept a bracket open */
	SCHED_STOPPED,       /* a gate, a signal or a failed journal stopped it: resumable */
};

/* Run the plan (and its finally) and write run-end (whose exit_code is
 * sched_exit_code of the outcome). */
enum sched_outcome sched_run(const struct sched_opts *o);

/* The process exit status of an outcome: 0, 1, 3, 4 (docs/operations.md). */
int sched_exit_code(enum sched_outcome r);

#endif
