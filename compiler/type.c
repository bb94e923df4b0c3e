/* type.c - see type.h. */
#include "type.h"

#include <string.h>

#include "mem.h"

const struct type type_any = {.kind = TYPE_ANY};
const struct type type_null = {.kind = TYPE_NULL, .optional = 1};
const struct type type_bool = {.kind = TYPE_BOOL};
const struct type type_number = {.kind = TYPE_NUMBER};
const struct type type_string = {.kind = TYPE_STRING};
const struct type type_duration = {.kind = TYPE_DURATION};
const struct type type_any_list = {.kind = TYPE_LIST, .elem = &type_any};
const struct type type_string_list = {.kind = TYPE_LIST, .elem = &type_string};
const struct type type_any_object = {.kind = TYPE_OBJECT, .open = 1};

const struct type_field *type_field(const struct type *t, const char *name)
{
	if (!t || t->kind != TYPE_OBJECT)
		return NULL;
	for (size_t i = 0; i < t->nfields; i++)
		if (!strcmp(t->fields[i].name, name))
			return &t->fields[i];
	return NULL;
}

const struct type *type_member(const struct type *t, const char *name)
{
	if (!t || t->kind == TYPE_ANY)
		return &type_any;
	const struct type_field *f = type_field(t, name);
	if (f)
		return f->type;
	if (t->kind == TYPE_OBJECT && t->open)
		return &type_any;
	return NULL;
}

/* Numbers and durations are the same value at run time (seconds), so each
 * fits where the other is wanted; null fits anything optional. */
int type_assignable(const struct type *to, const struct type *from)
{
	if (!to || !from || to->kind == TYPE_ANY || from->kind == TYPE_ANY)
		return 1;
	if (from->kind == TYPE_NULL)
		return to->optional || to->kind == TYPE_NULL;
	if (from->optional && !to->optional)
		return 0;
	if ((to->kind == TYPE_NUMBER || to->kind == TYPE_DURATION) &&
	    (from->kind == TYPE_NUMBER || from->kind == TYPE_DURATION))
		return 1;
	if (to->kind != from->kind)
		return 0;
	if (to->kind == TYPE_LIST)
		return type_assignable(to->elem, from->elem);
	if (to->kind == TYPE_OBJECT) {
		for (size_t i = 0; i < to->nfields; i++) {
			const struct type *ft = type_member(from, to->fields[i].name);
			if (!ft)
				return to->fields[i].type->optional;
			if (!type_assignable(to->fields[i].type, ft))
				return 0;
		}
	}
	return 1;
}

const char *type_kind_name(enum type_kind k)
{
	switch (k) {
	case TYPE_ANY: return "any";
	case TYPE_NULL: return "null";
	case TYPE_BOOL: return "boolean";
	case TYPE_NUMBER: return "number";
	case TYPE_STRING: return "string";
	case TYPE_DURATION: return "duration";
	case TYPE_LIST: return "list";
	case TYPE_OBJECT: return "object";
	}
	return "?";
}

void type_format(const struct type *t, struct strbuf *out)
{
	if (!t) {
		sb_puts(out, "any");
		return;
	}
	if (t->name)
		sb_puts(out, t->name);
	else if (t->kind == TYPE_LIST) {
		sb_puts(out, "list<");
		type_format(t->elem, out);
		sb_putc(out, '>');
	} else
		sb_puts(out, type_kind_name(t->kind));
	if (t->optional && t->kind != TYPE_NULL)
		sb_puts(out, " or null");
}

struct type *type_new(struct arena *a, enum type_kind k)
{
	struct type *t = arena_alloc(a, sizeof *t);
	t->kind = k;
	return t;
}

const struct type *type_list_of(struct arena *a, const struct type *elem)
{
	struct type *t = type_new(a, TYPE_LIST);
	t->elem = elem;
	return t;
}

const struct type *type_optional(struct arena *a, const struct type *t)
{
	if (t->optional || t->kind == TYPE_ANY)
		return t;
	struct type *o = arena_alloc(a, sizeof *o);
	*o = *t;
	o->optional = 1;
	return o;
}
