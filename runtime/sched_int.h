/* sched_int.h - what the scheduler's files share (sched.c: the attempt, the
 * step and the run; sched_loop.c: for_each; sched_resume.c: what an earlier
 * session left; sched_evidence.c: re-taking reads before a mutation).  The
 * state of one run (struct sched) is owned by sched_run; a loop worker has
 * its own copy.  Not for use outside runtime/sched*.c. */
#ifndef OPSPLAN_SCHED_INT_H
#define OPSPLAN_SCHED_INT_H

#include "sched.h"

#include <stddef.h>
#include <stdint.h>

struct ir_step;
struct ir_expr;
struct action_ctx;

enum st { ST_OK, ST_FAILED, ST_CONTINUE, ST_STOPPED };

struct sched {
	const struct sched_opts *o;
	json_t *env;                 /* {params, steps, run} + loop variables + result */
	json_t *steps;               /* env.steps, borrowed */
	json_t *run;                 /* env.run, borrowed */
	json_t *run_state;           /* shared with actions */
	long long item;              /* current loop item, -1 outside loops */
	const char *item_label;
	int64_t window_deadline;     /* innermost window, 0: none */
	int stopped;                 /* a gate/confirm stop or a signal */
	int journal_dead;
	int in_finally;              /* finally never reuses an earlier session's outcome */
	int cluster_lost;            /* the last failure was reaching/authenticating to the cluster */
	int first_error_cluster;     /* ...and was so when the run's first error was set: handlers
					and finally that run after it do not change the verdict */
	int last_transient;          /* the last failed attempt failed on an API outage (5xx, 429,
					transport): it may pass by itself */
	int close_failed_transient;  /* a step closing a bracket gave up on an outage */
	json_t *taken;               /* step id -> ms when its result was taken in this session */
	json_t *rerun;               /* step ids an earlier session finished that run again (a
					bracket to re-open and the checks after its opener) */
	int no_resume;               /* re-taking evidence: run the step even if it finished */
	char first_error[512];
	/* the step being run, for hooks */
	const struct ir_step *cur;
	struct action_ctx *cx;       /* the attempt under way, for h_outcome */
	int attempt;
	int64_t step_t0;
};

/* sched.c */
int sched_jrec(struct sched *s, enum journal_kind k, json_t *fields);
int sched_interrupted(const struct sched *s);
void sched_set_error(struct sched *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sched_opened_sync(struct sched *s, json_t *opened);
json_t *sched_opened(struct sched *s);
int sched_bracket_is_open(struct sched *s, const char *b);
int sched_eval(struct sched *s, const struct ir_expr *x, json_t **out, char *err, size_t n);
void sched_bind(struct sched *s, const char *name, json_t *v, json_t **saved);
void sched_unbind(struct sched *s, const char *name, json_t *saved);
char *sched_summary_of(const json_t *r);
json_t *sched_item_index_json(const struct sched *s);
void sched_record_end(struct sched *s, const struct ir_step *st, const char *status, int attempts, int64_t t0,
		      const char *started, json_t *result, const char *error, json_t *assertions, int continued);
enum st sched_run_body(struct sched *s, const struct ir_step *st);
enum st sched_run_step(struct sched *s, const struct ir_step *st);
enum st sched_run_list(struct sched *s, const struct ir_step *v, size_t n);

/* sched_loop.c: a for_each step, its items one at a time or in threads */
enum st sched_run_loop(struct sched *s, const struct ir_step *st);

/* sched_resume.c */
const struct journal_record *sched_done_before(struct sched *s, const char *id);
const json_t *sched_open_intent(struct sched *s, const char *id, const json_t **outcome);
int sched_resumed(struct sched *s, const struct ir_step *st);
void sched_resume_env(struct sched *s);
void sched_plan_reopen(struct sched *s);

/* sched_evidence.c */
const struct ir_step *sched_find_step(const struct ir_step *v, size_t n, const struct ir_step *in, const char *id,
				      const struct ir_step **parent);
int sched_is_read(const struct ir_step *st);
int sched_refresh_reads(struct sched *s, const struct ir_step *st, int64_t bound, char *err, size_t n);
int64_t sched_evidence_bound(const struct sched *s);

#endif
