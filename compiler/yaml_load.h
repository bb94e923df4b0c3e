/* yaml_load.h - a YAML file as a tree of located nodes, on libyaml.
 *
 * Plans are small, hostile input is not: the loader enforces a size limit,
 * a nesting limit and an alias expansion budget, checks UTF-8 before libyaml
 * sees the bytes, and rejects duplicate keys, non-scalar keys and multiple
 * documents.  Every problem becomes a located diagnostic, never a crash.
 *
 * Aliases are expanded by sharing: an alias node points at its anchor's node
 * (no copy), and the budget counts the nodes an expansion would create, so a
 * billion-laughs file fails fast. */
#ifndef OPSPLAN_YAML_LOAD_H
#define OPSPLAN_YAML_LOAD_H

#include <stddef.h>
#include "diag.h"
#include "loc.h"

#define YAML_LOAD_MAX_BYTES   (4u << 20)   /* 4 MiB: a plan is a few KiB */
#define YAML_LOAD_MAX_DEPTH   64
#define YAML_LOAD_MAX_NODES   200000       /* including alias expansion */

enum ynode_kind { YNODE_SCALAR, YNODE_MAP, YNODE_SEQ };

enum yscalar_style { YSTYLE_PLAIN, YSTYLE_SINGLE, YSTYLE_DOUBLE, YSTYLE_LITERAL, YSTYLE_FOLDED };

struct ypair;

struct ynode {
	enum ynode_kind kind;
	struct loc loc;            /* start of the node to its end */
	const char *tag;           /* explicit tag ("!!str") or NULL */
	/* scalar */
	char *str;                 /* NUL-terminated; may contain NUL only if len says so */
	size_t len;
	enum yscalar_style style;
	/* map: npairs pairs; seq: nitems items */
	struct ypair *pairs;
	size_t npairs;
	struct ynode **items;
	size_t nitems;
};

struct ypair {
	struct ynode *key;         /* always a scalar */
	struct ynode *value;
};

struct ydoc {
	struct ynode *root;        /* NULL when the file failed to load */
	char *file;                /* the name given to yaml_load_* */
	char *text;                /* the bytes read, NUL-terminated */
	size_t len;
	struct arena *arena;       /* owns every node */
	int sys_errno;             /* the errno of an open/read failure, else 0 */
};

/* The few things that differ between a plan and another YAML file read
 * through this loader (a kubeconfig): the budgets, the UTF-8 check and the
 * located errors are the same for every file. */
struct yaml_load_opts {
	const char *what;          /* "plan" when NULL: named in hints ("a plan is a few KiB") */
	int empty_ok;              /* no document, or an empty one, is not an error:
				    * root is NULL or a null scalar */
};

/* Load file (read it whole).  Always returns a ydoc the caller frees with
 * yaml_load_free; on failure root is NULL and d holds why.  The ydoc's text is
 * registered with d for snippets, so d must not be printed after the ydoc is
 * freed. */
struct ydoc *yaml_load_file(const char *path, struct diag_list *d);
/* Load a YAML file that is not a plan (o may be NULL: a plan), with the same
 * budgets and located errors as yaml_load_file. */
struct ydoc *yaml_load_file_as(const char *path, const struct yaml_load_opts *o, struct diag_list *d);
/* Same from bytes in memory (copied); name is used in locations. */
struct ydoc *yaml_load_mem(const char *name, const char *bytes, size_t len, struct diag_list *d);
void yaml_load_free(struct ydoc *doc);

/* Lookups and scalar conversions.  Borrowed pointers. */
struct ynode *ynode_get(const struct ynode *map, const char *key);
const struct ypair *ynode_pair(const struct ynode *map, const char *key);
int ynode_is_null(const struct ynode *n);     /* plain "", "~", "null", "Null", "NULL" */
int ynode_bool(const struct ynode *n, int *out);      /* 0 ok: true/false (YAML 1.2 core) */
int ynode_number(const struct ynode *n, double *out); /* 0 ok: int or float, plain only */
int ynode_is_string(const struct ynode *n);   /* a scalar that is not null/bool/number, or quoted */
const char *ynode_kind_name(const struct ynode *n);   /* "string", "number", "mapping", ... */

#endif
