/* summary.c - see summary.h. */
#include "summary.h"

#include <string.h>

#include "action.h"
#include "mem.h"

const char *summary_str(const json_t *o, const char *path)
{
	/* path is "a.b.c": a borrowed string, or NULL when any part is missing */
	char buf[128];
	snprintf(buf, sizeof buf, "%s", path);
	const json_t *cur = o;
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && cur; k = strtok_r(NULL, ".", &save))
		cur = json_is_object(cur) ? json_object_get(cur, k) : NULL;
	return json_is_string(cur) ? json_string_value(cur) : NULL;
}

void summary_num(struct strbuf *b, const json_t *v)
{
	double d = json_number_value(v);
	if (d == (double)(long long)d)
		sb_printf(b, "%lld", (long long)d);
	else
		sb_printf(b, "%.1f", d);
}

void summary_digest(struct strbuf *b, const char *ref)
{
	const char *at = ref ? strstr(ref, "sha256:") : NULL;
	if (at)
		sb_printf(b, "%.19s", at);   /* sha256: + 12 hex */
	else if (ref)
		sb_puts(b, ref);
}

void summary_k8s_object(struct strbuf *b, const json_t *o)
{
	const char *kind = summary_str(o, "kind"), *name = summary_str(o, "metadata.name");
	sb_printf(b, "%s %s", kind ? kind : "object", name ? name : "?");
	const char *phase = summary_str(o, "status.phase");
	if (phase)
		sb_printf(b, ", %s", phase);
	const json_t *conds = json_object_get(json_object_get(o, "status"), "conditions");
	size_t i;
	const json_t *c;
	json_array_foreach(conds, i, c)
		if (!strcmp(summary_str(c, "type") ? summary_str(c, "type") : "", "Ready"))
			sb_printf(b, ", Ready=%s", summary_str(c, "status") ? summary_str(c, "status") : "?");
	const json_t *cs = json_array_get(json_object_get(json_object_get(o, "status"), "containerStatuses"), 0);
	if (summary_str(cs, "imageID")) {
		sb_puts(b, ", image ");
		summary_digest(b, summary_str(cs, "imageID"));
	}
	const char *strategy = summary_str(o, "spec.updateStrategy.type");
	if (strategy)
		sb_printf(b, ", updateStrategy %s", strategy);
}

char *summary_result(const char *action, const json_t *result)
{
	struct strbuf b = {0};
	if (!result || json_is_null(result))
		return xstrdup("-");
	const struct action_impl *impl = action_impl_find(action);
	if (impl && impl->summarise && json_is_object(result))
		impl->summarise(&b, result);
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
