/* expr.h - the expression language of plans: parse, type-check, evaluate.
 *
 * One language, two consumers: the compiler parses and checks expressions
 * against static types; the runtime parses the same text from the IR and
 * evaluates it over jansson values.  Both must agree, so both live here.
 *
 *   expr   := or ;  or := and ('||' and)* ; and := not ('&&' not)*
 *   not    := '!' not | cmp ; cmp := add (('=='|'!='|'<'|'<='|'>'|'>='|'in'|'=~') add)?
 *   add    := mul (('+'|'-') mul)* ; mul := unary (('*'|'/'|'%') unary)*
 *   unary  := '-' unary | postfix ; postfix := primary ('.' NAME | '[' expr ']' | '[*]')*
 *   primary:= NUMBER | DURATION | STRING | true | false | null | '[' list ']'
 *           | NAME '(' args ')' | NAME | '(' expr ')' ; lambda arg := NAME '=>' expr
 *
 * Step ids may contain '-': `steps.no-auto-redeploy.ok` is a path, so in
 * paths after `steps.` a NAME may contain dashes (subtraction needs spaces).
 *
 * Templates are strings with ${{ expr }} parts.  A template that is exactly
 * one ${{ expr }} evaluates to the expression's value (any type); otherwise
 * to a string with each part's value interpolated. */
#ifndef OPSPLAN_EXPR_H
#define OPSPLAN_EXPR_H

#include <stddef.h>
#include <jansson.h>
#include "diag.h"
#include "loc.h"
#include "type.h"

struct expr;
struct tmpl;
struct arena;

/* Parse text (len bytes) whose first byte sits at base.  Returns NULL after
 * adding a located diagnostic (column inside the YAML scalar).  The AST lives
 * in arena. */
struct expr *expr_parse(struct arena *a, const char *text, size_t len,
			const struct loc *base, struct diag_list *d);

/* The names visible to an expression and their types (params, steps,
 * result, run, the loop variable...).  scope->type is an object type whose
 * fields are the roots. */
struct expr_scope {
	const struct type *roots;    /* object type; fields are the root names */
	const char *what;            /* for messages: "a precondition", "the when of step 'x'" */
};

/* Type-check; returns the expression's type (type_any after an error) and
 * adds diagnostics: unknown names and fields with "did you mean", operand
 * types, regex literals that PCRE2 rejects (at the regex's column), optional
 * values used without a guard, lambdas' arity. */
const struct type *expr_check(struct arena *a, struct expr *e, const struct expr_scope *s,
			      struct diag_list *d);

/* Evaluate over env (an object whose keys are the roots).  On success *out is
 * a new reference the caller owns and 0 is returned; on a run-time error
 * (missing field where not optional, type mismatch on `any`, division by
 * zero, bad regex) -1 and *err holds a message the caller frees.  Never
 * crashes on any env. */
int expr_eval(const struct expr *e, json_t *env, json_t **out, char **err);
int expr_truthy(const json_t *v);          /* false, null, 0, "", [] and {} are false */

/* Parse a template string (a YAML scalar's text).  Parts are parsed with
 * expr_parse, so their errors are located too. */
struct tmpl *tmpl_parse(struct arena *a, const char *text, size_t len, const struct loc *base,
			struct diag_list *d);
const struct type *tmpl_check(struct arena *a, struct tmpl *t, const struct expr_scope *s,
			      struct diag_list *d);
int tmpl_eval(const struct tmpl *t, json_t *env, json_t **out, char **err);
int tmpl_is_literal(const struct tmpl *t);  /* no ${{ }} part */
/* Visit each expression in a template (for the graph: which steps it reads). */
void tmpl_foreach_expr(const struct tmpl *t, void (*fn)(const struct expr *e, void *ctx), void *ctx);

/* Every `steps.ID` an expression reads (for needs and may-not-have-run checks). */
void expr_step_refs(const struct expr *e, void (*fn)(const char *id, const struct loc *at, void *ctx),
		    void *ctx);

/* 1 when e uses the root name other than as `root.NAME` (`len(steps)`,
 * `steps["x"]`): the checker then needs the root's whole type. */
int expr_reads_root_whole(const struct expr *e, const char *root);

/* Compare two version strings the way people mean them: "1.6.5" < "2.0.1",
 * "2.0.10" > "2.0.9", "3.0.2" == "v3.0.2".  Returns <0, 0, >0. */
int expr_version_cmp(const char *a, const char *b);

#endif
