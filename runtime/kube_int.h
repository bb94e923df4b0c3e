/* kube_int.h - what the kube_*.c files share; not for other modules.
 *
 * kube_config.c resolves a struct kube_cfg (cluster, user, namespace);
 * kube_cred.c turns its user part into credentials for one request;
 * kube_http.c, kube_watch.c and kube_exec.c send requests with them;
 * kube_status.c turns replies into struct kube_err. */
#ifndef OPSPLAN_KUBE_INT_H
#define OPSPLAN_KUBE_INT_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdarg.h>

#include "kube.h"

/* A kubeconfig is read by compiler/yaml_load.c: YAML_LOAD_MAX_BYTES, depth, aliases. */
#define KUBE_INCLUSTER_ROOT "/var/run/secrets/kubernetes.io/serviceaccount"

/* A blob read from a file or decoded from *-data. */
struct kube_blob {
	unsigned char *data;
	size_t len;
};

struct kube_exec_plugin {
	char *api_version;       /* client.authentication.k8s.io/v1 or v1beta1 */
	char *command;           /* resolved against the kubeconfig's directory */
	char **args;             /* NULL-terminated */
	char **env;              /* "NAME=value", NULL-terminated */
};

/* The resolved configuration: one cluster, one user, one namespace.  Owns
 * every pointer in it (kube_cfg_release). */
struct kube_cfg {
	char *server;            /* "https://host:port", no trailing '/' */
	char *context;           /* "" when in-cluster */
	char *namespace_;
	char *ca_file;           /* either ca_file or ca (or neither) */
	struct kube_blob ca;
	int insecure;            /* insecure-skip-tls-verify: true */
	char *tls_server_name;
	char *token;             /* static bearer token */
	char *token_file;        /* re-read on each use */
	char *cert_file, *key_file;
	struct kube_blob cert, key;
	char *username, *password;  /* basic auth (rare, still supported) */
	struct kube_exec_plugin *exec;
	char *source;            /* the files it came from, for messages */
	char *user;              /* the kubeconfig user's name; "" in-cluster or none */
};

int kube_cfg_load(struct kube_cfg *out, const struct kube_config_opts *o, struct kube_err *err);
void kube_cfg_release(struct kube_cfg *cfg);
/* The CA, client certificate and key files exist and are readable. */
int kube_cfg_check_files(const struct kube_cfg *cfg, struct kube_err *err);

/* Credentials for one request; the cache of exec-plugin output. */
struct kube_cred {
	char *token;             /* bearer token, or NULL */
	struct kube_blob cert, key;   /* client cert/key from the exec plugin */
	int64_t expires_ms;      /* wall-clock ms; 0 = no expiry */
	int64_t renew_ms;        /* run the plugin again from then (a little early) */
	int valid;
};

/* Fill cred for cfg: the static token, the token file (re-read), or the exec
 * plugin (run only when cred is not valid or has expired). */
int kube_cred_get(struct kube_cred *cred, const struct kube_cfg *cfg, struct kube_err *err);
void kube_cred_invalidate(struct kube_cred *cred);   /* after a 401 */
void kube_cred_release(struct kube_cred *cred);

struct kube_client {
	struct kube_cfg cfg;
	struct kube_cred cred;
	CURL *h;                 /* reused for keep-alive */
	long connect_timeout_ms, timeout_ms, first_byte_ms;
	int max_retries;
	int debug;               /* OPSPLAN_DEBUG_HTTP=1 */
	kube_notice_fn notice;
	void *notice_ctx;
};

/* Retries after a timeout (connect, TLS, first byte): one, then give up. */
#define KUBE_TIMEOUT_RETRIES 1

/* The first-byte deadline of one transfer: armed by kube_http_first_byte,
 * met by the first response header line.  Bounds only the wait for headers,
 * never a streaming body (watches, followed logs). */
struct kube_fb {
	CURL *h;
	int64_t t0;              /* kube_now_ms() when the transfer started */
	long limit_ms;           /* after the request went out; 0 = none */
	int got_headers;
	int expired;             /* aborted by us: no headers in time */
};

/* Arm fb on h (progress callback).  The caller's header callback must call
 * kube_http_fb_header(fb), or pass NULL to install a header callback that
 * only does that. */
void kube_http_first_byte(struct kube_fb *fb, CURL *h, long limit_ms, int own_header_cb);
void kube_http_fb_header(struct kube_fb *fb);
/* err <- why a transfer on h failed with cc, in words ("did not complete
 * TLS within 5 s", ...).  Returns the class: KUBE_ERR_TIMEOUT for the
 * stalls, KUBE_ERR_NETWORK otherwise.  is_stall: connect/TLS/first byte. */
enum kube_err_class kube_http_transport_err(struct kube_client *c, CURL *h, CURLcode cc,
					    const struct kube_fb *fb, const char *what,
					    const char *errbuf, int *is_stall, struct kube_err *err);
/* "opsplan: MSG" through the client's notice hook. */
void kube_http_notice(struct kube_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* err (a 401 or 403 from the server) rewritten to say what is wrong: the
 * credential of which user, or which permission. */
void kube_http_explain_denied(struct kube_client *c, const char *method, const char *path,
			      struct kube_err *err);

/* Apply TLS settings and client-cert credentials to a handle. */
void kube_http_setup_tls(struct kube_client *c, CURL *h);
/* Authorization header list for a request; NULL-safe to free with
 * curl_slist_free_all.  Fails only when credentials cannot be obtained. */
int kube_http_auth_headers(struct kube_client *c, CURL *h, struct curl_slist **hdrs,
			   struct kube_err *err);
/* Full URL for an API path, with dryRun=All appended if asked.  Caller frees. */
char *kube_http_url(const struct kube_client *c, const char *path, int dry_run);
/* Backoff before retry attempt n (0-based), honouring Retry-After seconds
 * (-1 none); capped. */
long kube_http_backoff_ms(int attempt, long retry_after_s);
void kube_http_debug(const struct kube_client *c, const char *method, const char *url,
		     long code, int64_t started_ms, const char *note);

/* Fill err from an HTTP reply (Status JSON or anything else). */
void kube_status_to_err(struct kube_err *err, long http_code, const char *body, size_t len);
/* Fill err from a decoded Status object (in-stream watch ERROR). */
void kube_status_from_json(struct kube_err *err, long http_code, const json_t *status);
enum kube_err_class kube_status_class(long http_code, const char *reason);
/* err <- cls + printf message, redacted.  Returns -1 for `return kube_fail(...)`. */
int kube_fail(struct kube_err *err, enum kube_err_class cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void kube_err_clear(struct kube_err *err);

/* Base64 (standard alphabet, padding optional on decode). */
int kube_b64_decode(struct kube_blob *out, const char *s);
char *kube_b64_encode(const unsigned char *p, size_t n);

#endif
