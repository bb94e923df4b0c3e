/* type.h - the static types of plan values: parameters, action results,
 * expression operands.
 *
 * Types are immutable once built.  Built-in and catalog types are static
 * const data; types made while compiling a plan (a step's scope, a list of a
 * param's type) come from the compile arena and die with it. */
#ifndef OPSPLAN_TYPE_H
#define OPSPLAN_TYPE_H

#include <stddef.h>

struct arena;
struct strbuf;

enum type_kind {
	TYPE_ANY,        /* unknown at compile time: every operation allowed, checked at run time */
	TYPE_NULL,
	TYPE_BOOL,
	TYPE_NUMBER,
	TYPE_STRING,
	TYPE_DURATION,   /* seconds as a number at run time; literal 90s, 5m, 1h30m */
	TYPE_LIST,
	TYPE_OBJECT,
};

struct type_field {
	const char *name;
	const struct type *type;
	const char *doc;
};

struct type {
	enum type_kind kind;
	unsigned optional : 1;   /* the value may be null (e.g. a step that may be skipped) */
	unsigned open : 1;       /* object: fields beyond those listed exist, typed any (k8s objects) */
	const struct type *elem; /* list element */
	const struct type_field *fields; /* object */
	size_t nfields;
	const char *name;        /* shown in messages ("member", "pod"); NULL: derived from kind */
};

extern const struct type type_any, type_null, type_bool, type_number, type_string,
	type_duration, type_any_list, type_string_list, type_any_object;

const struct type_field *type_field(const struct type *t, const char *name);
/* A field of t, or type_any for open objects; NULL when t has no such field. */
const struct type *type_member(const struct type *t, const char *name);
int type_assignable(const struct type *to, const struct type *from); /* from fits in to */
void type_format(const struct type *t, struct strbuf *out);          /* "list<member>" */
const char *type_kind_name(enum type_kind k);                          /* "string" */

struct type *type_new(struct arena *a, enum type_kind k);
const struct type *type_list_of(struct arena *a, const struct type *elem);
const struct type *type_optional(struct arena *a, const struct type *t);

#endif
