/* catalog.h - the actions a plan can call, in the one place that both the
 * compiler (to check `do:`/`with:`, type `result`, bound durations and lint)
 * and the runtime (to dispatch, check choices, parse expression parameters
 * and derive RBAC) read.
 *
 * One row per action owns every fact about it that is not code: name,
 * parameters and their choices, effect, brackets, result type, RBAC, typical
 * duration and the traits the safety lint looks for.  Nothing else in
 * compiler/ or runtime/ is keyed by an action's name.
 *
 * ORDER CATALOG: the table in catalog.c and the runtime's implementations
 * (runtime/action_table.c: run + summarise) are matched by name; a test
 * checks every entry has one.  Adding an action = a row here, an
 * implementation there, and its section in docs/actions.md. */
#ifndef OPSPLAN_CATALOG_H
#define OPSPLAN_CATALOG_H

#include <stddef.h>
#include <stdint.h>
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
	const struct type_field *expr;  /* non-NULL: the value is an expression, not a
				   template: checked by the compiler, parsed once by the
				   runtime's IR loader and evaluated by the action over
				   the step's roots plus this one (k8s.wait's 'object') */
	const char *only_with;  /* "for=expression": read only when the parameter 'for'
				   has that value, and required then; NULL: always read */
};

struct action_rbac {
	const char *group;      /* "" core, "apps", "build.openshift.io", ... ; "$kind": from with.kind */
	const char *resource;   /* "pods", "pods/proxy", ...; "$kind" from with.kind */
	const char *verbs;      /* "get,list,watch" */
};

/* What the safety lint (lint_safety.c) and the resume (runtime/sched_evidence.c)
 * look for in an action. */
enum action_trait {
	TRAIT_DELETES = 1 << 0,       /* deletes the object with.kind/with.name names: a pod
					 could be the leader (OP101) */
	TRAIT_MOVES_LEADER = 1 << 1,  /* moves the database leader: wants a lag check and a
					 gate before it (OP102, OP103) */
	TRAIT_IN_POD = 1 << 2,        /* acts inside a pod (a command: a backup, a df): not
					 taken to outdate what the plan read of the cluster
					 (a resume re-takes reads only after such a change) */
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
	int64_t typical_ms;     /* one attempt, typically (explain --assume typical) */
	unsigned traits;        /* enum action_trait bits */
};

const struct action *catalog_find(const char *name);
const struct action *catalog_all(size_t *n);
const struct action_param *catalog_param(const struct action *a, const char *name);
const char *catalog_effect_name(enum action_effect e);   /* "read", "idempotent", "mutation" */
/* Does value fit p->choices?  1 when it does or p has no choices. */
int catalog_choice_ok(const struct action_param *p, const char *value);
/* p->choices for a message, "merge, strategic or json" ("phase=*" reads
 * "phase=..."), in buf (n bytes); "" when p has none.  Returns buf. */
const char *catalog_choices_text(const struct action_param *p, char *buf, size_t n);
/* Does a reach the cluster (it needs RBAC)?  confirm, sleep and log do not. */
int catalog_needs_cluster(const struct action *a);

#endif
