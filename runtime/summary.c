/* summary.c - see summary.h. */
#include "summary.h"

#include <string.h>

#include "mem.h"

static const char *str(const json_t *o, const char *path)
{
	/* path is "a.b.c": a borrowed string, or NULL when any part is missing */
	char buf[128];
	snprintf(buf, sizeof buf, "%s", path);
	const json_t *cur = o;
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && cur; k = strtok_r(NULL, ".", &save))
		cur = json_is_object(cur) ? json_object_get(cur, k) : NULL;
	return json_is_string(cur) ? json_string_value(cur) : NULL;
}

static void num(struct strbuf *b, const json_t *v)
{
	double d = json_number_value(v);
	if (d == (double)(long long)d)
		sb_printf(b, "%lld", (long long)d);
	else
		sb_printf(b, "%.1f", d);
}

static void digest(struct strbuf *b, const char *ref)
{
	const char *at = ref ? strstr(ref, "sha256:") : NULL;
	if (at)
		sb_printf(b, "%.19s", at);   /* sha256: + 12 hex */
	else if (ref)
		sb_puts(b, ref);
}

static void k8s_object(struct strbuf *b, const json_t *o)
{
	const char *kind = str(o, "kind"), *name = str(o, "metadata.name");
	sb_printf(b, "%s %s", kind ? kind : "object", name ? name : "?");
	const char *phase = str(o, "status.phase");
	if (phase)
		sb_printf(b, ", %s", phase);
	const json_t *conds = json_object_get(json_object_get(o, "status"), "conditions");
	size_t i;
	const json_t *c;
	json_array_foreach(conds, i, c)
		if (!strcmp(str(c, "type") ? str(c, "type") : "", "Ready"))
			sb_printf(b, ", Ready=%s", str(c, "status") ? str(c, "status") : "?");
	const json_t *cs = json_array_get(json_object_get(json_object_get(o, "status"), "containerStatuses"), 0);
	if (str(cs, "imageID")) {
		sb_puts(b, ", image ");
		digest(b, str(cs, "imageID"));
	}
	const char *strategy = str(o, "spec.updateStrategy.type");
	if (strategy)
		sb_printf(b, ", updateStrategy %s", strategy);
}

static void cluster(struct strbuf *b, const json_t *r)
{
	const json_t *members = json_object_get(r, "members");
	sb_printf(b, "%zu members, leader %s", json_array_size(members),
		  str(r, "leader") ? str(r, "leader") : "none");
	size_t i;
	const json_t *m;
	json_array_foreach(members, i, m) {
		if (str(m, "name") && str(r, "leader") && !strcmp(str(m, "name"), str(r, "leader")))
			continue;
		sb_printf(b, "; %s %s", str(m, "name") ? str(m, "name") : "?", str(m, "state") ? str(m, "state") : "?");
		const json_t *lag = json_object_get(m, "lag_mb");
		if (json_is_number(lag)) {
			sb_puts(b, " lag ");
			num(b, lag);
			sb_puts(b, " MB");
		}
	}
	sb_puts(b, json_is_true(json_object_get(r, "pause")) ? "; paused" : "; not paused");
}

static void by_action(struct strbuf *b, const char *a, const json_t *r)
{
	if (!strcmp(a, "patroni.cluster")) {
		cluster(b, r);
	} else if (!strcmp(a, "patroni.status")) {
		sb_printf(b, "%s %s, Patroni %s%s", str(r, "role") ? str(r, "role") : "?",
			  str(r, "state") ? str(r, "state") : "?", str(r, "patroni.version") ? str(r, "patroni.version") : "?",
			  json_is_true(json_object_get(r, "pause")) ? ", paused" : "");
	} else if (!strcmp(a, "patroni.pause") || !strcmp(a, "patroni.resume")) {
		sb_printf(b, "maintenance mode %s%s", json_is_true(json_object_get(r, "pause")) ? "on" : "off",
			  json_is_false(json_object_get(r, "changed")) ? " (already)" : "");
	} else if (!strcmp(a, "patroni.switchover")) {
		sb_printf(b, "%s -> %s, leader now %s", str(r, "from") ? str(r, "from") : "?",
			  str(r, "to") ? str(r, "to") : "?", str(r, "leader_after") ? str(r, "leader_after") : "none");
	} else if (!strcmp(a, "patroni.restart")) {
		sb_printf(b, "%s: %s", str(r, "member") ? str(r, "member") : "?", str(r, "message") ? str(r, "message") : "");
	} else if (!strcmp(a, "openshift.build")) {
		sb_printf(b, "%s %s", str(r, "name") ? str(r, "name") : "build", str(r, "phase") ? str(r, "phase") : "?");
		if (str(r, "digest")) {
			sb_puts(b, ", pushed ");
			digest(b, str(r, "digest"));
		}
	} else if (!strcmp(a, "openshift.tag")) {
		sb_printf(b, "%s now ", str(r, "target") ? str(r, "target") : "?");
		digest(b, str(r, "digest"));
	} else if (!strcmp(a, "k8s.delete")) {
		sb_printf(b, "%s uid %s", json_is_false(json_object_get(r, "deleted")) ? "already gone," : "deleted,",
			  str(r, "uid") ? str(r, "uid") : "?");
	} else if (!strcmp(a, "k8s.list")) {
		sb_printf(b, "%zu items", json_array_size(json_object_get(r, "items")));
	} else if (!strcmp(a, "k8s.wait")) {
		const json_t *o = json_object_get(r, "object");
		if (json_is_object(o))
			k8s_object(b, o);
		else
			sb_puts(b, "gone");
		const json_t *el = json_object_get(r, "elapsed");
		if (json_is_number(el))
			sb_printf(b, " after %.1fs", json_number_value(el));
	} else if (!strcmp(a, "k8s.exec")) {
		const char *out = str(r, "stdout");
		size_t n = out ? strcspn(out, "\n") : 0;
		sb_printf(b, "exit %lld: %.*s", (long long)json_integer_value(json_object_get(r, "exit_code")),
			  (int)n, out ? out : "");
	} else if (!strcmp(a, "confirm")) {
		sb_printf(b, "%s by %s", json_is_true(json_object_get(r, "answer")) ? "confirmed" : "declined",
			  str(r, "by") ? str(r, "by") : "?");
	} else if (!strcmp(a, "log")) {
		sb_puts(b, str(r, "message") ? str(r, "message") : "");
	} else if (!strncmp(a, "k8s.", 4) && json_object_get(r, "metadata")) {
		k8s_object(b, r);
	}
}

char *summary_result(const char *action, const json_t *result)
{
	struct strbuf b = {0};
	if (!result || json_is_null(result))
		return xstrdup("-");
	if (action && json_is_object(result))
		by_action(&b, action, result);
	else if (json_is_array(result) && action)
		/* a loop's result: one entry per item, each summarised on its own line */
		sb_printf(&b, "%zu item%s", json_array_size(result), json_array_size(result) == 1 ? "" : "s");
	if (!b.len) {
		char *j = json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY);
		sb_puts(&b, j ? j : "-");
		free(j);
	}
	if (b.len > SUMMARY_MAX) {
		/* cut on a UTF-8 boundary, then mark the cut */
		size_t n = SUMMARY_MAX - 3;
		while (n > 0 && ((unsigned char)b.s[n] & 0xC0) == 0x80)
			n--;
		b.s[n] = '\0';
		b.len = n;
		sb_puts(&b, "...");
	}
	return sb_detach(&b);
}
