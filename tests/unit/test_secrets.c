/* test_secrets.c - sensitive values (issue 12): the PBKDF2 digest the IR
 * keeps (RFC 7914 section 11 vectors), verification, the secret-looking
 * names of OP105, redaction of a value's encodings, credential patterns
 * that leave step ids and plan text alone, base64, -p @FILE and
 * --params-file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli_params.h"
#include "redact.h"
#include "secrets.h"
#include "sensitive.h"

static void hexs(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void test_pbkdf2_vectors(void **state)
{
	(void)state;
	uint8_t out[32];
	char h[65];
	/* PBKDF2-HMAC-SHA256 ("password", "salt"), c = 1 and 2, dkLen 32 */
	sensitive_pbkdf2("password", 8, "salt", 4, 1, out, 32);
	hexs(h, out, 32);
	assert_string_equal(h, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
	sensitive_pbkdf2("password", 8, "salt", 4, 2, out, 32);
	hexs(h, out, 32);
	assert_string_equal(h, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43");
	sensitive_pbkdf2("password", 8, "salt", 4, 4096, out, 32);
	hexs(h, out, 32);
	assert_string_equal(h, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
}

static void test_digest(void **state)
{
	(void)state;
	char a[SENSITIVE_DIGEST_MAX], b[SENSITIVE_DIGEST_MAX];
	assert_int_equal(sensitive_digest(a, "hunter2hunter2"), 0);
	assert_int_equal(sensitive_digest(b, "hunter2hunter2"), 0);
	assert_string_not_equal(a, b);                 /* salted */
	assert_null(strstr(a, "hunter2"));
	assert_int_equal(sensitive_verify(a, "hunter2hunter2"), 1);
	assert_int_equal(sensitive_verify(b, "hunter2hunter2"), 1);
	assert_int_equal(sensitive_verify(a, "hunter2hunter3"), 0);
	assert_int_equal(sensitive_verify(a, ""), 0);
	assert_int_equal(sensitive_verify("sha256:abc", "x"), -1);
	assert_int_equal(sensitive_verify("pbkdf2-sha256$1$zz$00", "x"), -1);
	assert_int_equal(sensitive_verify(NULL, "x"), -1);
}

static void test_names(void **state)
{
	(void)state;
	const char *yes[] = {"db_password", "api_token", "ssh_key", "client_secret", "credentials", "apikey",
			     "db_pwd", "passwd", "my_passphrase"};
	const char *no[] = {"cluster", "keyspace", "monkey", "max_lag_mb", "patroni_version", "keys_total", "passes"};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		if (!sensitive_name_looks_secret(yes[i]))
			fail_msg("'%s' should look like a secret", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		if (sensitive_name_looks_secret(no[i]))
			fail_msg("'%s' should not look like a secret", no[i]);
}

static void gone(const char *text, const char *needle)
{
	char *r = redact_text(text);
	if (strstr(r, needle))
		fail_msg("'%s' survived in '%s'", needle, r);
	free(r);
}

static void test_encodings(void **state)
{
	(void)state;
	const char *v = "Pw \"q\"/x+y&z";
	assert_int_equal(redact_add_sensitive(v), 0);
	gone("raw Pw \"q\"/x+y&z end", "x+y&z");
	gone("{\"body\":\"{\\\"pw\\\":\\\"Pw \\\\\\\"q\\\\\\\"/x+y&z\\\"}\"}", "x+y&z");   /* JSON in JSON */
	gone("json Pw \\\"q\\\"/x+y&z", "x+y&z");
	gone("url ?p=Pw%20%22q%22%2Fx%2By%26z&a=1", "%2Fx%2By");
	gone("url ?p=Pw+%22q%22%2Fx%2By%26z", "%2Fx%2By");
	gone("url lower Pw%20%22q%22%2fx%2by%26z", "%2fx%2by");
	char *b64 = redact_base64(v, strlen(v), 0), *b64u = redact_base64(v, strlen(v), 1);
	char *t = malloc(strlen(b64) + 32);
	sprintf(t, "data: %s;", b64);
	gone(t, b64);
	sprintf(t, "jwt %.*s.", (int)strcspn(b64u, "="), b64u);
	gone(t, "UHcg");
	gone("upper PW \"Q\"/X+Y&Z lower pw \"q\"/x+y&z", "X+Y&Z");
	gone("lower pw \"q\"/x+y&z", "x+y&z");
	free(t);
	free(b64);
	free(b64u);
	assert_int_equal(redact_add_sensitive("abc"), -1);     /* too short to scrub from free text */
	char *r = redact_text("abc is fine");
	assert_string_equal(r, "abc is fine");
	free(r);
	redact_reset();
}

static void test_patterns_spare_plan_text(void **state)
{
	(void)state;
	static const struct { const char *in, *out; } cases[] = {
		{"ok   secret: ok in 9ms", "ok   secret: ok in 9ms"},
		{"ok   token: done", "ok   token: done"},
		{"params.token == 'x' && params.password != ''", "params.token == 'x' && params.password != ''"},
		{"Keep the token: rotate it", "Keep the token: rotate it"},
		{"{\"password\": \"hunter2\"}", "{\"password\": \"" REDACTED "\"}"},
		{"PGPASSWORD=x password=hunter2&a=1", "PGPASSWORD=x password=" REDACTED "&a=1"},
		{"client-key-data: LS0tLS1", "client-key-data: " REDACTED},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *r = redact_text(cases[i].in);
		assert_string_equal(r, cases[i].out);
		free(r);
	}
	redact_add_secret("registered-value-1");
	char *r = redact_values("secret=keep registered-value-1");
	assert_string_equal(r, "secret=keep " REDACTED);
	free(r);
	redact_reset();
}

static void test_base64_decode(void **state)
{
	(void)state;
	char *out;
	size_t n;
	assert_int_equal(secrets_base64_decode("c2VjLVMzY3IzdCB2YWx1ZQ==", &out, &n), 0);
	assert_string_equal(out, "sec-S3cr3t value");
	assert_int_equal(n, 16);
	free(out);
	assert_int_equal(secrets_base64_decode("c2Vj", &out, &n), 0);
	assert_string_equal(out, "sec");
	free(out);
	assert_int_equal(secrets_base64_decode("!!", &out, &n), -1);
}

static void test_cli_params(void **state)
{
	(void)state;
	char dir[] = "/tmp/opsplan-test-secrets.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char f[256], pf[256];
	snprintf(f, sizeof f, "%s/pw", dir);
	snprintf(pf, sizeof pf, "%s/p.yaml", dir);
	FILE *o = fopen(f, "w");
	fputs("s3cret-from-file\r\n", o);
	fclose(o);
	o = fopen(pf, "w");
	fputs("a: from-file\nb: 2\nl: [x, y]\n", o);
	fclose(o);
	struct cli_params p = {0};
	char arg[300];
	snprintf(arg, sizeof arg, "pw=@%s", f);
	assert_int_equal(cli_params_add(&p, "a=from-cli", "test"), 0);
	assert_int_equal(cli_params_add(&p, arg, "test"), 0);
	assert_int_equal(cli_params_add(&p, "at=@@literal", "test"), 0);
	assert_int_equal(cli_params_file(&p, pf, "test"), 0);
	cli_params_finish(&p);
	assert_int_equal(p.n, 6);
	assert_string_equal(p.list[0], "a=from-file");    /* files first: -p wins */
	assert_string_equal(p.list[1], "b=2");
	assert_string_equal(p.list[2], "l=[\"x\",\"y\"]");
	assert_string_equal(p.list[3], "a=from-cli");
	assert_string_equal(p.list[4], "pw=s3cret-from-file");
	assert_string_equal(p.list[5], "at=@literal");
	cli_params_release(&p);
	assert_int_equal(cli_params_add(&p, "x=@/nonexistent/file", "test"), -1);
	cli_params_release(&p);
	unlink(f);
	unlink(pf);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pbkdf2_vectors),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_patterns_spare_plan_text),
		cmocka_unit_test(test_base64_decode),
		cmocka_unit_test(test_cli_params),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
