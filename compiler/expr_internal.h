/* expr_internal.h - the expression AST, private to expr_*.c.
 *
 * Nodes live in the arena given to expr_parse.  A node keeps byte offsets
 * into a copy of its source text (expr_src) and turns them into a line and
 * column only when a diagnostic needs one (jq's locfile): locating is
 * rare, parsing is not. */
#ifndef OPSPLAN_EXPR_INTERNAL_H
#define OPSPLAN_EXPR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "expr.h"
#include "loc.h"

#define EXPR_MAX_LEN   65536   /* bytes of one expression or template */
#define EXPR_MAX_DEPTH 96      /* AST height: bounds every recursion over it */
#define EXPR_MAX_ARGS  64      /* list items and call arguments */
#define EXPR_MAX_JSON_DEPTH 256 /* comparing or printing nested values */

struct expr_src {
	struct loc base;         /* where text[0] sits in the file */
	const char *text;        /* arena copy */
	size_t len;
};

/* ORDER EXPR_KIND: the switches of expr_check.c check() and expr_eval.c ev() */
enum expr_kind {
	E_NUM, E_STR, E_BOOL, E_NULL, E_LIST,
	E_ROOT,      /* a name: a root of the scope or a lambda parameter */
	E_ELEM,      /* the current element inside a [*] projection */
	E_FIELD,     /* l.str */
	E_INDEX,     /* l[r] */
	E_PROJECT,   /* l[*] then r, evaluated once per element (r reads E_ELEM) */
	E_CALL,      /* str(args) */
	E_LAMBDA,    /* str => r */
	E_NOT, E_NEG,/* !l, -l */
	E_BIN,       /* l op r */
};

enum expr_op {
	OP_OR, OP_AND, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_MATCH,
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
};

/* Built-in functions: X(ID, name, min args, max args (-1: any), lambda arg
 * index (-1: none)).  ORDER FUNCS: check and eval switch on the ids. */
#define EXPR_FUNCS(X) \
	X(F_LEN,        "len",        1, 1, -1) \
	X(F_MAX,        "max",        1, -1, -1) \
	X(F_MIN,        "min",        1, -1, -1) \
	X(F_SUM,        "sum",        1, 1, -1) \
	X(F_HAS,        "has",        1, 1, -1) \
	X(F_LOWER,      "lower",      1, 1, -1) \
	X(F_UPPER,      "upper",      1, 1, -1) \
	X(F_CONTAINS,   "contains",   2, 2, -1) \
	X(F_STARTSWITH, "startswith", 2, 2, -1) \
	X(F_ENDSWITH,   "endswith",   2, 2, -1) \
	X(F_VERSION,    "version",    1, 1, -1) \
	X(F_ALL,        "all",        2, 2, 1) \
	X(F_ANY,        "any",        2, 2, 1) \
	X(F_FILTER,     "filter",     2, 2, 1) \
	X(F_MAP,        "map",        2, 2, 1) \
	X(F_COUNT,      "count",      1, 2, 1) \
	X(F_FIRST,      "first",      1, 1, -1) \
	X(F_LAST,       "last",       1, 1, -1) \
	X(F_KEYS,       "keys",       1, 1, -1) \
	X(F_STRING,     "string",     1, 1, -1) \
	X(F_NUMBER,     "number",     1, 1, -1) \
	X(F_OPENED,     "opened",     1, 1, -1)

enum expr_func {
#define X(id, name, lo, hi, lam) id,
	EXPR_FUNCS(X)
#undef X
	F_COUNT_
};

struct expr_func_info {
	const char *name;
	int min_args, max_args, lambda_arg;
};
extern const struct expr_func_info expr_funcs[F_COUNT_];

struct expr {
	enum expr_kind kind;
	enum expr_op op;             /* E_BIN */
	int fn;                      /* E_CALL: enum expr_func, -1 unknown (check reports it) */
	int is_duration;             /* E_NUM written as 90s */
	int depth;                   /* height of this subtree */
	uint32_t off, end;           /* bytes of src->text */
	const struct expr_src *src;
	double num;                  /* E_NUM; E_BOOL: 0/1 */
	const char *str;             /* E_STR decoded; E_ROOT/E_FIELD/E_CALL/E_LAMBDA name */
	size_t slen;
	uint32_t raw_off;            /* E_STR: the opening quote (regex columns); E_FIELD: the name */
	struct expr *l, *r;
	struct expr **args;          /* E_LIST items, E_CALL arguments */
	size_t nargs;
	const struct type *type;     /* set by expr_check */
};

/* --- expr_lex.c --- */
enum expr_tok_kind {
	T_EOF, T_NUM, T_DUR, T_STR, T_NAME,
	T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_COMMA, T_DOT, T_ARROW,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_AND, T_OR, T_NOT, T_MATCH,
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT,
	T_ERR,
};

struct expr_tok {
	enum expr_tok_kind kind;
	size_t off, end;
	double num;
	char *str;                   /* T_STR decoded, T_NAME; arena */
	size_t slen;
	const char *err;             /* T_ERR: message (static) */
	size_t err_off;              /* T_ERR: where */
};

struct expr_lexer {
	struct arena *a;
	const char *text;
	size_t len, pos;
};

/* Lex one token at lx->pos.  dashes: a NAME may contain '-' (step ids). */
void expr_lex(struct expr_lexer *lx, struct expr_tok *t, int dashes);
const char *expr_tok_name(enum expr_tok_kind k);
/* The file location of bytes [off, end) of src. */
struct loc expr_src_loc(const struct expr_src *src, size_t off, size_t end);
struct loc expr_loc(const struct expr *e);
/* Byte offset in the raw literal of byte k of a decoded string literal. */
size_t expr_lex_raw_offset(const char *raw, size_t rawlen, size_t k);
/* Decode a string literal starting at its quote: used by the lexer and the
 * template scanner (to skip strings).  Returns the offset past the closing
 * quote, or 0 when unterminated. */
size_t expr_lex_skip_string(const char *text, size_t len, size_t off);

/* --- expr_parse.c --- */
int expr_func_lookup(const char *name);   /* -1 if unknown */
/* A path's text ("steps.x.result"), or NULL when e is not a plain path. */
char *expr_path_string(struct arena *a, const struct expr *e);

/* --- expr_check.c --- */
extern const struct type expr_type_version;

/* --- expr_eval.c --- */
/* Format a value the way templates interpolate it; caller frees. */
char *expr_format(const json_t *v);
/* 1 and the version string when v is a version value. */
const char *expr_version_of(const json_t *v);

#endif
