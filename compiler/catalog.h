/* catalog.h - the actions a plan can call, in the one place that both the
 * compiler (to check `do:`/`with:` and type `result`) and the runtime (to
 * dispatch, and to derive RBAC) read.
 *
 * ORDER CATALOG: the table in catalog.c and the runtime's implementations
 * (runtime/action_*.c) are matched by name; a test checks every entry has one. */
#ifndef OPSPLAN_CATALOG_H
#define OPSPLAN_CATALOG_H

#include <stddef.h>
#include "type.h"

enum action_effect {
	EFFECT_READ,            /* changes nothing: safe to repeat, runs for real in --dry-run */
	EFFECT_IDEMPOTENT,      /* a mutation that is safe to repeat (pause, patch, tag) */
	EFFECT_MUTATION,        /* a mutation that must not be repeated blindly (delete, switchover, build) */
};

struct action_param {
	const char *name;
	const struct type *type;
	int required;
	const char *def;        /* default as YAML text, or NULL */
	const char *doc;
	const char *choices;    /* literal values allowed, '|'-separated ("info|warning|error");
				   "phase=*" allows any text after the prefix; NULL: any value */
};

struct action_rbac {
	const char *group;      /* "" core, "apps", "build.openshift.io", ... ; "$kind": from with.kind */
	const char *resource;   /* "pods", "pods/proxy", ...; "$kind" from with.kind */
	const char *verbs;      /* "get,list,watch" */
};

struct action {
	const char *name;       /* "patroni.pause" */
	const char *summary;
	enum action_effect effect;
	const char *opens;      /* bracket opened ("maintenance") or NULL */
	const char *closes;     /* bracket closed or NULL */
	const struct action_param *params;
	size_t nparams;
	const struct type *result;
	const struct action_rbac *rbac;  /* terminated by a NULL resource */
};

const struct action *catalog_find(const char *name);
const struct action *catalog_all(size_t *n);
const struct action_param *catalog_param(const struct action *a, const char *name);
const char *catalog_effect_name(enum action_effect e);   /* "read", "idempotent", "mutation" */
/* Does value fit p->choices?  1 when it does or p has no choices. */
int catalog_choice_ok(const struct action_param *p, const char *value);

#endif
