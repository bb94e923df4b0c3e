/* journal_query.c - questions --resume asks of a loaded journal (journal.h).
 * Linear scans: a journal is bounded (JOURNAL_FILE_MAX) and asked once. */
#include "journal.h"

#include <string.h>

static long long item_of(const json_t *data)
{
	json_t *v = json_object_get(data, "item_index");
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

static long long attempt_of(const json_t *data)
{
	json_t *v = json_object_get(data, "attempt");
	return json_is_integer(v) ? (long long)json_integer_value(v) : 1;
}

static int same_step(const json_t *data, const char *step, long long item)
{
	const char *s = json_string_value(json_object_get(data, "step"));
	return !strcmp(s ? s : "", step) && item_of(data) == item;
}

const struct journal_record *journal_step_end(const struct journal_records *r, const char *step,
					      long long item_index)
{
	for (size_t i = r->n; i-- > 0;)
		if (r->items[i].kind == JOURNAL_STEP_END && same_step(r->items[i].data, step, item_index))
			return &r->items[i];
	return NULL;
}

size_t journal_unresolved_intents(const struct journal_records *r, const struct journal_record **out,
				  size_t max)
{
	size_t found = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct journal_record *in = &r->items[i];
		const char *step = json_string_value(json_object_get(in->data, "step"));
		if (in->kind != JOURNAL_INTENT)
			continue;
		if (!step)
			step = "";   /* off contract, but never silently resolved */
		long long item = item_of(in->data), attempt = attempt_of(in->data);
		int resolved = 0;
		for (size_t k = i + 1; k < r->n && !resolved; k++) {
			const struct journal_record *o = &r->items[k];
			resolved = o->kind == JOURNAL_OUTCOME && same_step(o->data, step, item) &&
				   attempt_of(o->data) == attempt;
		}
		if (resolved)
			continue;
		if (found < max)
			out[found] = in;
		found++;
	}
	return found;
}

const struct journal_record *journal_open_intent(const struct journal_records *r, const char *step,
						 long long item_index, const struct journal_record **outcome)
{
	const struct journal_record *in = NULL;
	size_t at = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct journal_record *p = &r->items[i];
		if (!same_step(p->data, step, item_index))
			continue;
		if (p->kind == JOURNAL_INTENT) {
			in = p;
			at = i;
		} else if (p->kind == JOURNAL_STEP_END) {
			in = NULL;   /* that execution ended: its mutations are its story */
		}
	}
	if (outcome)
		*outcome = NULL;
	if (!in)
		return NULL;
	long long attempt = attempt_of(in->data);
	for (size_t k = at + 1; k < r->n && outcome; k++) {
		const struct journal_record *o = &r->items[k];
		if (o->kind == JOURNAL_OUTCOME && same_step(o->data, step, item_index) && attempt_of(o->data) == attempt) {
			*outcome = o;
			break;
		}
	}
	return in;
}
