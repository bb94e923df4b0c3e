/* sched_loop.c - for_each: the items of a loop one at a time, or serial N
 * at a time in worker threads, each with its own environment and API
 * client; on resume, the same items as the first session chose. */
#include "sched_int.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "catalog.h"
#include "expr.h"
#include "ir_load.h"
#include "kube.h"
#include "mem.h"
#include "progress.h"
#include "redact.h"
#include "report.h"
#include "summary.h"
#include "iso_time.h"

static char *label_of(const json_t *item)
{
	const char *n = json_string_value(json_object_get(item, "name"));
	if (n)
		return xstrdup(n);
	if (json_is_string(item))
		return xstrdup(json_string_value(item));
	return sched_summary_of(item);
}


/* ---- loops ------------------------------------------------------------ */

#define LOOP_THREADS_MAX 16

/* One item of a loop in s (bind, body, unbind); its result into *res. */
static enum st loop_item(struct sched *s, const struct ir_step *st, json_t *it, size_t i, json_t **res)
{
	json_t *saved;
	long long outer_item = s->item;
	const char *outer_label = s->item_label;
	sched_bind(s, st->as, it, &saved);
	char *label = label_of(it);
	s->item = (long long)i;
	s->item_label = label;
	enum st b = sched_run_body(s, st);
	s->item = outer_item;
	s->item_label = outer_label;
	free(label);
	sched_unbind(s, st->as, saved);
	json_t *e = json_object_get(s->steps, st->id);
	*res = json_incref(json_object_get(e, "result") ? json_object_get(e, "result") : json_null());
	return b;
}

static enum st loop_serial(struct sched *s, const struct ir_step *st, json_t *items, json_t *results)
{
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		if (sched_interrupted(s) || s->stopped)
			return ST_STOPPED;
		json_t *res;
		enum st b = loop_item(s, st, it, i, &res);
		json_array_append_new(results, res);
		if (b != ST_CONTINUE && b != ST_OK)
			return b;
	}
	return ST_OK;
}

/* serial > 1 (or 0: all at once): each worker thread has its own copy of
 * the environment and its own API client (a client is not thread-safe);
 * they share the journal (appends serialised in jrec) and the progress
 * output.  No new item starts after one failed. */
struct loop_pool {
	struct sched *parent;
	const struct ir_step *st;
	json_t *items;
	pthread_mutex_t mu;
	size_t next, n;
	int stop;
	json_t **res;
	enum st *status;
};

struct loop_worker {
	struct loop_pool *pool;
	struct sched w;
	struct sched_opts wo;
	pthread_t th;
	int started;
};

static void *loop_worker_main(void *arg)
{
	struct loop_worker *k = arg;
	struct loop_pool *p = k->pool;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		size_t i = p->next;
		int go = !p->stop && i < p->n && !sched_interrupted(&k->w) && !k->w.stopped;
		if (go)
			p->next++;
		pthread_mutex_unlock(&p->mu);
		if (!go)
			return NULL;
		json_t *it = json_deep_copy(json_array_get(p->items, i));
		enum st b = loop_item(&k->w, p->st, it, i, &p->res[i]);
		json_decref(it);
		p->status[i] = b;
		if (b != ST_CONTINUE && b != ST_OK) {
			pthread_mutex_lock(&p->mu);
			p->stop = 1;
			pthread_mutex_unlock(&p->mu);
		}
	}
}

static enum st loop_parallel(struct sched *s, const struct ir_step *st, json_t *items, size_t width,
			     json_t *results)
{
	struct loop_pool p = {s, st, items, PTHREAD_MUTEX_INITIALIZER, 0, json_array_size(items), 0, NULL, NULL};
	p.res = xcalloc(p.n, sizeof *p.res);
	p.status = xcalloc(p.n, sizeof *p.status);
	for (size_t i = 0; i < p.n; i++)
		p.status[i] = ST_STOPPED;   /* items never started */
	struct loop_worker *k = xcalloc(width, sizeof *k);
	progress_event(s->o->pg, "loop", NULL, "     %s: %zu items, %zu at a time", st->id, p.n, width);
	for (size_t t = 0; t < width; t++) {
		k[t].pool = &p;
		k[t].wo = *s->o;
		k[t].w = *s;
		k[t].w.o = &k[t].wo;
		k[t].w.env = json_deep_copy(s->env);
		k[t].w.steps = json_object_get(k[t].w.env, "steps");
		k[t].w.run = json_object_get(k[t].w.env, "run");
		k[t].w.run_state = json_deep_copy(s->run_state);
		k[t].w.taken = json_deep_copy(s->taken);   /* jansson objects are not shared across threads */
		k[t].wo.kc = NULL;
		if (s->o->kc) {
			struct kube_err e;
			if (kube_client_new(&k[t].wo.kc, s->o->kopts, &e) < 0)
				k[t].wo.kc = NULL;   /* its cluster actions fail with "no cluster connection" */
		}
		k[t].started = pthread_create(&k[t].th, NULL, loop_worker_main, &k[t]) == 0;
		if (!k[t].started)
			loop_worker_main(&k[t]);   /* no thread: this one runs here */
	}
	for (size_t t = 0; t < width; t++) {
		if (k[t].started)
			pthread_join(k[t].th, NULL);
		/* what the items did becomes the run's: results, run-wide facts, errors */
		json_object_update(s->steps, k[t].w.steps);
		json_t *d = json_object_get(k[t].w.run_state, "deleted");
		if (d) {
			if (!json_object_get(s->run_state, "deleted"))
				json_object_set_new(s->run_state, "deleted", json_object());
			json_object_update(json_object_get(s->run_state, "deleted"), d);
		}
		if (k[t].w.stopped)
			s->stopped = 1;
		if (k[t].w.journal_dead)
			s->journal_dead = 1;
		if (k[t].w.cluster_lost)
			s->cluster_lost = 1;
		if (!s->first_error[0] && k[t].w.first_error[0]) {
			snprintf(s->first_error, sizeof s->first_error, "%s", k[t].w.first_error);
			s->first_error_cluster = k[t].w.first_error_cluster;
		}
		json_object_update(s->taken, k[t].w.taken);
		json_decref(k[t].w.taken);
		json_decref(k[t].w.env);
		json_decref(k[t].w.run_state);
		kube_client_free(k[t].wo.kc);
	}
	enum st r = ST_OK;
	for (size_t i = 0; i < p.n; i++) {
		json_array_append_new(results, p.res[i] ? p.res[i] : json_null());
		if (r == ST_OK && p.status[i] != ST_OK && p.status[i] != ST_CONTINUE)
			r = p.status[i];
	}
	/* a failure outranks the items it kept from starting */
	for (size_t i = 0; i < p.n; i++)
		if (p.status[i] == ST_FAILED)
			r = ST_FAILED;
	free(p.res);
	free(p.status);
	free(k);
	return r;
}

enum st sched_run_loop(struct sched *s, const struct ir_step *st)
{
	int64_t t0 = kube_now_ms();
	char started[40];
	iso_time_now(started, sizeof started);
	if (sched_resumed(s, st))
		return ST_OK;
	/* on resume, the same items as the first run chose */
	json_t *items = NULL;
	if (s->o->resume) {
		const struct journal_record *r = NULL;
		for (const struct journal_record *p = journal_next(s->o->resume, JOURNAL_STEP_START, NULL); p;
		     p = journal_next(s->o->resume, JOURNAL_STEP_START, p)) {
			const char *id = json_string_value(json_object_get(p->data, "step"));
			if (id && !strcmp(id, st->id) && json_is_array(json_object_get(p->data, "items")))
				r = p;
		}
		if (r)
			items = json_incref(json_object_get(r->data, "items"));
	}
	char err[512] = "";
	if (!items && sched_eval(s, &st->for_each, &items, err, sizeof err) < 0)
		goto fail;
	if (!json_is_array(items)) {
		snprintf(err, sizeof err, "for_each %s is not a list", st->for_each.text);
		goto fail;
	}
	if ((long long)json_array_size(items) > st->max_items) {
		snprintf(err, sizeof err, "for_each has %zu items, more than the %lld the time bound assumed (%s)",
			 json_array_size(items), st->max_items, st->max_items_from ? st->max_items_from : "default");
		goto fail;
	}
	sched_jrec(s, JOURNAL_STEP_START, json_pack("{s:s, s:s?, s:s?, s:i, s:n, s:O, s:b}", "step", st->id, "title", st->title,
					      "action", st->action_name, "attempt", 1, "item_index", "items", items,
					      "loop", 1));
	json_t *results = json_array();
	enum st r;
	size_t n = json_array_size(items);
	size_t width = st->serial <= 0 ? n : (size_t)st->serial;
	if (width > LOOP_THREADS_MAX)
		width = LOOP_THREADS_MAX;
	if (width > 1 && n > 1 && (s->o->kopts || !s->o->kc))
		r = loop_parallel(s, st, items, width < n ? width : n, results);
	else
		r = loop_serial(s, st, items, results);
	const char *status = r == ST_OK ? "ok" : "failed";
	if (r != ST_OK)
		snprintf(err, sizeof err, r == ST_STOPPED ? "stopped" : "an iteration failed");
	int cont = r == ST_FAILED && st->on_failure == IR_ONFAIL_CONTINUE;
	sched_record_end(s, st, status, 1, t0, started, r == ST_OK ? results : NULL, r == ST_OK ? NULL : err, NULL, cont);
	json_decref(results);
	json_decref(items);
	return r;
fail:
	json_decref(items);
	sched_record_end(s, st, "failed", 0, t0, started, NULL, err, NULL, st->on_failure == IR_ONFAIL_CONTINUE);
	sched_set_error(s, "step '%s' failed: %s", st->id, err);
	return ST_FAILED;
}

