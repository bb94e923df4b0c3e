/* action_openshift.c - openshift.build and openshift.tag.
 *
 * openshift.build instantiates a BuildConfig with build args (and the
 * docker strategy's from, when given), follows the build on a watch until a
 * terminal phase, then reads its log.  A build is not idempotent: the intent
 * records the BuildConfig's lastVersion, so a --resume finds the build the
 * dead run started (NAME-<lastVersion+1>) instead of starting another.
 *
 * openshift.tag does what `oc tag SRC DST` does: resolve the source to the
 * image it points at now and write the target ImageStreamTag (PUT, and POST
 * when the tag does not exist yet). */
#include "action.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube.h"
#include "mem.h"
#include "summary.h"

#define BUILD_LOG_MAX ((size_t)1 << 20)

struct tail {
	struct strbuf b;
	size_t dropped;
	struct action_ctx *cx;   /* when following: show the last line, stop on a signal */
	int64_t shown_ms;
};

/* The last complete line of the text so far, for the progress line. */
static void show_last_line(struct tail *t)
{
	int64_t now = kube_now_ms();
	if (!t->cx || now - t->shown_ms < 200 || !t->b.len)
		return;
	t->shown_ms = now;
	size_t end = t->b.len;
	while (end > 0 && (t->b.s[end - 1] == '\n' || t->b.s[end - 1] == '\r'))
		end--;
	size_t start = end;
	while (start > 0 && t->b.s[start - 1] != '\n')
		start--;
	char line[200];
	snprintf(line, sizeof line, "the build: %.*s", (int)(end - start > 150 ? 150 : end - start), t->b.s + start);
	for (char *q = line; *q; q++)
		if ((unsigned char)*q < 0x20)
			*q = ' ';
	t->cx->h.waiting(t->cx->h.sched, line);
}

/* Stop waiting for the log when the run is interrupted (following only). */
static int tail_stop(void *ctx)
{
	struct tail *t = ctx;
	return t->cx && t->cx->interrupted && *t->cx->interrupted;
}

static int tail_write(void *ctx, const char *p, size_t len)
{
	struct tail *t = ctx;
	sb_add(&t->b, p, len);
	show_last_line(t);
	if (t->b.len > 2 * BUILD_LOG_MAX) {   /* keep the last 1 MiB, amortised */
		size_t cut = t->b.len - BUILD_LOG_MAX;
		memmove(t->b.s, t->b.s + cut, t->b.len - cut + 1);
		t->b.len -= cut;
		t->dropped += cut;
	}
	return 0;
}

/* The build log is text, streamed through the client (its retries, 401
 * re-auth and debug log), last 1 MiB kept.  An HTTP error is an answer: no
 * log (yet), *code says which; only a transport failure fails the action. */
static int get_text(struct action_ctx *cx, const char *path, int follow, char **out, long *code)
{
	struct tail t = {{0}, 0, follow ? cx : NULL, 0};
	struct kube_req_opts o = {0};
	struct kube_err e;
	o.timeout_ms = action_remaining_ms(cx, 60000);
	*code = 200;
	if (kube_get_text_stream(cx->kc, path, &o, tail_write, tail_stop, &t, &e) < 0) {
		if (!e.http_code) {
			sb_release(&t.b);
			return action_kube_fail(cx, "build log", &e);
		}
		*code = e.http_code;
		sb_release(&t.b);
	}
	sb_puts(&t.b, "");
	*out = sb_detach(&t.b);
	return ACTION_OK;
}

/* A JSON string from bytes that may not be UTF-8 (a build log). */
static json_t *text_json(const char *s)
{
	json_t *v = json_string(s);
	if (v)
		return v;
	char *copy = xstrdup(s);
	for (unsigned char *p = (unsigned char *)copy; *p; p++)
		if (*p >= 0x80)
			*p = '?';
	v = json_string(copy);
	free(copy);
	return v ? v : json_string("");
}

struct buildw {
	struct action_ctx *cx;
	json_t *build;
};

static int build_done(const json_t *b)
{
	const char *ph = json_string_value(json_object_get(json_object_get(b, "status"), "phase"));
	return ph && (!strcmp(ph, "Complete") || !strcmp(ph, "Failed") || !strcmp(ph, "Cancelled") ||
		      !strcmp(ph, "Error"));
}

static int build_cb(void *ctx, enum kube_event_type type, json_t *obj)
{
	struct buildw *w = ctx;
	if (w->cx->interrupted && *w->cx->interrupted)
		return -1;
	if (type == KUBE_EV_SYNCED || type == KUBE_EV_DELETED || !obj)
		return 0;
	json_decref(w->build);
	w->build = json_incref(obj);
	return build_done(obj) ? 1 : 0;
}

static int instantiate(struct action_ctx *cx, const json_t *with, const char *bc, const char *ns, long long last,
		       char *name, size_t n)
{
	json_t *req = json_pack("{s:s, s:s, s:{s:s, s:s}}", "kind", "BuildRequest", "apiVersion",
				"build.openshift.io/v1", "metadata", "name", bc, "namespace", ns);
	const json_t *args = json_object_get(with, "build_args");
	if (json_is_object(args) && json_object_size(args)) {
		json_t *list = json_array();
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)args, k, v) {
			json_t *sv = json_is_string(v) ? json_incref(v) : json_string("");
			if (json_is_number(v)) {
				json_decref(sv);
				char buf[64];
				snprintf(buf, sizeof buf, "%g", json_number_value(v));
				sv = json_string(buf);
			}
			json_array_append_new(list, json_pack("{s:s, s:o}", "name", k, "value", sv));
		}
		json_object_set_new(req, "dockerStrategyOptions", json_pack("{s:o}", "buildArgs", list));
	}
	const char *from = action_str(with, "from");
	if (from && *from)
		json_object_set_new(req, "from", json_pack("{s:s, s:s}", "kind", "ImageStreamTag", "name", from));
	char *path = kube_kind_path(cx->kc, "BuildConfig", ns, bc, "instantiate");
	int rc = ACTION_OK;
	if (cx->dry_run) {
		char *body = json_dumps(req, JSON_COMPACT);
		char *line = xasprintf("would POST %s %s", path, body);
		cx->h.say(cx->h.sched, "info", line);
		free(line);
		free(body);
		snprintf(name, n, "%s-%lld", bc, last + 1);
		goto done;
	}
	json_t *ir = json_pack("{s:s, s:s, s:O}", "method", "POST", "path", path, "body", req);
	if (cx->h.intent(cx->h.sched, ir, json_pack("{s:I}", "lastVersion", (json_int_t)last), 0) != 0) {
		rc = action_fail(cx, "the journal failed: not starting a build");
		goto done;
	}
	struct kube_req_opts o = {0};
	o.timeout_ms = action_remaining_ms(cx, 30000);
	o.no_retry = 1;   /* a resent instantiate is a second build */
	json_t *out = NULL;
	struct kube_err e;
	if (kube_create(cx->kc, path, req, &o, &out, &e) < 0) {
		cx->h.outcome(cx->h.sched, 0, e.http_code, NULL, e.msg);
		rc = action_kube_fail(cx, "instantiate", &e);
		goto done;
	}
	const char *bn = json_string_value(json_object_get(json_object_get(out, "metadata"), "name"));
	snprintf(name, n, "%s", bn ? bn : "");
	char sum[300];
	snprintf(sum, sizeof sum, "started build %s", name);
	cx->h.outcome(cx->h.sched, 1, 201, sum, NULL);
	json_decref(out);
	if (!*name)
		rc = action_fail(cx, "instantiate answered without a build name");
done:
	free(path);
	json_decref(req);
	return rc;
}

static void progress_note(struct action_ctx *cx, const char *name)
{
	char *line = xasprintf("following build %s, which an earlier session started (not starting another)", name);
	cx->h.say(cx->h.sched, "info", line);
	free(line);
}

int action_openshift_build(struct action_ctx *cx, const json_t *with, json_t **result)
{
	const char *bc = action_str(with, "build_config");
	if (!bc || !*bc)
		return action_fail(cx, "'build_config' must be a non-empty string");
	const char *ns = action_ns(cx, with);
	int64_t t0 = kube_now_ms();
	char name[256] = "";
	int rc;
	const json_t *pre = json_object_get(cx->resume, "precondition");
	if (!cx->resume)
		pre = json_object_get(cx->memo, "pre");
	json_t *bcobj = NULL;
	char *bcpath = kube_kind_path(cx->kc, "BuildConfig", ns, bc, NULL);
	struct kube_err e;
	if (kube_get(cx->kc, bcpath, &bcobj, &e) < 0) {
		free(bcpath);
		return action_kube_fail(cx, "get buildconfig", &e);
	}
	free(bcpath);
	long long last = json_integer_value(json_object_get(json_object_get(bcobj, "status"), "lastVersion"));
	json_decref(bcobj);
	const char *started = json_string_value(json_object_get(cx->resume_outcome, "summary"));
	if (json_is_true(json_object_get(cx->resume_outcome, "ok")) && started &&
	    !strncmp(started, "started build ", 14) && started[14]) {
		/* the earlier session started it and said so: follow that build */
		snprintf(name, sizeof name, "%s", started + 14);
		progress_note(cx, name);
	} else if (pre && json_is_integer(json_object_get(pre, "lastVersion")) &&
	    last > json_integer_value(json_object_get(pre, "lastVersion"))) {
		/* the dead attempt did start a build: follow that one */
		snprintf(name, sizeof name, "%s-%lld", bc, (long long)json_integer_value(json_object_get(pre, "lastVersion")) + 1);
		cx->h.outcome(cx->h.sched, 1, 0, "following the build an earlier attempt started", NULL);
	} else {
		json_object_set_new(cx->memo, "pre", json_pack("{s:I}", "lastVersion", (json_int_t)last));
		rc = instantiate(cx, with, bc, ns, last, name, sizeof name);
		if (rc != ACTION_OK)
			return rc;
	}
	if (cx->dry_run) {
		*result = json_pack("{s:s, s:s, s:n, s:n, s:s, s:f}", "name", name, "phase", "Complete", "digest", "image",
				    "log", "", "duration", 0.0);
		return ACTION_OK;
	}
	char what[300];
	snprintf(what, sizeof what, "build %s to finish", name);
	cx->h.waiting(cx->h.sched, what);
	char *log = NULL;
	long code = 0;
	if (!json_is_false(json_object_get(with, "follow"))) {
		/* stream the log as the build writes it (the API holds it while the
		 * build is pending); it ends when the build does */
		char *lp = kube_kind_path(cx->kc, "Build", ns, name, "log");
		char *fp = xasprintf("%s?follow=true", lp);
		free(lp);
		if (get_text(cx, fp, 1, &log, &code) != ACTION_OK || code != 200) {
			free(log);   /* a cut stream: read the whole log once the build ends */
			log = NULL;
		}
		free(fp);
		if (cx->interrupted && *cx->interrupted) {
			free(log);
			action_fail(cx, "interrupted while following build %s", name);
			return ACTION_INTERRUPTED;
		}
	}
	struct strbuf p = {0};
	char *coll = kube_kind_path(cx->kc, "Build", ns, NULL, NULL);
	sb_printf(&p, "%s?fieldSelector=metadata.name%%3D%s", coll, name);
	free(coll);
	struct buildw w = {cx, NULL};
	rc = ACTION_OK;
	if (kube_watch(cx->kc, p.s, NULL, action_remaining_ms(cx, 1800000), build_cb, &w, NULL, &e) < 0)
		rc = action_kube_fail(cx, "wait for the build", &e);
	sb_release(&p);
	if (rc != ACTION_OK) {
		json_decref(w.build);
		free(log);
		return rc;
	}
	if (!log) {
		char *logpath = kube_kind_path(cx->kc, "Build", ns, name, "log");
		rc = get_text(cx, logpath, 0, &log, &code);
		free(logpath);
		if (rc != ACTION_OK) {
			json_decref(w.build);
			return rc;
		}
	}
	const json_t *st = json_object_get(w.build, "status");
	const char *phase = json_string_value(json_object_get(st, "phase"));
	const char *digest = json_string_value(json_object_get(json_object_get(json_object_get(st, "output"), "to"),
							       "imageDigest"));
	const char *image = json_string_value(json_object_get(st, "outputDockerImageReference"));
	*result = json_pack("{s:s, s:s, s:s?, s:s?, s:o, s:f}", "name", name, "phase", phase ? phase : "Unknown",
			    "digest", digest, "image", image, "log", text_json(code == 200 ? log : ""),
			    "duration", (double)(kube_now_ms() - t0) / 1000.0);
	free(log);
	json_decref(w.build);
	return ACTION_OK;
}

/* ---- openshift.tag --------------------------------------------------- */

int action_openshift_tag(struct action_ctx *cx, const json_t *with, json_t **result)
{
	const char *src = action_str(with, "source");
	const char *dst = action_str(with, "target");
	const char *ns = action_ns(cx, with);
	if (!src || !dst || !strchr(dst, ':') || strchr(dst, '@'))
		return action_fail(cx, "'source' and 'target' (STREAM:TAG) are required");
	char digest[160] = "";
	char from_name[512];
	const char *at = strchr(src, '@');
	int rc = ACTION_OK;
	if (cx->dry_run && (!at ? 0 : !at[1])) {
		/* the digest comes from a build the dry run did not start */
		char *line = xasprintf("would tag %s as %s (the source image does not exist before the build)", src, dst);
		cx->h.say(cx->h.sched, "info", line);
		free(line);
		*result = json_pack("{s:s, s:s, s:s}", "source", src, "target", dst, "digest", "");
		return ACTION_OK;
	}
	if (at) {
		/* a pull spec with a digest: REGISTRY/NS/STREAM@sha256:... */
		snprintf(digest, sizeof digest, "%s", at + 1);
		const char *slash = strrchr(src, '/');
		const char *stream = slash && slash < at ? slash + 1 : src;
		snprintf(from_name, sizeof from_name, "%.*s@%s", (int)(at - stream), stream, digest);
	} else {
		char *sp = kube_kind_path(cx->kc, "ImageStreamTag", ns, src, NULL);
		json_t *obj = NULL;
		struct kube_err e;
		if (kube_get(cx->kc, sp, &obj, &e) < 0) {
			free(sp);
			return action_kube_fail(cx, "source tag", &e);
		}
		free(sp);
		const char *d = json_string_value(json_object_get(json_object_get(json_object_get(obj, "image"), "metadata"),
								 "name"));
		snprintf(digest, sizeof digest, "%s", d ? d : "");
		json_decref(obj);
		if (!*digest)
			return action_fail(cx, "image stream tag \"%s\" points at no image", src);
		const char *colon = strchr(src, ':');
		snprintf(from_name, sizeof from_name, "%.*s@%s", (int)(colon ? colon - src : (long)strlen(src)), src, digest);
	}
	const char *tag = strchr(dst, ':') + 1;
	json_t *body = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:{s:s, s:s}}}", "kind", "ImageStreamTag",
				 "apiVersion", "image.openshift.io/v1", "metadata", "name", dst, "namespace", ns,
				 "tag", "name", tag, "from", "kind", "ImageStreamImage", "name", from_name);
	char *path = kube_kind_path(cx->kc, "ImageStreamTag", ns, dst, NULL);
	char *coll = kube_kind_path(cx->kc, "ImageStreamTag", ns, NULL, NULL);
	json_t *req = json_pack("{s:s, s:s, s:O, s:b}", "method", "PUT", "path", path, "body", body, "dry_run", cx->dry_run);
	if (cx->h.intent(cx->h.sched, req, json_pack("{s:s}", "digest", digest), 1) != 0) {
		rc = action_fail(cx, "the journal failed: not tagging");
		goto done;
	}
	if (cx->dry_run) {
		char *line = xasprintf("PUT %s -> %s sent with dryRun=All", path, from_name);
		cx->h.say(cx->h.sched, "info", line);
		free(line);
	}
	struct kube_req_opts o = {0};
	o.timeout_ms = action_remaining_ms(cx, 30000);
	o.dry_run = cx->dry_run;
	o.retry_unsafe = 1;   /* writing the same digest twice is the same tag */
	struct kube_err e;
	json_t *out = NULL;
	/* as oc tag: update the tag when it exists, else create it (a 404 from
	 * the PUT could also mean the source image is missing) */
	int krc = kube_get(cx->kc, path, &out, &e);
	json_decref(out);
	out = NULL;
	if (krc == 0)
		krc = kube_replace(cx->kc, path, body, &o, &out, &e);
	else if (e.cls == KUBE_ERR_NOTFOUND)
		krc = kube_create(cx->kc, coll, body, &o, &out, &e);
	json_decref(out);
	if (krc < 0) {
		cx->h.outcome(cx->h.sched, 0, e.http_code, NULL, e.msg);
		rc = action_kube_fail(cx, "tag", &e);
		goto done;
	}
	cx->h.outcome(cx->h.sched, 1, 200, cx->dry_run ? "tagged (dry run)" : "tagged", NULL);
	*result = json_pack("{s:s, s:s, s:s}", "source", src, "target", dst, "digest", digest);
done:
	json_decref(body);
	free(path);
	free(coll);
	return rc;
}

/* ---- summaries ------------------------------------------------------ */

void action_openshift_build_summary(struct strbuf *b, const json_t *r)
{
	const char *name = summary_str(r, "name"), *phase = summary_str(r, "phase");
	sb_printf(b, "%s %s", name ? name : "build", phase ? phase : "?");
	if (summary_str(r, "digest")) {
		sb_puts(b, ", pushed ");
		summary_digest(b, summary_str(r, "digest"));
	}
}

void action_openshift_tag_summary(struct strbuf *b, const json_t *r)
{
	const char *target = summary_str(r, "target");
	sb_printf(b, "%s now ", target ? target : "?");
	summary_digest(b, summary_str(r, "digest"));
}
