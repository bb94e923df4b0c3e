/* progress.c - see progress.h.  The redraw thread only formats the state the
 * scheduler publishes under the mutex; it never touches the journal or the
 * cluster, so a stuck watch still shows a ticking elapsed time. */
#include "progress.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "journal.h"
#include "kube.h"
#include "mem.h"
#include "redact.h"
#include "report.h"
#include "iso_time.h"

struct progress {
	enum progress_mode mode;
	FILE *out;
	pthread_mutex_t mu;
	pthread_t th;
	int running, stop, paused, drawn;
	char step[160], waiting[256];
	int attempt;
	int64_t started_ms, window_ms;
};

/* called with mu held */
static void clear_line(struct progress *p)
{
	if (p->drawn) {
		fputs("\r\033[K", p->out);
		p->drawn = 0;
	}
}

static void draw(struct progress *p)
{
	if (p->mode != PROGRESS_TTY || p->paused || !p->step[0])
		return;
	char el[32], left[64] = "";
	int64_t now = kube_now_ms();
	report_duration(el, sizeof el, now - p->started_ms);
	if (p->window_ms) {
		char w[32];
		report_duration(w, sizeof w, p->window_ms > now ? p->window_ms - now : 0);
		snprintf(left, sizeof left, " | window %s left", w);
	}
	fprintf(p->out, "\r\033[K> %s (attempt %d) %s%s%s%s", p->step, p->attempt, el, left,
		p->waiting[0] ? " | waiting for " : "", p->waiting);
	fflush(p->out);
	p->drawn = 1;
}

static void *loop(void *arg)
{
	struct progress *p = arg;
	for (;;) {
		struct timespec ts = {0, 200 * 1000000L};
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&p->mu);
		int stop = p->stop;
		if (!stop)
			draw(p);
		pthread_mutex_unlock(&p->mu);
		if (stop)
			return NULL;
	}
}

struct progress *progress_new(enum progress_mode mode, FILE *out)
{
	struct progress *p = xcalloc(1, sizeof *p);
	p->mode = mode;
	p->out = out;
	pthread_mutex_init(&p->mu, NULL);
	if (mode == PROGRESS_TTY && pthread_create(&p->th, NULL, loop, p) == 0)
		p->running = 1;
	return p;
}

void progress_free(struct progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	clear_line(p);
	pthread_mutex_unlock(&p->mu);
	if (p->running)
		pthread_join(p->th, NULL);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

enum progress_mode progress_mode(const struct progress *p)
{
	return p->mode;
}

void progress_event(struct progress *p, const char *event, json_t *fields, const char *fmt, ...)
{
	char ts[40];
	iso_time_now(ts, sizeof ts);
	va_list ap;
	va_start(ap, fmt);
	char *raw = xvasprintf(fmt, ap);
	va_end(ap);
	char *line = redact_text(raw);
	free(raw);
	pthread_mutex_lock(&p->mu);
	if (p->mode == PROGRESS_JSON) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "time", ts, "event", event, "message", line);
		if (fields)
			json_object_update(o, fields);
		journal_redact(o);
		char *s = json_dumps(o, JSON_COMPACT);
		if (s)
			fprintf(p->out, "%s\n", s);
		free(s);
		json_decref(o);
	} else {
		clear_line(p);
		if (p->mode == PROGRESS_PLAIN)
			fprintf(p->out, "%s %s\n", ts, line);
		else
			fprintf(p->out, "%s\n", line);
		draw(p);
	}
	fflush(p->out);
	pthread_mutex_unlock(&p->mu);
	json_decref(fields);
	free(line);
}

void progress_status(struct progress *p, const char *step, int attempt, int64_t started_ms,
		     int64_t window_deadline_ms)
{
	pthread_mutex_lock(&p->mu);
	snprintf(p->step, sizeof p->step, "%s", step ? step : "");
	p->attempt = attempt;
	p->started_ms = started_ms;
	p->window_ms = window_deadline_ms;
	p->waiting[0] = 0;
	if (!step)
		clear_line(p);
	pthread_mutex_unlock(&p->mu);
}

void progress_waiting(struct progress *p, const char *what)
{
	pthread_mutex_lock(&p->mu);
	snprintf(p->waiting, sizeof p->waiting, "%s", what ? what : "");
	pthread_mutex_unlock(&p->mu);
	if (p->mode == PROGRESS_JSON && what)
		progress_event(p, "waiting", json_pack("{s:s, s:s}", "step", p->step, "for", what), "waiting for %s",
			       what);
}

void progress_pause(struct progress *p, int paused)
{
	pthread_mutex_lock(&p->mu);
	p->paused = paused;
	if (paused)
		clear_line(p);
	fflush(p->out);
	pthread_mutex_unlock(&p->mu);
}
