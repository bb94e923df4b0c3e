/* test_summary.c - the one-line summaries the report shows for each action. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "summary.h"

static void expect_summary(const char *action, const char *json, const char *want)
{
	json_error_t e;
	json_t *r = json_loads(json, JSON_DECODE_ANY, &e);
	assert_non_null(r);
	char *got = summary_result(action, r);
	if (strcmp(got, want))
		fail_msg("%s: got \"%s\", want \"%s\"", action ? action : "(none)", got, want);
	free(got);
	json_decref(r);
}

static void test_patroni(void **state)
{
	(void)state;
	expect_summary("patroni.cluster",
		       "{\"members\":[{\"name\":\"p-0\",\"state\":\"running\",\"lag_mb\":0},"
		       "{\"name\":\"p-1\",\"state\":\"running\",\"role\":\"leader\"},"
		       "{\"name\":\"p-2\",\"state\":\"stopped\",\"lag_mb\":1.5}],\"leader\":\"p-1\",\"pause\":true}",
		       "3 members, leader p-1; p-0 running lag 0 MB; p-2 stopped lag 1.5 MB; paused");
	expect_summary("patroni.cluster", "{\"members\":[],\"leader\":null,\"pause\":false}",
		       "0 members, leader none; not paused");
	expect_summary("patroni.status",
		       "{\"role\":\"replica\",\"state\":\"stopped\",\"patroni\":{\"version\":\"2.0.1\"},\"pause\":true}",
		       "replica stopped, Patroni 2.0.1, paused");
	expect_summary("patroni.pause", "{\"pause\":true,\"changed\":false}", "maintenance mode on (already)");
	expect_summary("patroni.resume", "{\"pause\":false,\"changed\":true}", "maintenance mode off");
	expect_summary("patroni.switchover", "{\"from\":\"a\",\"to\":\"b\",\"leader_after\":\"b\"}",
		       "a -> b, leader now b");
}

static void test_k8s(void **state)
{
	(void)state;
	expect_summary("k8s.get",
		       "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p-0\"},\"status\":{\"phase\":\"Running\","
		       "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}],"
		       "\"containerStatuses\":[{\"imageID\":\"reg/x@sha256:0123456789abcdef0123\"}]}}",
		       "Pod p-0, Running, Ready=True, image sha256:0123456789ab");
	expect_summary("k8s.get", "{\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"s\"},"
				  "\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\"}}}",
		       "StatefulSet s, updateStrategy OnDelete");
	expect_summary("k8s.wait", "{\"object\":null,\"elapsed\":2.25}", "gone after 2.2s");
	expect_summary("k8s.delete", "{\"uid\":\"u-1\",\"deleted\":false}", "already gone, uid u-1");
	expect_summary("k8s.list", "{\"items\":[{},{}],\"count\":2}", "2 items");
	expect_summary("k8s.exec", "{\"stdout\":\"19\\nmore\",\"exit_code\":0}", "exit 0: 19");
}

static void test_openshift_and_fallback(void **state)
{
	(void)state;
	expect_summary("openshift.build",
		       "{\"name\":\"bc-1\",\"phase\":\"Complete\",\"digest\":\"sha256:abcdefabcdef99\"}",
		       "bc-1 Complete, pushed sha256:abcdefabcdef");
	expect_summary("openshift.tag", "{\"target\":\"is:15\",\"digest\":\"sha256:abcdefabcdef99\"}",
		       "is:15 now sha256:abcdefabcdef");
	expect_summary(NULL, "[1,2]", "[1,2]");
	expect_summary("k8s.exec", "[{\"exit_code\":0},{\"exit_code\":0}]", "2 items");
	expect_summary("patroni.status", "[null]", "1 item");
	expect_summary("sleep", "{\"slept\":1}", "{\"slept\":1}");
	expect_summary("log", "null", "-");
}

static void test_bounded(void **state)
{
	(void)state;
	char big[1024] = "\"";
	memset(big + 1, 'x', 900);
	strcpy(big + 901, "\"");
	json_t *r = json_loads(big, JSON_DECODE_ANY, NULL);
	char *s = summary_result("log", r);
	assert_true(strlen(s) <= SUMMARY_MAX);
	assert_string_equal(s + strlen(s) - 3, "...");
	free(s);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patroni),
		cmocka_unit_test(test_k8s),
		cmocka_unit_test(test_openshift_and_fallback),
		cmocka_unit_test(test_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
