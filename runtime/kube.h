/* kube.h - a small Kubernetes/OpenShift API client on libcurl + jansson.
 *
 * One struct kube_client talks to one cluster as one user, in one default
 * namespace, resolved from a kubeconfig or the in-cluster service account the
 * way kubectl does.  A client reuses one connection and is NOT thread-safe:
 * use one client per thread.
 *
 * Errors are values: every fallible function returns 0 or -1 and fills a
 * struct kube_err (fixed buffers, nothing to free).  Messages are lowercase,
 * read like kubectl's ("pods \"db-0\" not found") and never contain a
 * token, an Authorization header, a client key or exec-plugin output.
 *
 * Ownership: json_t **out and char **out are the caller's (json_decref/free);
 * strings returned by accessors are borrowed from the client.  Every
 * path is an API path starting with '/', query allowed ("/api/v1/pods?limit=5").
 *
 * Debugging: OPSPLAN_DEBUG_HTTP=1 logs method, URL, status and timing to
 * stderr, nothing else. */
#ifndef OPSPLAN_KUBE_H
#define OPSPLAN_KUBE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* Error classes.  ORDER KUBE_ERR: append only; the names are printed. */
#define KUBE_ERR_LIST(X) \
	X(KUBE_OK,             "ok")                                       \
	X(KUBE_ERR_CONFIG,     "config")    /* kubeconfig/in-cluster unusable */ \
	X(KUBE_ERR_NETWORK,    "network")   /* connect, TLS, cut connection */   \
	X(KUBE_ERR_AUTH,       "auth")      /* 401, exec plugin failure */       \
	X(KUBE_ERR_FORBIDDEN,  "forbidden") /* 403 */                            \
	X(KUBE_ERR_NOTFOUND,   "notfound")  /* 404 */                            \
	X(KUBE_ERR_CONFLICT,   "conflict")  /* 409: Conflict or AlreadyExists */ \
	X(KUBE_ERR_GONE,       "gone")      /* 410: resourceVersion expired */   \
	X(KUBE_ERR_INVALID,    "invalid")   /* 400, 422, other 4xx */           \
	X(KUBE_ERR_THROTTLED,  "throttled") /* 429 after all retries */          \
	X(KUBE_ERR_SERVER,     "server")    /* 5xx after all retries */          \
	X(KUBE_ERR_TIMEOUT,    "timeout")   /* request or watch deadline */      \
	X(KUBE_ERR_TOOLARGE,   "toolarge")  /* body past KUBE_MAX_BODY */        \
	X(KUBE_ERR_PROTOCOL,   "protocol")  /* unparsable reply, bad frames */   \
	X(KUBE_ERR_ABORTED,    "aborted")   /* a watch callback returned < 0 */

enum kube_err_class {
#define X(e, name) e,
	KUBE_ERR_LIST(X)
#undef X
};

const char *kube_err_class_name(enum kube_err_class c);

#define KUBE_MAX_BODY ((size_t)64 << 20)   /* bytes of one reply or exec stream */

struct kube_err {
	enum kube_err_class cls;
	long http_code;          /* 0 if no HTTP reply */
	char reason[64];         /* Status.reason ("NotFound", "Conflict"), or "" */
	char msg[512];           /* what a person reads; no trailing newline */
};

/* Told when a request is tried again after the connection failed or the
 * server did not answer ("... did not answer within 5 s; retrying").  msg
 * is redacted, lowercase, without a newline. */
typedef void (*kube_notice_fn)(void *ctx, const char *msg);

/* How to find the cluster.  All fields optional (zero = default). */
struct kube_config_opts {
	const char *kubeconfig;      /* --kubeconfig: this file only; else $KUBECONFIG
	                                (':'-list, first file to set a value wins),
	                                else ~/.kube/config, else in-cluster */
	const char *context;         /* --context; default current-context */
	const char *namespace_;      /* -n/--namespace; overrides the context's */
	int in_cluster;              /* 1: ignore kubeconfig, use the service account */
	const char *incluster_root;  /* default /var/run/secrets/kubernetes.io/serviceaccount */
	long connect_timeout_ms;     /* TCP + TLS; default 5000 */
	long timeout_ms;             /* default total per request: 30000 */
	int max_retries;             /* default 4; -1 = none */
	long first_byte_timeout_ms;  /* request sent -> response headers; default
	                                5000 (reads, watches, exec upgrades; a
	                                mutation waits for its total timeout).
	                                Never bounds a streaming body. */
	kube_notice_fn notice;       /* NULL: "opsplan: MSG" on stderr */
	void *notice_ctx;
};

/* Per-request knobs.  A NULL pointer means all defaults. */
struct kube_req_opts {
	long timeout_ms;             /* 0: the client's */
	int retry_unsafe;            /* 1: retry this non-GET too (caller says it is
	                                idempotent, e.g. PUT with resourceVersion) */
	int dry_run;                 /* 1: add dryRun=All */
	int no_retry;                /* 1: one attempt only */
};

struct kube_client;

/* Resolve the configuration and make a client.  No request is sent. */
int kube_client_new(struct kube_client **out, const struct kube_config_opts *o,
		    struct kube_err *err);
void kube_client_free(struct kube_client *c);           /* accepts NULL */

const char *kube_namespace(const struct kube_client *c); /* never NULL ("default") */
const char *kube_server(const struct kube_client *c);    /* "https://host:port" */
const char *kube_context(const struct kube_client *c);   /* "" when in-cluster */

/* One request.  body may be NULL; content_type NULL means application/json.
 * 2xx: *out (if out != NULL) gets the parsed JSON reply, or json null when the
 * reply is empty or not JSON.  Otherwise -1 with err filled from the Status.
 * Retries 5xx and connection errors with capped, jittered backoff honouring
 * Retry-After for GET/HEAD, and for other methods only with o->retry_unsafe
 * (a non-GET without it also never shares a connection curl could resend
 * it on); 429 for every method (the server did not process it); never any
 * other 4xx.  A server that does not connect, complete TLS or answer in time
 * is tried once more only (with a notice), so a stalled server costs two
 * timeouts, not five.  A 401 refreshes tokenFile/exec credentials and tries
 * once more; a final 401 names the kubeconfig user and context, a 403
 * without a message naming the permission gets the verb and resource. */
int kube_request(struct kube_client *c, const char *method, const char *path,
		 const json_t *body, const char *content_type,
		 const struct kube_req_opts *o, json_t **out, struct kube_err *err);

int kube_get(struct kube_client *c, const char *path, json_t **out, struct kube_err *err);
/* GET a text reply as is (pods/log, builds/log): *out NUL-terminated, caller
 * frees; len optional.  Non-2xx: -1 with err from the Status. */
int kube_get_text(struct kube_client *c, const char *path, const struct kube_req_opts *o,
		  char **out, size_t *len, struct kube_err *err);
/* GET a text reply and hand it to sink as it arrives (builds/log?follow=true,
 * which the API holds open while the build runs): sink gets each piece of a
 * 2xx body and returns non-zero to stop; stop (optional) is asked several
 * times a second even when nothing arrives, non-zero to stop.  Stopped: -1
 * with KUBE_ERR_ABORTED.  Retried, re-authenticated and logged like any GET
 * until the first byte reached sink, never after (it would arrive twice);
 * no first-byte limit (a held request answers late).  Non-2xx: -1 with err
 * from the Status (err.http_code set). */
typedef int (*kube_text_sink)(void *ctx, const char *p, size_t n);
typedef int (*kube_stop_fn)(void *ctx);
int kube_get_text_stream(struct kube_client *c, const char *path, const struct kube_req_opts *o,
			 kube_text_sink sink, kube_stop_fn stop, void *ctx, struct kube_err *err);
/* GET a collection following `continue` tokens; *out is one List whose
 * "items" holds every page and whose metadata.resourceVersion is the last. */
int kube_list(struct kube_client *c, const char *path, json_t **out, struct kube_err *err);
int kube_create(struct kube_client *c, const char *path, const json_t *body,
		const struct kube_req_opts *o, json_t **out, struct kube_err *err);
int kube_replace(struct kube_client *c, const char *path, const json_t *body,
		 const struct kube_req_opts *o, json_t **out, struct kube_err *err);
/* patch_type: "merge" | "strategic" | "json" (JSON Patch) | "apply". */
int kube_patch(struct kube_client *c, const char *path, const json_t *body,
	       const char *patch_type, const struct kube_req_opts *o,
	       json_t **out, struct kube_err *err);

/* API path of a kind: collection when name is NULL, else the object, plus
 * "/sub" when sub is non-NULL ("status", "log", "instantiate", "exec").
 * Namespaced kinds need ns (NULL: the client's namespace when c != NULL).
 * ns and name are percent-encoded (':' and '@' kept), one segment each.
 * Kinds: Pod, Service, Endpoints, ConfigMap, Secret, PersistentVolumeClaim,
 * Namespace, Event, ServiceAccount, StatefulSet, Deployment, ReplicaSet,
 * DaemonSet, Job, Build, BuildConfig, ImageStream, ImageStreamTag,
 * DeploymentConfig, Route (and lowercase plurals: "pods", "statefulsets").
 * Returns NULL for an unknown kind.  Caller frees. */
char *kube_kind_path(const struct kube_client *c, const char *kind,
		     const char *ns, const char *name, const char *sub);

/* List + watch.  The callback sees every object of the collection at path
 * (query allowed, e.g. "?labelSelector=app%3Ddb" or a fieldSelector) and
 * decides when the wait is over: return 0 to go on, 1 to stop (kube_watch
 * returns 0), < 0 to abort (kube_watch returns -1, KUBE_ERR_ABORTED).
 *
 * rv NULL or "": a list first, delivered as KUBE_EV_LISTED items followed by
 * one KUBE_EV_SYNCED (obj NULL) -- so "gone" is "not listed before SYNCED".
 * A 410 (HTTP or in-stream ERROR) relists the same way; a cut stream resumes
 * from the last resourceVersion seen (bookmarks included); after 3 failed
 * watches in a row it falls back to polling (a relist each second, 5 times,
 * then it tries to watch again).  timeout_ms > 0 bounds the whole wait: -1
 * with KUBE_ERR_TIMEOUT; timeout_ms <= 0 waits until the callback ends it. */
enum kube_event_type { KUBE_EV_LISTED, KUBE_EV_SYNCED, KUBE_EV_ADDED,
		       KUBE_EV_MODIFIED, KUBE_EV_DELETED };
typedef int (*kube_watch_cb)(void *ctx, enum kube_event_type type, json_t *obj);

struct kube_watch_stats {        /* for tests and debugging; optional */
	unsigned events, bookmarks, relists, resumes, polls;
	char last_rv[64];
};

int kube_watch(struct kube_client *c, const char *path, const char *rv,
	       long timeout_ms, kube_watch_cb cb, void *ctx,
	       struct kube_watch_stats *stats, struct kube_err *err);

/* Through the API server's pod proxy (Patroni's REST API on port 8008):
 * METHOD /api/v1/namespaces/NS/pods/POD:PORT/proxy/PATH.  The pod's own
 * status code and body come back in *code and *body (caller frees, NUL-
 * terminated) and the call returns 0, whatever the code: a 503 from Patroni
 * is an answer.  -1 only when the API server itself refused (its Status) or
 * the transport failed.  ns NULL: the client's namespace.  body may be NULL. */
int kube_proxy(struct kube_client *c, const char *ns, const char *pod, int port,
	       const char *method, const char *path, const char *body,
	       const struct kube_req_opts *o, long *code, char **out_body,
	       struct kube_err *err);

/* Run argv (NULL-terminated) in a pod's container over the pods/exec
 * WebSocket (v5.channel.k8s.io, else v4).  No stdin.  *out_stdout and
 * *out_stderr (each optional, caller frees) get what the command wrote,
 * *exit_code its exit status.  A non-zero exit is still a 0 return.
 * container NULL: the pod's default.  timeout_ms 0: the client's. */
int kube_exec(struct kube_client *c, const char *ns, const char *pod,
	      const char *container, const char *const *argv, long timeout_ms,
	      char **out_stdout, char **out_stderr, int *exit_code,
	      struct kube_err *err);

/* Monotonic milliseconds, for callers' deadlines. */
int64_t kube_now_ms(void);

#endif
