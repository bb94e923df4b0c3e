/* test_kube_http.c - the kube client against tests/runtime/kube_test_server.py
 * (HTTPS, a CA made by mkcerts.sh): auth modes, Status messages, retries and
 * their limits, timeouts, bounded bodies, dry run, paging, list+watch
 * recovery, the pod proxy, exec over WebSocket, and that secrets never reach
 * messages or the debug log.
 *
 *   build/tests/test_kube_http                      the suite
 *   build/tests/test_kube_http --kubeconfig FILE [--context C] [-n NS]
 *                                                   smoke: list + watch pods */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "kube.h"
#include "kube_int.h"
#include "mem.h"
#include "redact.h"

#define TOKEN  "tok-alpha-5f2e9c"
#define TOKEN2 "tok-bravo-8a1d77"

static char dir[64];
static pid_t server = -1;
static int port;

static void writef(const char *name, const char *fmt, ...)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	va_list ap;
	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	free(p);
}

static char *readf(const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct kube_blob b = {0};
	FILE *f = fopen(p, "rb");
	struct strbuf sb = {0};
	char buf[4096];
	size_t n;
	free(p);
	(void)b;
	if (!f)
		return xstrdup("");
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_add(&sb, buf, n);
	fclose(f);
	if (!sb.s)
		sb_puts(&sb, "");
	return sb_detach(&sb);
}

static char *b64_file(const char *name)
{
	char *t = readf(name);
	char *e = kube_b64_encode((unsigned char *)t, strlen(t));
	free(t);
	return e;
}

/* A kubeconfig DIR/NAME: cluster lines then user lines (YAML, indented). */
static void kubeconfig(const char *name, const char *cluster, const char *user)
{
	writef(name,
	       "apiVersion: v1\nkind: Config\ncurrent-context: t\n"
	       "clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:%d\n%s"
	       "users:\n- name: u\n  user:\n%s"
	       "contexts:\n- name: t\n  context: {cluster: c, user: u, namespace: ns1}\n",
	       port, cluster, user);
}

static int group_setup(void **state)
{
	(void)state;
	char *cmd, *ca, *other, *cert, *key;
	snprintf(dir, sizeof dir, "/tmp/opsplan-kube-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	cmd = xasprintf("sh tests/runtime/mkcerts.sh %s", dir);
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	writef("tokens", "%s\n", TOKEN);
	server = fork();
	if (server == 0) {
		setpgid(0, 0);
		execl("/usr/bin/python3", "python3", "tests/runtime/kube_test_server.py", dir, (char *)NULL);
		_exit(127);
	}
	char *pf = xasprintf("%s/port", dir);
	for (int i = 0; i < 100 && access(pf, R_OK) != 0; i++)
		usleep(100000);
	free(pf);
	char *p = readf("port");
	port = atoi(p);
	free(p);
	if (port <= 0)
		return -1;
	ca = b64_file("ca.crt");
	other = b64_file("other-ca.crt");
	cert = b64_file("client.crt");
	key = b64_file("client.key");
	char *cl = xasprintf("    certificate-authority-data: %s\n", ca);
	kubeconfig("token.yaml", cl, "    token: " TOKEN "\n");
	kubeconfig("none.yaml", cl, "    {}\n");
	char *u = xasprintf("    client-certificate-data: %s\n    client-key-data: %s\n", cert, key);
	kubeconfig("certdata.yaml", cl, u);
	free(u);
	kubeconfig("certfile.yaml", "    certificate-authority: ca.crt\n",
		   "    client-certificate: client.crt\n    client-key: client.key\n");
	kubeconfig("tokenfile.yaml", "    certificate-authority: ca.crt\n", "    tokenFile: tokfile\n");
	writef("tokfile", "%s\n", TOKEN);
	char *exe = realpath("tests/runtime/exec-plugin.sh", NULL);
	u = xasprintf("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
		      "      command: %s\n      env:\n      - {name: PLUGIN_DIR, value: %s}\n", exe, dir);
	kubeconfig("exec.yaml", cl, u);
	free(u);
	u = xasprintf("    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
		      "      command: %s\n      args: [fail]\n      env:\n      - {name: PLUGIN_DIR, value: %s}\n",
		      exe, dir);
	kubeconfig("execfail.yaml", cl, u);
	free(u);
	u = xasprintf("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
		      "      command: %s\n      args: [cert]\n      env:\n      - {name: PLUGIN_DIR, value: %s}\n",
		      exe, dir);
	kubeconfig("execcert.yaml", cl, u);
	free(u);
	free(exe);
	writef("plugin-token", "%s\n", TOKEN);
	free(cl);
	cl = xasprintf("    certificate-authority-data: %s\n", other);
	kubeconfig("wrongca.yaml", cl, "    token: " TOKEN "\n");
	kubeconfig("insecure.yaml", "    insecure-skip-tls-verify: true\n", "    token: " TOKEN "\n");
	free(cl);
	free(ca);
	free(other);
	free(cert);
	free(key);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (server > 0) {
		kill(-server, SIGTERM);
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	char *cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
	return 0;
}

static struct kube_client *client(const char *kc)
{
	struct kube_client *c = NULL;
	struct kube_err err;
	char *p = xasprintf("%s/%s", dir, kc);
	struct kube_config_opts o = {.kubeconfig = p, .timeout_ms = 10000};
	int rc = kube_client_new(&c, &o, &err);
	if (rc < 0)
		fprintf(stderr, "client %s: %s\n", kc, err.msg);
	assert_int_equal(rc, 0);
	free(p);
	return c;
}

static long hits(struct kube_client *c, const char *what)
{
	json_t *j = NULL;
	struct kube_err err;
	char *e = curl_easy_escape(NULL, what, 0);
	char *p = xasprintf("/_hits?path=%s", e);
	curl_free(e);
	assert_int_equal(kube_get(c, p, &j, &err), 0);
	long n = (long)json_integer_value(json_object_get(j, "hits"));
	json_decref(j);
	free(p);
	return n;
}

static const char *sget(const json_t *j, const char *a, const char *b)
{
	const json_t *v = json_object_get(j, a);
	return json_string_value(b ? json_object_get(v, b) : v);
}

/* kube_get_text_stream's sink: gather into a strbuf; stop after the first
 * piece when asked */
struct gathered {
	struct strbuf b;
	int stop_at_first;
	int asked;
};

static int gather(void *ctx, const char *p, size_t n)
{
	struct gathered *g = ctx;
	sb_add(&g->b, p, n);
	return g->stop_at_first;
}

static int never_stop(void *ctx)
{
	struct gathered *g = ctx;
	g->asked++;
	return 0;
}

/* the build log is streamed through the client; names are one path segment */
static void test_text_stream_and_escaped_names(void **state)
{
	(void)state;
	struct kube_client *c = client("token.yaml");
	struct kube_err err;
	struct gathered g = {{0}, 0, 0};
	char *p = kube_kind_path(c, "Pod", NULL, "db-0", "log");
	assert_int_equal(kube_get_text_stream(c, p, NULL, gather, never_stop, &g, &err), 0);
	sb_puts(&g.b, "");
	assert_string_equal(g.b.s, "line one\nline two\n");
	sb_release(&g.b);
	g.stop_at_first = 1;
	assert_int_equal(kube_get_text_stream(c, p, NULL, gather, NULL, &g, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_ABORTED);
	sb_release(&g.b);
	free(p);
	g.stop_at_first = 0;
	assert_int_equal(kube_get_text_stream(c, "/api/v1/namespaces/ns1/pods/missing/log", NULL, gather, NULL, &g,
					      &err), -1);
	assert_int_equal(err.http_code, 404);
	assert_string_equal(err.msg, "pods \"missing\" not found");
	assert_int_equal(g.b.len, 0);
	sb_release(&g.b);
	p = kube_kind_path(c, "ImageStreamTag", "a b", "patroni:build", NULL);
	assert_string_equal(p, "/apis/image.openshift.io/v1/namespaces/a%20b/imagestreamtags/patroni:build");
	free(p);
	p = kube_kind_path(c, "Pod", NULL, "../secrets/x?y#z%", "log");
	assert_string_equal(p, "/api/v1/namespaces/ns1/pods/..%2Fsecrets%2Fx%3Fy%23z%25/log");
	free(p);
	kube_client_free(c);
}

static void test_get_and_namespace(void **state)
{
	(void)state;
	struct kube_client *c = client("token.yaml");
	json_t *j = NULL;
	struct kube_err err;
	assert_string_equal(kube_namespace(c), "ns1");
	assert_string_equal(kube_context(c), "t");
	char *p = kube_kind_path(c, "Pod", NULL, "db-0", NULL);
	assert_int_equal(kube_get(c, p, &j, &err), 0);
	assert_string_equal(sget(j, "status", "phase"), "Running");
	json_decref(j);
	free(p);
	char *text = NULL;
	size_t len = 0;
	p = kube_kind_path(c, "Pod", NULL, "db-0", "log");
	assert_int_equal(kube_get_text(c, p, NULL, &text, &len, &err), 0);
	assert_string_equal(text, "line one\nline two\n");
	assert_int_equal(len, 18);
	free(text);
	free(p);
	assert_int_equal(kube_get_text(c, "/api/v1/namespaces/ns1/pods/missing/log", NULL, &text, NULL, &err), -1);
	assert_null(text);
	assert_string_equal(err.msg, "pods \"missing\" not found");
	kube_client_free(c);
}

static void test_status_messages(void **state)
{
	(void)state;
	struct kube_client *c = client("token.yaml");
	json_t *j = NULL, *body = json_pack("{s:s}", "kind", "ConfigMap");
	struct kube_err err;
	assert_int_equal(kube_get(c, "/api/v1/namespaces/ns1/pods/missing", &j, &err), -1);
	assert_null(j);
	assert_int_equal(err.cls, KUBE_ERR_NOTFOUND);
	assert_int_equal(err.http_code, 404);
	assert_string_equal(err.reason, "NotFound");
	assert_string_equal(err.msg, "pods \"missing\" not found");
	assert_int_equal(kube_replace(c, "/api/v1/namespaces/ns1/configmaps/cm", body, NULL, &j, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_CONFLICT);
	assert_string_equal(err.reason, "Conflict");
	assert_non_null(strstr(err.msg, "conflict: "));
	assert_non_null(strstr(err.msg, "the object has been modified"));
	/* a PUT that failed with 409 is never retried */
	assert_int_equal(hits(c, "PUT /api/v1/namespaces/ns1/configmaps/cm"), 1);
	json_decref(body);
	kube_client_free(c);
}

static void test_retry_after_429(void **state)
{
	(void)state;
	struct kube_client *c = client("token.yaml");
	json_t *j = NULL;
	struct kube_err err;
	int64_t t0 = kube_now_ms();
	assert_int_equal(kube_get(c, "/fault/429/a?n=2", &j, &err), 0);
	int64_t ms = kube_now_ms() - t0;
	assert_int_equal(json_integer_value(json_object_get(j, "attempts")), 3);
	assert_true(ms >= 1900);    /* Retry-After: 1, twice */
	json_decref(j);
	/* 429 is retried for a POST too: the server did not process it */
	json_t *b = json_object();
	assert_int_equal(kube_create(c, "/fault/429/post?n=1", b, NULL, &j, &err), 0);
	json_decref(j);
	json_decref(b);
	kube_client_free(c);
}

static void test_retry_5xx_only_when_safe(void **state)
{
	(void)state;
	struct kube_client *c = client("token.yaml");
	json_t *j = NULL, *b = json_object();
	struct kube_err err;
	struct kube_req_opts safe = {.retry_unsafe = 1};
	assert_int_equal(kube_get(c, "/fault/503/g?n=2", &j, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "attempts")), 3);
	json_decref(j);
	assert_int_equal(kube_create(c, "/fault/503/p?n=1", b, NULL, &j, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_SERVER);
	assert_int_equal(err.http_code, 503);
	assert_string_equal(err.msg, "etcd is down");
	assert_int_equal(hits(c, "POST /fault/503/p"), 1);
	assert_int_equal(kube_create(c, "/fault/503/p2?n=1", b, &safe, &j, &err), 0);
	assert_int_equal(hits(c, "POST /fault/503/p2"), 2);
	json_decref(j);
	/* 503 forever: gives up after max_retries + 1 attempts */
	assert_int_equal(kube_get(c, "/fault/503/forever?n=1000", &j, &err), -1);
	assert_int_equal(hits(c, "GET /fault/503/forever"), 5);
	assert_int_equal(kube_get(c, "/fault/400/x", &j, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_INVALID);
	assert_int_equal(hits(c, "GET /fault/400/x"), 1);
	json_decref(b);
	kube_client_free(c);
}

static void test_dropped_connection(void **state)
{
	(void)state;
	struct kube_client *c = client("token.yaml");
	json_t *j = NULL;
	struct kube_err err;
	int rc = kube_get(c, "/fault/drop/d?n=2", &j, &err);
	if (rc)
		fprintf(stderr, "drop: %s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(json_integer_value(json_object_get(j, "attempts")), 3);
	json_decref(j);
	/* a DELETE whose connection dropped may have been applied: not retried */
	assert_int_equal(kube_request(c, "DELETE", "/fault/drop/del?n=1", NULL, NULL, NULL, &j, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_NETWORK);
	assert_int_equal(hits(c, "DELETE /fault/drop/del"), 1);
	kube_client_free(c);
}

static void test_timeout_and_big_body(void **state)
{
	(void)state;
	struct kube_client *c = client("token.yaml");
	json_t *j = NULL;
	struct kube_err err;
	struct kube_req_opts o = {.timeout_ms = 500, .no_retry = 1};
	int64_t t0 = kube_now_ms();
	assert_int_equal(kube_request(c, "GET", "/fault/slow?ms=3000", NULL, NULL, &o, &j, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_TIMEOUT);
	assert_true(kube_now_ms() - t0 < 2000);
	assert_int_equal(kube_get(c, "/fault/big", &j, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_TOOLARGE);
	assert_null(j);
	kube_client_free(c);
}

static void test_auth_modes(void **state)
{
	(void)state;
	static const char *const ok[] = {"certdata.yaml", "certfile.yaml", "insecure.yaml",
					 "tokenfile.yaml", "exec.yaml", "execcert.yaml"};
	json_t *j = NULL;
	struct kube_err err;
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		struct kube_client *c = client(ok[i]);
		int rc = kube_get(c, "/api/v1/namespaces/ns1/pods/db-0", &j, &err);
		if (rc)
			fprintf(stderr, "%s: %s\n", ok[i], err.msg);
		assert_int_equal(rc, 0);
		json_decref(j);
		kube_client_free(c);
	}
	struct kube_client *c = client("none.yaml");
	assert_int_equal(kube_get(c, "/api/v1/namespaces/ns1/pods/db-0", &j, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_AUTH);
	assert_int_equal(err.http_code, 401);
	kube_client_free(c);
	c = client("wrongca.yaml");
	assert_int_equal(kube_get(c, "/api/v1/namespaces/ns1/pods/db-0", &j, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_NETWORK);
	assert_null(strstr(err.msg, TOKEN));
	kube_client_free(c);
}

static void test_rotation(void **state)
{
	(void)state;
	json_t *j = NULL;
	struct kube_err err;
	struct kube_client *tf = client("tokenfile.yaml");
	struct kube_client *ex = client("exec.yaml");
	char *runs;
	writef("plugin-runs", "%s", "");
	assert_int_equal(kube_get(ex, "/api/v1/namespaces/ns1/pods/db-0", &j, &err), 0);
	json_decref(j);
	assert_int_equal(kube_get(ex, "/api/v1/namespaces/ns1/pods/db-0", &j, &err), 0);
	json_decref(j);
	runs = readf("plugin-runs");
	assert_string_equal(runs, "run\n");   /* cached until expiry or a 401 */
	free(runs);
	/* the cluster rotates the token: file-based and plugin credentials follow */
	writef("tokens", "%s\n", TOKEN2);
	writef("tokfile", "%s\n", TOKEN2);
	writef("plugin-token", "%s\n", TOKEN2);
	assert_int_equal(kube_get(tf, "/api/v1/namespaces/ns1/pods/db-0", &j, &err), 0);
	json_decref(j);
	assert_int_equal(kube_get(ex, "/api/v1/namespaces/ns1/pods/db-0", &j, &err), 0);
	json_decref(j);
	runs = readf("plugin-runs");
	assert_string_equal(runs, "run\nrun\n");
	free(runs);
	writef("tokens", "%s\n%s\n", TOKEN, TOKEN2);
	kube_client_free(tf);
	kube_client_free(ex);
	/* a failing plugin: its output never reaches the message */
	struct kube_client *bad = client("execfail.yaml");
	assert_int_equal(kube_get(bad, "/api/v1/namespaces/ns1/pods/db-0", &j, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_AUTH);
	assert_non_null(strstr(err.msg, "failed (exit status 1)"));
	assert_null(strstr(err.msg, "leaked-plugin-secret"));
	kube_client_free(bad);
}

/* An exec kubeconfig DIR/NAME whose plugin answers expirationTimestamp
 * now + secs (wall clock, RFC 3339). */
static void exec_kubeconfig_expiring(const char *name, long secs)
{
	char when[32], *ca = b64_file("ca.crt");
	time_t t = time(NULL) + secs;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	char *exe = realpath("tests/runtime/exec-plugin.sh", NULL);
	char *cl = xasprintf("    certificate-authority-data: %s\n", ca);
	char *u = xasprintf("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
			    "      command: %s\n      env:\n      - {name: PLUGIN_DIR, value: %s}\n"
			    "      - {name: PLUGIN_EXPIRY, value: \"%s\"}\n", exe, dir, when);
	kubeconfig(name, cl, u);
	free(u);
	free(cl);
	free(exe);
	free(ca);
}

static long plugin_runs(void)
{
	char *runs = readf("plugin-runs");
	long n = 0;
	for (char *p = runs; (p = strstr(p, "run\n")) != NULL; p += 4)
		n++;
	free(runs);
	return n;
}

/* n GETs of one pod; returns how many failed. */
static int get_n(struct kube_client *c, int n, struct kube_err *err)
{
	int failed = 0;
	for (int i = 0; i < n; i++) {
		json_t *j = NULL;
		failed += kube_get(c, "/api/v1/namespaces/ns1/pods/db-0", &j, err) < 0;
		json_decref(j);
	}
	return failed;
}

/* The plugin's credential is cached until its expirationTimestamp: one run
 * for 100 requests, one more once it has expired; a credential that is
 * already expired is refused, not sent. */
static void test_exec_plugin_cache(void **state)
{
	(void)state;
	struct kube_err err;
	writef("tokens", "%s\n", TOKEN);
	writef("plugin-token", "%s\n", TOKEN);
	exec_kubeconfig_expiring("exec-hour.yaml", 3600);
	writef("plugin-runs", "%s", "");
	struct kube_client *c = client("exec-hour.yaml");
	assert_int_equal(get_n(c, 100, &err), 0);
	assert_int_equal(plugin_runs(), 1);
	kube_client_free(c);

	/* a short-lived credential: cached while it lasts, renewed after */
	exec_kubeconfig_expiring("exec-short.yaml", 4);
	writef("plugin-runs", "%s", "");
	c = client("exec-short.yaml");
	assert_int_equal(get_n(c, 50, &err), 0);
	assert_int_equal(plugin_runs(), 1);
	char when[32];
	time_t t = time(NULL) + 3600;
	struct tm tm;
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	writef("plugin-expiry", "%s\n", when);   /* what the next run answers */
	sleep(5);
	assert_int_equal(get_n(c, 50, &err), 0);
	assert_int_equal(plugin_runs(), 2);
	kube_client_free(c);
	writef("plugin-expiry", "%s", "");

	/* expired on arrival: an error naming the plugin and the time */
	exec_kubeconfig_expiring("exec-past.yaml", -3600);
	writef("plugin-runs", "%s", "");
	struct kube_client *tok = client("token.yaml");
	long before = hits(tok, "GET /api/v1/namespaces/ns1/pods/db-0");
	c = client("exec-past.yaml");
	assert_int_equal(get_n(c, 10, &err), 10);
	assert_int_equal(err.cls, KUBE_ERR_AUTH);
	assert_non_null(strstr(err.msg, "already expired"));
	assert_int_equal(hits(tok, "GET /api/v1/namespaces/ns1/pods/db-0"), before);   /* never sent */
	kube_client_free(c);
	kube_client_free(tok);
}

/* What a plugin writes on stderr (here a refresh token) never reaches ours. */
static void test_exec_plugin_stderr(void **state)
{
	(void)state;
	char *logp = xasprintf("%s/stderr.log", dir);
	int saved = dup(2), fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	struct kube_err err;
	json_t *j = NULL;
	assert_true(fd >= 0);
	writef("plugin-runs", "%s", "");
	struct kube_client *c = client("exec.yaml"), *bad = client("execfail.yaml");
	fflush(stderr);
	dup2(fd, 2);
	int rc = kube_get(c, "/api/v1/namespaces/ns1/pods/db-0", &j, &err);
	json_decref(j);
	int rc2 = kube_get(bad, "/api/v1/namespaces/ns1/pods/db-0", &j, &err);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	assert_int_equal(rc, 0);
	assert_int_equal(rc2, -1);
	assert_int_equal(plugin_runs(), 2);
	char *log = readf("stderr.log");
	if (*log)
		fprintf(stderr, "stderr was: %s\n", log);
	assert_null(strstr(log, "rt-plugin-stderr"));
	assert_null(strstr(err.msg, "rt-plugin-stderr"));
	free(log);
	free(logp);
	kube_client_free(c);
	kube_client_free(bad);
}

static void test_dry_run_patch_list(void **state)
{
	(void)state;
	struct kube_client *c = client("token.yaml");
	json_t *j = NULL, *cm = json_pack("{s:s,s:{s:s}}", "kind", "ConfigMap", "metadata", "name", "x");
	struct kube_err err;
	struct kube_req_opts dry = {.dry_run = 1};
	assert_int_equal(kube_create(c, "/api/v1/namespaces/ns1/configmaps", cm, &dry, &j, &err), 0);
	assert_string_equal(sget(json_object_get(j, "metadata"), "annotations", "dryRun"), "All");
	json_decref(j);
	assert_int_equal(kube_create(c, "/api/v1/namespaces/ns1/configmaps", cm, NULL, &j, &err), 0);
	assert_string_equal(sget(json_object_get(j, "metadata"), "annotations", "dryRun"), "");
	json_decref(j);
	assert_int_equal(kube_patch(c, "/api/v1/namespaces/ns1/configmaps/cm", cm, "merge", NULL, &j, &err), 0);
	assert_string_equal(sget(j, "contentType", NULL), "application/merge-patch+json");
	assert_string_equal(sget(json_object_get(j, "patch"), "metadata", "name"), "x");
	json_decref(j);
	assert_int_equal(kube_patch(c, "/x", cm, "bogus", NULL, &j, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_INVALID);
	assert_int_equal(kube_list(c, "/api/v1/namespaces/paged/pods", &j, &err), 0);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 6);
	assert_string_equal(sget(j, "metadata", "resourceVersion"), "102");
	assert_null(json_object_get(json_object_get(j, "metadata"), "continue"));
	json_decref(j);
	json_decref(cm);
	kube_client_free(c);
}

/* Watch callback: stop when pod `want` is Running. */
struct wctx {
	const char *want;
	int listed, synced, added, modified, abort_at;
	int n;
};

static int until_running(void *ctx, enum kube_event_type t, json_t *obj)
{
	struct wctx *w = ctx;
	w->n++;
	if (w->abort_at && w->n >= w->abort_at)
		return -1;
	switch (t) {
	case KUBE_EV_LISTED: w->listed++; break;
	case KUBE_EV_SYNCED: w->synced++; return 0;
	case KUBE_EV_ADDED: w->added++; break;
	case KUBE_EV_MODIFIED: w->modified++; break;
	default: break;
	}
	const char *name = sget(obj, "metadata", "name"), *phase = sget(obj, "status", "phase");
	return name && phase && !strcmp(name, w->want) && !strcmp(phase, "Running");
}

static json_t *watches(struct kube_client *c, const char *ns)
{
	json_t *j = NULL;
	struct kube_err err;
	char *p = xasprintf("/_watches?ns=%s", ns);
	assert_int_equal(kube_get(c, p, &j, &err), 0);
	free(p);
	return j;
}

static void test_watch_events_bookmarks(void **state)
{
	(void)state;
	struct kube_client *c = client("token.yaml");
	struct kube_err err;
	struct kube_watch_stats st;
	struct wctx w = {.want = "db-1"};
	int rc = kube_watch(c, "/api/v1/namespaces/w1/pods", NULL, 10000, until_running, &w, &st, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(w.listed, 1);
	assert_int_equal(w.synced, 1);
	assert_int_equal(w.added, 1);
	assert_int_equal(w.modified, 1);
	assert_int_equal(st.bookmarks, 1);
	assert_string_equal(st.last_rv, "13");
	json_t *ws = watches(c, "w1");
	json_t *first = json_array_get(json_object_get(ws, "watches"), 0);
	assert_string_equal(sget(first, "rv", NULL), "10");
	assert_string_equal(sget(first, "bookmarks", NULL), "true");
	assert_true(atoi(sget(first, "timeoutSeconds", NULL)) <= 11);
	json_decref(ws);
	kube_client_free(c);
}

static void test_watch_gone_relists(void **state)
{
	(void)state;
	static const char *const nss[] = {"w410", "whttp410"};
	for (size_t i = 0; i < 2; i++) {
		struct kube_client *c = client("token.yaml");
		struct kube_err err;
		struct kube_watch_stats st;
		struct wctx w = {.want = "db-0"};
		char *p = xasprintf("/api/v1/namespaces/%s/pods", nss[i]);
		int rc = kube_watch(c, p, NULL, 10000, until_running, &w, &st, &err);
		if (rc)
			fprintf(stderr, "%s: %s\n", nss[i], err.msg);
		assert_int_equal(rc, 0);
		assert_int_equal(st.relists, 1);
		assert_int_equal(w.synced, 2);
		json_t *all = watches(c, nss[i]), *ws = json_object_get(all, "watches");
		assert_int_equal(json_array_size(ws), 2);
		assert_string_equal(sget(json_array_get(ws, 0), "rv", NULL), "10");
		assert_string_equal(sget(json_array_get(ws, 1), "rv", NULL), "20");
		json_decref(all);
		free(p);
		kube_client_free(c);
	}
}

static void test_watch_cut_resumes(void **state)
{
	(void)state;
	struct kube_client *c = client("token.yaml");
	struct kube_err err;
	struct kube_watch_stats st;
	struct wctx w = {.want = "db-1"};
	assert_int_equal(kube_watch(c, "/api/v1/namespaces/wcut/pods", "10", 10000, until_running,
				    &w, &st, &err), 0);
	assert_int_equal(w.listed, 0);   /* an rv was given: no list */
	assert_int_equal(st.resumes, 1);
	assert_int_equal(st.relists, 0);
	assert_int_equal(w.added, 1);
	assert_int_equal(w.modified, 1);
	json_t *ws = watches(c, "wcut");
	assert_string_equal(sget(json_array_get(json_object_get(ws, "watches"), 1), "rv", NULL), "11");
	json_decref(ws);
	kube_client_free(c);
}

static void test_watch_poll_fallback(void **state)
{
	(void)state;
	struct kube_client *c = client("token.yaml");
	struct kube_err err;
	struct kube_watch_stats st;
	struct wctx w = {.want = "db-1"};
	int rc = kube_watch(c, "/api/v1/namespaces/wdead/pods", NULL, 20000, until_running, &w, &st, &err);
	if (rc)
		fprintf(stderr, "wdead: %s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_true(st.polls >= 1);
	assert_int_equal(w.listed, 3);
	kube_client_free(c);
}

static void test_watch_deadline_and_abort(void **state)
{
	(void)state;
	struct kube_client *c = client("token.yaml");
	struct kube_err err;
	struct kube_watch_stats st;
	struct wctx w = {.want = "never"};
	int64_t t0 = kube_now_ms();
	assert_int_equal(kube_watch(c, "/api/v1/namespaces/wtimeout/pods", NULL, 1500, until_running,
				    &w, &st, &err), -1);
	int64_t ms = kube_now_ms() - t0;
	assert_int_equal(err.cls, KUBE_ERR_TIMEOUT);
	assert_true(ms >= 1400 && ms < 4000);
	assert_true(st.bookmarks >= 2);
	struct wctx a = {.want = "db-1", .abort_at = 2};
	assert_int_equal(kube_watch(c, "/api/v1/namespaces/w1/pods", NULL, 5000, until_running,
				    &a, &st, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_ABORTED);
	kube_client_free(c);
}

/* The client's notices ("...; retrying"), for the tests. */
static char notices[2048];
static void on_notice(void *ctx, const char *msg)
{
	(void)ctx;
	size_t n = strlen(notices);
	snprintf(notices + n, sizeof notices - n, "%s\n", msg);
}

/* A client for DIR/kc with short connect and first-byte timeouts. */
static struct kube_client *quick_client(const char *kc, const char *portfile)
{
	struct kube_client *c = NULL;
	struct kube_err err;
	char *ca = b64_file("ca.crt"), *cl = xasprintf("    certificate-authority-data: %s\n", ca);
	char *pf = readf(portfile);
	int saved = port;
	port = atoi(pf);
	kubeconfig(kc, cl, "    token: " TOKEN "\n");
	port = saved;
	char *p = xasprintf("%s/%s", dir, kc);
	struct kube_config_opts o = {.kubeconfig = p, .timeout_ms = 10000, .connect_timeout_ms = 1000,
				     .first_byte_timeout_ms = 1000, .notice = on_notice};
	assert_int_equal(kube_client_new(&c, &o, &err), 0);
	free(p);
	free(pf);
	free(cl);
	free(ca);
	return c;
}

/* A server that accepts TCP (or completes TLS) and never answers costs two
 * short timeouts and one "retrying" notice; a mutation is not cut by the
 * first-byte limit; a watch's stream is not bounded by it either. */
static void test_stalled_server(void **state)
{
	(void)state;
	struct kube_err err;
	json_t *j = NULL;
	static const char *const cases[][3] = {
		{"stall-tcp.yaml", "port-stall-tcp", "accepted the connection but did not complete TLS within 1 s"},
		{"stall-tls.yaml", "port-stall-tls", "completed TLS: GET '/api/v1/namespaces/ns1/pods/db-0', but no reply came within 1 s"},
	};
	for (size_t i = 0; i < 2; i++) {
		struct kube_client *c = quick_client(cases[i][0], cases[i][1]);
		notices[0] = 0;
		int64_t t0 = kube_now_ms();
		assert_int_equal(kube_get(c, "/api/v1/namespaces/ns1/pods/db-0", &j, &err), -1);
		int64_t ms = kube_now_ms() - t0;
		if (!strstr(err.msg, cases[i][2]))
			fprintf(stderr, "%s: %s\n", cases[i][0], err.msg);
		assert_non_null(strstr(err.msg, cases[i][2]));
		assert_non_null(strstr(err.msg, "(2 attempts)"));
		assert_int_equal(err.cls, KUBE_ERR_TIMEOUT);
		assert_true(ms >= 1900 && ms < 4500);
		assert_non_null(strstr(notices, "; retrying\n"));
		assert_null(strstr(strstr(notices, "; retrying\n") + 1, "; retrying\n"));   /* once */
		kube_client_free(c);
	}
	/* a mutation waits for its own timeout, and is not sent twice */
	struct kube_client *c = quick_client("stall-tls.yaml", "port-stall-tls");
	struct kube_req_opts o = {.timeout_ms = 2500};
	json_t *b = json_object();
	notices[0] = 0;
	int64_t t0 = kube_now_ms();
	assert_int_equal(kube_create(c, "/api/v1/namespaces/ns1/configmaps", b, &o, &j, &err), -1);
	assert_true(kube_now_ms() - t0 >= 2400);
	assert_string_equal(notices, "");
	json_decref(b);
	kube_client_free(c);
	/* a live server slower than the first-byte limit on a read: cut; a
	 * watch whose stream outlives it: fine */
	c = quick_client("quick.yaml", "port");
	assert_int_equal(kube_get(c, "/fault/slow?ms=2500", &j, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_TIMEOUT);
	struct kube_watch_stats st;
	struct wctx w = {.want = "never"};
	assert_int_equal(kube_watch(c, "/api/v1/namespaces/wtimeout/pods", NULL, 3000, until_running,
				    &w, &st, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_TIMEOUT);
	assert_non_null(strstr(err.msg, "condition not met within 3000 ms"));
	assert_true(st.bookmarks >= 5);
	assert_int_equal(st.resumes, 0);
	kube_client_free(c);
}

/* 401 names the user and context whose credential was refused; 403 names
 * the permission (kubectl's own wording is kept when it does). */
static void test_denied_messages(void **state)
{
	(void)state;
	struct kube_err err;
	json_t *j = NULL, *b = json_object();
	kubeconfig("wrongtok.yaml", "    insecure-skip-tls-verify: true\n", "    token: not-" TOKEN "\n");
	struct kube_client *c = client("wrongtok.yaml");
	assert_int_equal(kube_get(c, "/api/v1/namespaces/ns1", &j, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_AUTH);
	char *want = xasprintf("the credential of user 'u' in context 't' (token) was rejected by "
			       "https://127.0.0.1:%d (401 Unauthorized)", port);
	assert_string_equal(err.msg, want);
	free(want);
	kube_client_free(c);
	c = client("none.yaml");
	assert_int_equal(kube_get(c, "/api/v1/namespaces/ns1", &j, &err), -1);
	assert_non_null(strstr(err.msg, "user 'u' in context 't' has no credential"));
	kube_client_free(c);
	c = client("token.yaml");
	assert_int_equal(kube_get(c, "/api/v1/namespaces/rbac/pods/db-0", &j, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_FORBIDDEN);
	assert_string_equal(err.msg, "pods \"db-0\" is forbidden: User \"alice\" cannot get resource "
			    "\"pods\" in API group \"\" in the namespace \"rbac\"");
	assert_int_equal(kube_create(c, "/apis/apps/v1/namespaces/rbac-bare/statefulsets", b, NULL, &j, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_FORBIDDEN);
	assert_non_null(strstr(err.msg, "forbidden: user 'u' in context 't' may not create statefulsets "
				       "in API group \"apps\" in namespace rbac-bare on https://"));
	const char *const argv[] = {"true", NULL};
	int code;
	assert_int_equal(kube_exec(c, "rbac-bare", "db-0", NULL, argv, 5000, NULL, NULL, &code, &err), -1);
	assert_non_null(strstr(err.msg, "may not create pods/exec in namespace rbac-bare"));
	json_decref(b);
	kube_client_free(c);
}

static void test_proxy(void **state)
{
	(void)state;
	struct kube_client *c = client("token.yaml");
	struct kube_err err;
	long code;
	char *body = NULL;
	assert_int_equal(kube_proxy(c, NULL, "db-0", 8008, "GET", "patroni", NULL, NULL, &code, &body, &err), 0);
	assert_int_equal(code, 200);
	assert_non_null(strstr(body, "\"master\""));
	free(body);
	/* Patroni's 503 is an answer, not a failure, and is not retried */
	assert_int_equal(kube_proxy(c, "ns1", "db-1", 8008, "GET", "/primary", NULL, NULL, &code, &body, &err), 0);
	assert_int_equal(code, 503);
	assert_non_null(strstr(body, "replica"));
	free(body);
	assert_int_equal(hits(c, "GET /api/v1/namespaces/ns1/pods/db-1:8008/proxy/primary"), 1);
	assert_int_equal(kube_proxy(c, NULL, "db-0", 8008, "POST", "switchover", "{\"leader\":\"db-0\"}",
				    NULL, &code, &body, &err), 0);
	assert_string_equal(body, "Successfully switched over to \"db-1\"");
	free(body);
	/* but the API server's own 503 (a Status) is retried for a GET */
	assert_int_equal(kube_proxy(c, NULL, "flaky", 8008, "GET", "patroni", NULL, NULL, &code, &body, &err), 0);
	assert_int_equal(code, 200);
	free(body);
	assert_int_equal(hits(c, "GET /api/v1/namespaces/ns1/pods/flaky:8008/proxy/patroni"), 2);
	assert_int_equal(kube_proxy(c, NULL, "gone", 8008, "GET", "patroni", NULL, NULL, &code, &body, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_NOTFOUND);
	assert_string_equal(err.msg, "pods \"gone\" not found");
	kube_client_free(c);
}

static void test_exec(void **state)
{
	(void)state;
	struct kube_client *c = client("token.yaml");
	struct kube_err err;
	char *out = NULL, *errs = NULL;
	int code = -1;
	const char *const ok[] = {"sh", "-c", "echo hi there", NULL};
	const char *const fail[] = {"fail", NULL};
	const char *const big[] = {"big", NULL};
	int rc = kube_exec(c, NULL, "db-0", "postgres", ok, 5000, &out, &errs, &code, &err);
	if (rc)
		fprintf(stderr, "exec: %s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(code, 0);
	assert_non_null(strstr(out, "argv=[\"sh\", \"-c\", \"echo hi there\"] proto=v5.channel.k8s.io\n"));
	assert_non_null(strstr(out, "pong-ok\n"));
	assert_string_equal(errs, "warn\n");
	free(out);
	free(errs);
	/* a 503 before the upgrade: the command never started, so try again */
	assert_int_equal(kube_exec(c, NULL, "db-flaky", NULL, ok, 5000, &out, NULL, &code, &err), 0);
	assert_int_equal(code, 0);
	free(out);
	assert_int_equal(hits(c, "GET /api/v1/namespaces/ns1/pods/db-flaky/exec"), 2);
	assert_int_equal(kube_exec(c, NULL, "db-v4", NULL, ok, 5000, &out, NULL, &code, &err), 0);
	assert_non_null(strstr(out, "proto=v4.channel.k8s.io\n"));
	assert_int_equal(code, 0);
	free(out);
	assert_int_equal(kube_exec(c, NULL, "db-0", NULL, fail, 5000, &out, NULL, &code, &err), 0);
	assert_int_equal(code, 3);
	free(out);
	assert_int_equal(kube_exec(c, NULL, "db-0", NULL, big, 5000, &out, NULL, &code, &err), 0);
	assert_true(strlen(out) > 70000);
	free(out);
	assert_int_equal(kube_exec(c, NULL, "nopod", NULL, ok, 5000, &out, NULL, &code, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_NOTFOUND);
	assert_string_equal(err.msg, "pods \"nopod\" not found");
	kube_client_free(c);
}

static void test_debug_log_has_no_secrets(void **state)
{
	(void)state;
	char *logp = xasprintf("%s/debug.log", dir);
	int saved = dup(2), fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	json_t *j = NULL;
	struct kube_err err;
	const char *const argv[] = {"true", NULL};
	char *out = NULL;
	int code;
	assert_true(fd >= 0);
	setenv("OPSPLAN_DEBUG_HTTP", "1", 1);
	struct kube_client *c = client("token.yaml");
	struct kube_client *e = client("exec.yaml");
	unsetenv("OPSPLAN_DEBUG_HTTP");
	fflush(stderr);
	dup2(fd, 2);
	kube_get(c, "/api/v1/namespaces/ns1/pods/db-0", &j, &err);
	json_decref(j);
	kube_get(c, "/api/v1/namespaces/ns1/pods/missing", &j, &err);
	kube_get(e, "/api/v1/namespaces/ns1/pods/db-0", &j, &err);
	json_decref(j);
	kube_exec(c, NULL, "db-0", NULL, argv, 5000, &out, NULL, &code, &err);
	free(out);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	char *log = readf("debug.log");
	assert_non_null(strstr(log, "opsplan: http GET https://127.0.0.1:"));
	assert_non_null(strstr(log, "-> 404"));
	assert_non_null(strstr(log, "EXEC"));
	assert_null(strstr(log, TOKEN));
	assert_null(strstr(log, TOKEN2));
	assert_null(strstr(log, "Bearer"));
	assert_null(strstr(log, "Authorization"));
	free(log);
	free(logp);
	kube_client_free(c);
	kube_client_free(e);
}

/* --kubeconfig FILE [--context C] [-n NS] [--watch-ms MS] [--proxy POD]
 * [--exec POD]: list and watch the namespace's pods for MS (3000) ms; GET
 * Patroni's /patroni through the pod proxy; run `echo` in the pod. */
static int count_events(void *ctx, enum kube_event_type t, json_t *obj)
{
	static const char *const names[] = {"LISTED", "SYNCED", "ADDED", "MODIFIED", "DELETED"};
	(*(int *)ctx)++;
	printf("%-8s %s\n", names[t], obj ? sget(obj, "metadata", "name") : "");
	return 0;
}

static int smoke_proxy_exec(struct kube_client *c, const char *proxy, const char *exec)
{
	struct kube_err err;
	int fail = 0;
	if (proxy) {
		long code = 0;
		char *body = NULL;
		if (kube_proxy(c, NULL, proxy, 8008, "GET", "patroni", NULL, NULL, &code, &body, &err) < 0) {
			printf("proxy %s: error %s: %s\n", proxy, kube_err_class_name(err.cls), err.msg);
			fail = 1;
		} else {
			json_t *j = json_loads(body, 0, NULL);
			printf("proxy %s: HTTP %ld role=%s\n", proxy, code, j ? sget(j, "role", NULL) : "?");
			json_decref(j);
		}
		free(body);
	}
	if (exec) {
		const char *const argv[] = {"sh", "-c", "echo exec-ok; echo to-stderr >&2; exit 7", NULL};
		char *out = NULL, *errs = NULL;
		int code = -1;
		if (kube_exec(c, NULL, exec, NULL, argv, 20000, &out, &errs, &code, &err) < 0) {
			printf("exec %s: error %s: %s\n", exec, kube_err_class_name(err.cls), err.msg);
			fail = 1;
		} else {
			printf("exec %s: exit %d stdout=%s stderr=%s", exec, code, out, errs);
		}
		free(out);
		free(errs);
	}
	return fail;
}

static int smoke(int argc, char **argv)
{
	struct kube_config_opts o = {0};
	struct kube_client *c = NULL;
	struct kube_err err;
	struct kube_watch_stats st;
	const char *proxy = NULL, *exec = NULL;
	long watch_ms = 3000;
	int n = 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--kubeconfig")) o.kubeconfig = argv[i + 1];
		else if (!strcmp(argv[i], "--context")) o.context = argv[i + 1];
		else if (!strcmp(argv[i], "-n")) o.namespace_ = argv[i + 1];
		else if (!strcmp(argv[i], "--proxy")) proxy = argv[i + 1];
		else if (!strcmp(argv[i], "--exec")) exec = argv[i + 1];
		else if (!strcmp(argv[i], "--watch-ms")) watch_ms = atol(argv[i + 1]);
		else {
			fprintf(stderr, "usage: test_kube_http --kubeconfig FILE [--context C] [-n NS] "
				"[--watch-ms MS] [--proxy POD] [--exec POD]\n");
			return 2;
		}
	}
	if (kube_client_new(&c, &o, &err) < 0) {
		fprintf(stderr, "smoke: %s\n", err.msg);
		return 1;
	}
	printf("server %s context %s namespace %s\n", kube_server(c), kube_context(c), kube_namespace(c));
	char *p = kube_kind_path(c, "Pod", NULL, NULL, NULL);
	int rc = kube_watch(c, p, NULL, watch_ms, count_events, &n, &st, &err);
	free(p);
	if (rc < 0 && err.cls != KUBE_ERR_TIMEOUT) {
		fprintf(stderr, "smoke: %s error: %s\n", kube_err_class_name(err.cls), err.msg);
		kube_client_free(c);
		return 1;
	}
	printf("watch ok: %d callbacks, %u events, %u bookmarks, %u relists, %u resumes, %u polls, rv %s\n",
	       n, st.events, st.bookmarks, st.relists, st.resumes, st.polls, st.last_rv);
	rc = smoke_proxy_exec(c, proxy, exec);
	kube_client_free(c);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return smoke(argc, argv);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_and_namespace),
		cmocka_unit_test(test_text_stream_and_escaped_names),
		cmocka_unit_test(test_status_messages),
		cmocka_unit_test(test_retry_after_429),
		cmocka_unit_test(test_retry_5xx_only_when_safe),
		cmocka_unit_test(test_dropped_connection),
		cmocka_unit_test(test_timeout_and_big_body),
		cmocka_unit_test(test_auth_modes),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_exec_plugin_cache),
		cmocka_unit_test(test_exec_plugin_stderr),
		cmocka_unit_test(test_dry_run_patch_list),
		cmocka_unit_test(test_watch_events_bookmarks),
		cmocka_unit_test(test_watch_gone_relists),
		cmocka_unit_test(test_watch_cut_resumes),
		cmocka_unit_test(test_watch_poll_fallback),
		cmocka_unit_test(test_watch_deadline_and_abort),
		cmocka_unit_test(test_stalled_server),
		cmocka_unit_test(test_denied_messages),
		cmocka_unit_test(test_proxy),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_debug_log_has_no_secrets),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
