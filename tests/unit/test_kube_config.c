/* test_kube_config.c - kubeconfig resolution (explicit file, KUBECONFIG
 * merge where the first file wins, ~/.kube/config, in-cluster), the
 * credentials it yields (tokenFile, exec plugins v1/v1beta1, expiry cache),
 * Status messages, kind paths and redaction.  Fixtures: tests/runtime/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kube.h"
#include "kube_int.h"
#include "mem.h"
#include "redact.h"

#define KC "tests/runtime/kubeconfig"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	unsetenv("KUBECONFIG");
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	setenv("HOME", KC "/emptyhome", 1);
	return 0;
}

static int load(struct kube_cfg *cfg, const char *env, const char *file, const char *ctx,
		const char *ns, struct kube_err *err)
{
	struct kube_config_opts o = {.kubeconfig = file, .context = ctx, .namespace_ = ns};
	if (env)
		setenv("KUBECONFIG", env, 1);
	else
		unsetenv("KUBECONFIG");
	return kube_cfg_load(cfg, &o, err);
}

static void test_merge_first_wins(void **state)
{
	(void)state;
	struct kube_cfg cfg;
	struct kube_err err;
	assert_int_equal(load(&cfg, KC "/a.yaml:" KC "/sub/b.yaml", NULL, NULL, NULL, &err), 0);
	assert_string_equal(cfg.context, "ctx-a");
	assert_string_equal(cfg.server, "https://a.example:6443");   /* trailing '/' dropped */
	assert_string_equal(cfg.namespace_, "team-a");
	assert_string_equal(cfg.ca_file, KC "/certs/ca.pem");       /* relative to a.yaml */
	assert_string_equal(cfg.token, "tok-a-123456");
	assert_int_equal(cfg.insecure, 0);
	kube_cfg_release(&cfg);

	/* the other order: b's current-context, b's c1 */
	assert_int_equal(load(&cfg, KC "/sub/b.yaml:" KC "/a.yaml", NULL, NULL, NULL, &err), 0);
	assert_string_equal(cfg.context, "ctx-b");
	assert_string_equal(cfg.server, "https://c2.example:8443");
	assert_string_equal(cfg.namespace_, "default");
	assert_int_equal(cfg.insecure, 1);
	assert_null(cfg.token);
	assert_string_equal(cfg.token_file, KC "/sub/tok");         /* relative to b.yaml */
	assert_string_equal(cfg.cert_file, KC "/sub/client.crt");
	assert_string_equal(cfg.key_file, "/abs/client.key");
	kube_cfg_release(&cfg);

	/* a name defined in both files keeps the first definition */
	assert_int_equal(load(&cfg, KC "/a.yaml:" KC "/sub/b.yaml", NULL, "ctx-shared", NULL, &err), 0);
	assert_string_equal(cfg.namespace_, "from-a");
	kube_cfg_release(&cfg);
	assert_int_equal(load(&cfg, KC "/sub/b.yaml:" KC "/a.yaml", NULL, "ctx-a", NULL, &err), 0);
	assert_string_equal(cfg.server, "https://b.example");       /* b's c1 */
	kube_cfg_release(&cfg);

	/* missing files in KUBECONFIG are skipped, empty entries too */
	assert_int_equal(load(&cfg, "/nonexistent::" KC "/a.yaml", NULL, NULL, NULL, &err), 0);
	assert_string_equal(cfg.context, "ctx-a");
	kube_cfg_release(&cfg);
}

static void test_explicit_context_namespace(void **state)
{
	(void)state;
	struct kube_cfg cfg;
	struct kube_err err;
	/* --kubeconfig beats KUBECONFIG; -n beats the context's namespace */
	assert_int_equal(load(&cfg, KC "/sub/b.yaml", KC "/a.yaml", NULL, "cli-ns", &err), 0);
	assert_string_equal(cfg.context, "ctx-a");
	assert_string_equal(cfg.namespace_, "cli-ns");
	kube_cfg_release(&cfg);
	assert_int_equal(load(&cfg, NULL, KC "/missing.yaml", NULL, NULL, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "cannot read '" KC "/missing.yaml'"));
	assert_int_equal(load(&cfg, NULL, KC "/a.yaml", "nope", NULL, &err), -1);
	assert_string_equal(err.msg, "context 'nope' not found in '" KC "/a.yaml'");
	assert_int_equal(load(&cfg, NULL, KC "/sub/b.yaml", "ctx-nouser", NULL, &err), -1);
	assert_string_equal(err.msg, "context 'ctx-nouser': user 'ghost' not found");
	assert_int_equal(load(&cfg, NULL, KC "/sub/b.yaml", "ctx-old", NULL, &err), -1);
	assert_non_null(strstr(err.msg, "apiVersion 'client.authentication.k8s.io/v1alpha1' is not supported"));
	assert_int_equal(load(&cfg, NULL, KC "/sub/b.yaml", "ctx-proxy", NULL, &err), -1);
	assert_string_equal(err.msg, "cluster 'c-proxy': proxy-url is not supported; "
			    "set HTTPS_PROXY (and NO_PROXY) instead");
	assert_int_equal(load(&cfg, NULL, KC "/sub/b.yaml", "ctx-halfcert", NULL, &err), -1);
	assert_string_equal(err.msg, "user 'u-halfcert': a client certificate needs both the "
			    "certificate and the key");
	/* files named in the config are checked when the client is made */
	struct kube_client *kc = NULL;
	struct kube_config_opts ko = {.kubeconfig = KC "/a.yaml"};
	assert_int_equal(kube_client_new(&kc, &ko, &err), -1);
	assert_null(kc);
	assert_int_equal(err.cls, KUBE_ERR_CONFIG);
	assert_string_equal(err.msg, "certificate-authority '" KC "/certs/ca.pem': "
			    "No such file or directory");
	ko.kubeconfig = KC "/data.json";
	assert_int_equal(kube_client_new(&kc, &ko, &err), 0);
	assert_string_equal(kube_server(kc), "https://d.example");
	assert_string_equal(kube_namespace(kc), "default");
	assert_string_equal(kube_context(kc), "d");
	kube_client_free(kc);
	assert_int_equal(load(&cfg, NULL, KC "/nocurrent.yaml", NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "has no current-context"));
	assert_int_equal(load(&cfg, NULL, KC "/bad.yaml", NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "'" KC "/bad.yaml':"));
	/* JSON is YAML: -data wins over the file; bad base64 is an error */
	assert_int_equal(load(&cfg, NULL, KC "/data.json", NULL, NULL, &err), 0);
	assert_string_equal((char *)cfg.ca.data, "hello ca");
	assert_null(cfg.ca_file);
	assert_string_equal((char *)cfg.cert.data, "cert");
	assert_int_equal(cfg.key.len, strlen("key-data-secret"));
	kube_cfg_release(&cfg);
	assert_int_equal(load(&cfg, NULL, KC "/data.json", "bad", NULL, &err), -1);
	assert_string_equal(err.msg, "user 'client-key-data' is not valid base64");
}

static void test_home_and_incluster(void **state)
{
	(void)state;
	struct kube_cfg cfg;
	struct kube_err err;
	struct kube_config_opts o = {.incluster_root = "tests/runtime/incluster"};

	setenv("HOME", KC "/home", 1);
	assert_int_equal(load(&cfg, NULL, NULL, NULL, NULL, &err), 0);
	assert_string_equal(cfg.server, "https://home.example");
	kube_cfg_release(&cfg);

	/* nothing found, not in a cluster */
	setenv("HOME", KC "/emptyhome", 1);
	assert_int_equal(kube_cfg_load(&cfg, &o, &err), -1);
	assert_non_null(strstr(err.msg, "no kubeconfig found"));

	/* nothing found, in a cluster: the service account */
	setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	assert_int_equal(kube_cfg_load(&cfg, &o, &err), 0);
	assert_string_equal(cfg.server, "https://10.0.0.1:443");
	assert_string_equal(cfg.namespace_, "team-x");
	assert_string_equal(cfg.token_file, "tests/runtime/incluster/token");
	assert_string_equal(cfg.ca_file, "tests/runtime/incluster/ca.crt");
	assert_string_equal(cfg.context, "");
	kube_cfg_release(&cfg);

	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	o.incluster_root = "tests/runtime/incluster-nons";
	o.namespace_ = NULL;
	assert_int_equal(kube_cfg_load(&cfg, &o, &err), 0);
	assert_string_equal(cfg.server, "https://[fd00::1]:443");
	assert_string_equal(cfg.namespace_, "default");
	kube_cfg_release(&cfg);

	/* in_cluster forces it even when a kubeconfig exists */
	setenv("HOME", KC "/home", 1);
	o.in_cluster = 1;
	o.namespace_ = "override";
	assert_int_equal(kube_cfg_load(&cfg, &o, &err), 0);
	assert_string_equal(cfg.namespace_, "override");
	struct kube_cred cred = {0};
	assert_int_equal(kube_cred_get(&cred, &cfg, &err), 0);
	assert_string_equal(cred.token, "sa-token-abcdef");   /* trimmed */
	kube_cred_release(&cred);
	kube_cfg_release(&cfg);

	o.incluster_root = "tests/runtime/nonexistent";
	assert_int_equal(kube_cfg_load(&cfg, &o, &err), -1);
	assert_non_null(strstr(err.msg, "in-cluster: cannot read 'tests/runtime/nonexistent/token'"));
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	setenv("HOME", KC "/emptyhome", 1);
}

static char *slurp(const char *p)
{
	FILE *f = fopen(p, "r");
	char buf[256] = "";
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = 0;
	return xstrdup(buf);
}

static void put(const char *p, const char *s)
{
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static void test_exec_plugin(void **state)
{
	(void)state;
	struct kube_cfg cfg;
	struct kube_err err;
	struct kube_cred cred = {0};
	snprintf(tmpdir, sizeof tmpdir, "/tmp/opsplan-kcfg-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	char *tokp = xasprintf("%s/plugin-token", tmpdir), *runsp = xasprintf("%s/plugin-runs", tmpdir);
	put(tokp, "plugin-tok-777777\n");
	setenv("PLUGIN_DIR", tmpdir, 1);

	/* v1, relative command, env from the kubeconfig: a credential that
	 * arrives already expired is refused, not used */
	assert_int_equal(load(&cfg, NULL, KC "/sub/b.yaml", "ctx-exec", NULL, &err), 0);
	assert_string_equal(cfg.exec->command, KC "/sub/../../exec-plugin.sh");
	assert_int_equal(kube_cred_get(&cred, &cfg, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_AUTH);
	assert_non_null(strstr(err.msg, "already expired (expirationTimestamp '2000-01-01T00:00:00Z')"));
	assert_null(cred.token);
	char *runs = slurp(runsp);
	assert_string_equal(runs, "run\n");
	free(runs);
	kube_cred_release(&cred);
	kube_cfg_release(&cfg);

	/* v1beta1 through PATH ("sh"), not expired: cached; a 401 invalidates */
	unlink(runsp);
	char *script = realpath("tests/runtime/exec-plugin.sh", NULL);
	setenv("PLUGIN_SCRIPT", script, 1);
	assert_int_equal(load(&cfg, NULL, KC "/sub/b.yaml", "ctx-exec-beta", NULL, &err), 0);
	assert_int_equal(kube_cred_get(&cred, &cfg, &err), 0);
	assert_int_equal(kube_cred_get(&cred, &cfg, &err), 0);
	runs = slurp(runsp);
	assert_string_equal(runs, "run\n");
	free(runs);
	assert_true(cred.expires_ms > 0);
	kube_cred_invalidate(&cred);
	put(tokp, "plugin-tok-888888\n");
	assert_int_equal(kube_cred_get(&cred, &cfg, &err), 0);
	assert_string_equal(cred.token, "plugin-tok-888888");
	/* what the plugin printed is a secret from then on */
	char *r = redact_text("saw plugin-tok-888888 here");
	assert_string_equal(r, "saw " REDACTED " here");
	free(r);
	kube_cred_release(&cred);

	/* a plugin that is not there */
	free(cfg.exec->command);
	cfg.exec->command = xstrdup("opsplan-no-such-plugin");
	assert_int_equal(kube_cred_get(&cred, &cfg, &err), -1);
	assert_int_equal(err.cls, KUBE_ERR_AUTH);
	assert_string_equal(err.msg, "exec plugin 'opsplan-no-such-plugin' not found in PATH");
	kube_cfg_release(&cfg);

	/* tokenFile is re-read on each use */
	char *tf = xasprintf("%s/tok", tmpdir);
	struct kube_cfg tcfg = {.token_file = tf};
	put(tf, "first-token-aaaa\n");
	assert_int_equal(kube_cred_get(&cred, &tcfg, &err), 0);
	assert_string_equal(cred.token, "first-token-aaaa");
	put(tf, "second-token-bbbb");
	assert_int_equal(kube_cred_get(&cred, &tcfg, &err), 0);
	assert_string_equal(cred.token, "second-token-bbbb");
	put(tf, "\n");
	assert_int_equal(kube_cred_get(&cred, &tcfg, &err), -1);
	assert_non_null(strstr(err.msg, "is empty"));
	kube_cred_release(&cred);

	char *cmd = xasprintf("rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(tf);
	free(script);
	free(tokp);
	free(runsp);
	unsetenv("PLUGIN_DIR");
}

static void test_status_and_kinds(void **state)
{
	(void)state;
	struct kube_err err;
	const char *conflict = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
		"\"message\":\"Operation cannot be fulfilled on pods \\\"db-0\\\": the object has been "
		"modified\",\"reason\":\"Conflict\",\"code\":409}";
	kube_status_to_err(&err, 409, conflict, strlen(conflict));
	assert_int_equal(err.cls, KUBE_ERR_CONFLICT);
	assert_string_equal(err.reason, "Conflict");
	assert_string_equal(err.msg, "conflict: Operation cannot be fulfilled on pods \"db-0\": "
			    "the object has been modified");
	const char *exists = "{\"kind\":\"Status\",\"message\":\"configmaps \\\"x\\\" already exists\","
		"\"reason\":\"AlreadyExists\",\"code\":409}";
	kube_status_to_err(&err, 409, exists, strlen(exists));
	assert_int_equal(err.cls, KUBE_ERR_CONFLICT);
	assert_string_equal(err.reason, "AlreadyExists");
	assert_string_equal(err.msg, "configmaps \"x\" already exists");
	const char *html = "<html>Bad Gateway</html>\nmore";
	kube_status_to_err(&err, 502, html, strlen(html));
	assert_int_equal(err.cls, KUBE_ERR_SERVER);
	assert_string_equal(err.msg, "bad gateway (HTTP 502): <html>Bad Gateway</html>");
	kube_status_to_err(&err, 403, "", 0);
	assert_int_equal(err.cls, KUBE_ERR_FORBIDDEN);
	assert_string_equal(err.msg, "forbidden (HTTP 403)");
	kube_status_to_err(&err, 422, "{\"kind\":\"Status\",\"reason\":\"Invalid\"}", 36);
	assert_int_equal(err.cls, KUBE_ERR_INVALID);
	assert_string_equal(err.msg, "invalid (HTTP 422 Invalid)");
	assert_string_equal(kube_err_class_name(KUBE_ERR_GONE), "gone");

	char *p;
	p = kube_kind_path(NULL, "Pod", "ns", "db-0", "status");
	assert_string_equal(p, "/api/v1/namespaces/ns/pods/db-0/status");
	free(p);
	p = kube_kind_path(NULL, "StatefulSet", "ns", NULL, NULL);
	assert_string_equal(p, "/apis/apps/v1/namespaces/ns/statefulsets");
	free(p);
	p = kube_kind_path(NULL, "buildconfigs", "ns", "pg", "instantiate");
	assert_string_equal(p, "/apis/build.openshift.io/v1/namespaces/ns/buildconfigs/pg/instantiate");
	free(p);
	p = kube_kind_path(NULL, "ImageStreamTag", "ns", "patroni:2.0.1", NULL);
	assert_string_equal(p, "/apis/image.openshift.io/v1/namespaces/ns/imagestreamtags/patroni:2.0.1");
	free(p);
	p = kube_kind_path(NULL, "Namespace", NULL, "ns", NULL);
	assert_string_equal(p, "/api/v1/namespaces/ns");
	free(p);
	assert_null(kube_kind_path(NULL, "Pod", NULL, "x", NULL));     /* no namespace */
	assert_null(kube_kind_path(NULL, "Gadget", "ns", NULL, NULL));
}

static void test_redaction(void **state)
{
	(void)state;
	static const struct { const char *in, *out; } cases[] = {
		{"Authorization: Bearer abc.def\r\nHost: x", "Authorization: " REDACTED "\r\nHost: x"},
		{"curl said bearer eyJhbGciOi and stopped", "curl said Bearer " REDACTED " and stopped"},
		{"{\"token\": \"s3cr3t\", \"name\": \"x\"}", "{\"token\": \"" REDACTED "\", \"name\": \"x\"}"},
		{"password=hunter2&user=bob", "password=" REDACTED "&user=bob"},
		{"client-key-data: LS0tLS1CRUdJTg==", "client-key-data: " REDACTED},
		{"a -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- b",
		 "a " REDACTED " b"},
		{"tokenizer: fine, mytoken=keep", "tokenizer: fine, mytoken=keep"},
		{"pods \"db-0\" not found", "pods \"db-0\" not found"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *r = redact_text(cases[i].in);
		assert_string_equal(r, cases[i].out);
		free(r);
	}
	redact_add_secret("registered-secret-42");
	redact_add_secret("abc");    /* too short to register */
	char *r = redact_text("x registered-secret-42 y registered-secret-42 abc");
	assert_string_equal(r, "x " REDACTED " y " REDACTED " abc");
	free(r);
	char small[12];
	redact_into(small, sizeof small, "registered-secret-42 and more");
	assert_string_equal(small, REDACTED " ");
	assert_null(redact_text(NULL));
	redact_reset();
	r = redact_text("registered-secret-42");
	assert_string_equal(r, "registered-secret-42");
	free(r);
}

static void test_backoff(void **state)
{
	(void)state;
	for (int i = 0; i < 50; i++) {
		long b0 = kube_http_backoff_ms(0, -1), b3 = kube_http_backoff_ms(3, -1);
		long b9 = kube_http_backoff_ms(9, -1);
		assert_true(b0 >= 100 && b0 <= 200);      /* base 200 ms, half jittered */
		assert_true(b3 >= 800 && b3 <= 1600);
		assert_true(b9 >= 2500 && b9 <= 5000);    /* capped at 5 s */
	}
	assert_int_equal(kube_http_backoff_ms(0, 2), 2000);   /* Retry-After wins */
	assert_int_equal(kube_http_backoff_ms(0, 0), 0);
	assert_int_equal(kube_http_backoff_ms(5, 3600), 30000);  /* capped at 30 s */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_merge_first_wins, setup),
		cmocka_unit_test_setup(test_explicit_context_namespace, setup),
		cmocka_unit_test_setup(test_home_and_incluster, setup),
		cmocka_unit_test_setup(test_exec_plugin, setup),
		cmocka_unit_test(test_status_and_kinds),
		cmocka_unit_test(test_redaction),
		cmocka_unit_test(test_backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
