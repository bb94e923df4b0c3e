/* progress.h - what the person on call sees while a plan runs.
 *
 * Three forms of the same events: on a terminal, lines plus one live status
 * line redrawn every 200 ms (step, attempt, elapsed, time left in the
 * window, what it waits for); otherwise plain timestamped lines; with
 * --output json, one JSON object per line ({"time","event",...}) for
 * machines.  Nothing secret is ever passed in: callers give redacted text. */
#ifndef OPSPLAN_PROGRESS_H
#define OPSPLAN_PROGRESS_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

enum progress_mode { PROGRESS_TTY, PROGRESS_PLAIN, PROGRESS_JSON };

struct progress;

/* out is borrowed (stderr for text, stdout for json).  Caller frees with
 * progress_free, which stops the redraw thread. */
struct progress *progress_new(enum progress_mode mode, FILE *out);
void progress_free(struct progress *p);                 /* accepts NULL */
enum progress_mode progress_mode(const struct progress *p);

/* An event: text is the human line; fields (consumed, may be NULL) the JSON
 * event's members. */
void progress_event(struct progress *p, const char *event, json_t *fields, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The live line's state.  step NULL clears it.  window_deadline_ms is on the
 * kube_now_ms() clock, 0 when no window applies. */
void progress_status(struct progress *p, const char *step, int attempt, int64_t started_ms,
		     int64_t window_deadline_ms);
void progress_waiting(struct progress *p, const char *what);

/* Hide the live line while something else writes to the terminal (a gate). */
void progress_pause(struct progress *p, int paused);

#endif
