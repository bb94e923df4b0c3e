/* yaml_load.c - see yaml_load.h.
 *
 * The tree is built from libyaml's event stream with an explicit stack (no
 * recursion), so hostile nesting costs a bounded stack and fails at
 * YAML_LOAD_MAX_DEPTH.  Every check that can be done before libyaml sees the
 * bytes (size, UTF-8) is, so libyaml only ever parses well-formed text. */
#include "yaml_load.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "fileio.h"
#include "mem.h"
#include "utf8.h"

/* Turns libyaml's marks (0-based line, column and index counted in
 * characters) into our locations (1-based, columns and offsets in bytes). */
struct locator {
	const char *text;
	size_t len;
	size_t *line_start;   /* byte offset of each line, as libyaml counts lines */
	size_t nlines;
	int ascii;            /* no multi-byte characters: column == bytes */
	/* the last conversion: marks mostly arrive in order, so walk from it */
	size_t c_line, c_col, c_off;
};

struct anchor {
	const char *name;     /* arena */
	struct ynode *node;
	size_t weight;        /* nodes an alias to it would create */
};

struct frame {
	struct ynode *node;
	const char *anchor;   /* arena; registered when the node completes */
	size_t weight;
	struct ynode **items; /* heap while open; copied into the arena on close */
	size_t nitems, cap;
	struct ynode *key;    /* a mapping's key awaiting its value */
	int bad_key;          /* that key was not a scalar (already reported) */
};

struct loader {
	struct ydoc *doc;
	const struct yaml_load_opts *o;
	struct diag_list *d;
	struct locator lc;
	struct frame *stack;
	size_t depth, stackcap;
	struct anchor *anchors;    /* open addressing by name: hostile files */
	size_t nanchors, anchorcap; /* may define 100,000 anchors */
	size_t budget;        /* nodes created so far, counting alias expansion */
	size_t failed;        /* errors reported by the loader */
	size_t bom;           /* bytes of byte order mark not given to libyaml */
	int stop;             /* a problem that leaves nothing sensible to parse */
};

static const struct yaml_load_opts plan_opts = {"plan", 0};

static const char *what(const struct yaml_load_opts *o)
{
	return o->what ? o->what : "plan";
}

/* ---- UTF-8 and line breaks ------------------------------------------- */

/* Width in bytes of the line break at p, 0 if none.  libyaml breaks lines on
 * CR, LF, CRLF, NEL, LS and PS; the locator must count the same way. */
static size_t break_at(const char *p, size_t n)
{
	if (p[0] == '\r')
		return n > 1 && p[1] == '\n' ? 2 : 1;
	if (p[0] == '\n')
		return 1;
	if (n >= 2 && (unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0x85)
		return 2;
	if (n >= 3 && (unsigned char)p[0] == 0xe2 && (unsigned char)p[1] == 0x80 &&
	    ((unsigned char)p[2] == 0xa8 || (unsigned char)p[2] == 0xa9))
		return 3;
	return 0;
}

/* No byte has its high bit set: eight at a time. */
static int is_ascii(const char *text, size_t len)
{
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, text + i, 8);
		if (w & 0x8080808080808080u)
			return 0;
	}
	for (; i < len; i++)
		if ((unsigned char)text[i] >= 0x80)
			return 0;
	return 1;
}

static void locator_init(struct locator *lc, const char *text, size_t len)
{
	memset(lc, 0, sizeof *lc);
	lc->text = text;
	lc->len = len;
	size_t cap = 0, i = 0;
	XGROW(lc->line_start, cap, 1);
	/* libyaml skips a byte order mark without counting it. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		i = 3;
	lc->line_start[lc->nlines++] = i;
	lc->ascii = is_ascii(text, len);
	if (lc->ascii && !memchr(text, '\r', len)) {
		/* The common case, LF-only ASCII, at memchr speed. */
		const char *nl;
		while (i < len && (nl = memchr(text + i, '\n', len - i)) != NULL) {
			i = (size_t)(nl - text) + 1;
			XGROW(lc->line_start, cap, lc->nlines + 1);
			lc->line_start[lc->nlines++] = i;
		}
		lc->c_line = SIZE_MAX;
		return;
	}
	while (i < len) {
		unsigned char c = (unsigned char)text[i];
		size_t br = (c == '\r' || c == '\n' || c >= 0xc2) ? break_at(text + i, len - i) : 0;
		if (br) {
			i += br;
			XGROW(lc->line_start, cap, lc->nlines + 1);
			lc->line_start[lc->nlines++] = i;
		} else {
			i++;
		}
	}
	lc->c_line = SIZE_MAX;
}

/* Byte offset of libyaml's (line, column): walk column characters. */
static size_t locator_off(struct locator *lc, size_t line, size_t col)
{
	if (line >= lc->nlines)
		return lc->len;
	size_t start = lc->line_start[line];
	if (lc->ascii)
		return start + col < lc->len ? start + col : lc->len;
	size_t off = start, c = 0;
	if (lc->c_line == line && lc->c_col <= col) {
		off = lc->c_off;
		c = lc->c_col;
	}
	while (c < col && off < lc->len) {
		size_t k = utf8_seq((const unsigned char *)lc->text + off, lc->len - off);
		off += k ? k : 1;
		c++;
	}
	lc->c_line = line;
	lc->c_col = col;
	lc->c_off = off;
	return off;
}

/* The 1-based line holding byte offset off. */
static uint32_t locator_line_of(const struct locator *lc, size_t off)
{
	size_t lo = 0, hi = lc->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (lc->line_start[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return (uint32_t)lo + 1;
}

static void loc_from_off(struct loader *L, struct loc *l, size_t off, size_t end)
{
	memset(l, 0, sizeof *l);
	l->file = L->doc->file;
	if (off > L->lc.len)
		off = L->lc.len;
	if (end < off)
		end = off;
	if (end > L->lc.len)
		end = L->lc.len;
	l->line = locator_line_of(&L->lc, off);
	l->col = (uint32_t)(off - L->lc.line_start[l->line - 1]) + 1;
	l->end_line = locator_line_of(&L->lc, end);
	l->end_col = (uint32_t)(end - L->lc.line_start[l->end_line - 1]) + 1;
	l->off = (uint32_t)off;
	l->end_off = (uint32_t)end;
}

static void loc_from_marks(struct loader *L, struct loc *l, yaml_mark_t a, yaml_mark_t b)
{
	size_t off = locator_off(&L->lc, a.line, a.column);
	size_t end = locator_off(&L->lc, b.line, b.column);
	memset(l, 0, sizeof *l);
	l->file = L->doc->file;
	l->line = (uint32_t)a.line + 1;
	l->col = (uint32_t)(off - L->lc.line_start[a.line < L->lc.nlines ? a.line : L->lc.nlines - 1]) + 1;
	l->end_line = (uint32_t)b.line + 1;
	l->end_col = (uint32_t)(end - L->lc.line_start[b.line < L->lc.nlines ? b.line : L->lc.nlines - 1]) + 1;
	l->off = (uint32_t)off;
	l->end_off = (uint32_t)(end < off ? off : end);
}

/* ---- checks before libyaml ------------------------------------------- */

static int check_utf8(struct loader *L)
{
	const unsigned char *p = (const unsigned char *)L->doc->text;
	size_t n = L->doc->len;
	if (L->lc.ascii)
		return 0;
	for (size_t i = 0; i < n;) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = utf8_seq(p + i, n - i);
		if (k) {
			i += k;
			continue;
		}
		struct loc l;
		loc_from_off(L, &l, i, i + 1);
		struct diag *g = diag_add(L->d, OP008, &l, "invalid UTF-8 byte 0x%02x in '%s'", p[i],
					  L->doc->file);
		L->failed++;
		if (n >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff)))
			diag_hint(g, "the file looks like UTF-16; save it as UTF-8");
		return -1;
	}
	return 0;
}

/* ---- errors ------------------------------------------------------------ */

static void fail(struct loader *L, enum diag_code code, const struct loc *l, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail(struct loader *L, enum diag_code code, const struct loc *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_addv(L->d, code, l, fmt, ap);
	va_end(ap);
	L->failed++;
}

/* A tab in the indentation of the line at off, or SIZE_MAX.  libyaml reports
 * such a line as "cannot start any token"; the user needs to hear "tab". */
static size_t tab_in_indent(struct loader *L, size_t off)
{
	uint32_t line = locator_line_of(&L->lc, off);
	size_t i = L->lc.line_start[line - 1];
	for (; i < L->lc.len && (L->lc.text[i] == ' ' || L->lc.text[i] == '\t'); i++)
		if (L->lc.text[i] == '\t')
			return i;
	return SIZE_MAX;
}

static void libyaml_error(struct loader *L, const yaml_parser_t *p)
{
	struct loc l;
	size_t off;
	if (p->error == YAML_READER_ERROR) {
		/* problem_offset counts bytes of the input here */
		off = p->problem_offset + L->bom;
		loc_from_off(L, &l, off, off + 1);
		fail(L, OP001, &l, "%s (byte 0x%02x)", p->problem ? p->problem : "cannot read the input",
		     (unsigned)(p->problem_value & 0xff));
		return;
	}
	yaml_mark_t m = p->problem ? p->problem_mark : p->context_mark;
	off = locator_off(&L->lc, m.line, m.column);
	size_t tab = tab_in_indent(L, off);
	if (tab != SIZE_MAX && p->error == YAML_SCANNER_ERROR) {
		loc_from_off(L, &l, tab, tab + 1);
		struct diag *g = diag_add(L->d, OP003, &l, "tab character in indentation");
		L->failed++;
		diag_hint(g, "YAML indents with spaces only");
		return;
	}
	loc_from_off(L, &l, off, off + 1);
	const char *problem = p->problem ? p->problem : "invalid YAML";
	struct diag *g = diag_add(L->d, OP001, &l, "%s", problem);
	L->failed++;
	if (p->context && p->problem) {
		uint32_t cl = (uint32_t)p->context_mark.line + 1;
		diag_hint(g, "%s at line %u", p->context, cl);
	}
}

/* ---- building the tree ------------------------------------------------- */

static struct ynode *node_new(struct loader *L, enum ynode_kind kind, const yaml_event_t *e)
{
	struct ynode *n = arena_alloc(L->doc->arena, sizeof *n);
	n->kind = kind;
	loc_from_marks(L, &n->loc, e->start_mark, e->end_mark);
	return n;
}

static const char *event_tag(struct loader *L, const yaml_char_t *tag)
{
	return tag ? arena_strdup(L->doc->arena, (const char *)tag) : NULL;
}

static int budget_add(struct loader *L, size_t weight, const struct loc *l)
{
	if (weight > YAML_LOAD_MAX_NODES || L->budget + weight > YAML_LOAD_MAX_NODES) {
		fail(L, OP005, l, "the document expands to more than %u nodes", YAML_LOAD_MAX_NODES);
		L->stop = 1;
		return -1;
	}
	L->budget += weight;
	return 0;
}

static size_t name_hash(const char *s)
{
	size_t h = 14695981039346656037u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot holding name, or the empty slot where it belongs. */
static struct anchor *anchor_slot(struct loader *L, const char *name)
{
	size_t mask = L->anchorcap - 1, i = name_hash(name) & mask;
	while (L->anchors[i].name && strcmp(L->anchors[i].name, name))
		i = (i + 1) & mask;
	return &L->anchors[i];
}

static void anchor_set(struct loader *L, const char *name, struct ynode *n, size_t weight)
{
	if (2 * (L->nanchors + 1) > L->anchorcap) {
		struct anchor *old = L->anchors;
		size_t oldcap = L->anchorcap;
		L->anchorcap = oldcap ? 2 * oldcap : 64;
		L->anchors = xcalloc(L->anchorcap, sizeof *L->anchors);
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].name)
				*anchor_slot(L, old[i].name) = old[i];
		free(old);
	}
	struct anchor *a = anchor_slot(L, name);
	/* A redefined anchor shadows the old one for later aliases. */
	if (!a->name)
		L->nanchors++;
	*a = (struct anchor){name, n, weight};
}

static const struct anchor *anchor_find(struct loader *L, const char *name)
{
	if (!L->anchorcap)
		return NULL;
	const struct anchor *a = anchor_slot(L, name);
	return a->name ? a : NULL;
}

static int key_eq(const struct ynode *a, const struct ynode *b)
{
	return a->len == b->len && !memcmp(a->str, b->str, a->len);
}

static int cmp_key(const void *pa, const void *pb)
{
	const struct ypair *a = *(const struct ypair *const *)pa, *b = *(const struct ypair *const *)pb;
	size_t n = a->key->len < b->key->len ? a->key->len : b->key->len;
	int r = memcmp(a->key->str, b->key->str, n);
	if (r)
		return r;
	if (a->key->len != b->key->len)
		return a->key->len < b->key->len ? -1 : 1;
	return a < b ? -1 : a > b;   /* document order among equals */
}

static void report_dup(struct loader *L, const struct ypair *first, const struct ypair *again)
{
	struct diag *g = diag_add(L->d, OP002, &again->key->loc, "duplicate key '%.*s'",
				  (int)(again->key->len > 200 ? 200 : again->key->len), again->key->str);
	L->failed++;
	/* An alias can make the same node both keys: no useful "first". */
	if (first->key->loc.line)
		diag_hint(g, "first defined at line %u", first->key->loc.line);
}

/* Duplicate keys: pairwise while small, sorted when a hostile map is big. */
static void check_dups(struct loader *L, struct ynode *map)
{
	size_t n = map->npairs;
	if (n <= 16) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (key_eq(map->pairs[i].key, map->pairs[j].key)) {
					report_dup(L, &map->pairs[j], &map->pairs[i]);
					break;
				}
		return;
	}
	const struct ypair **v = xmalloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = &map->pairs[i];
	qsort(v, n, sizeof *v, cmp_key);
	size_t first = 0, reported = 0;
	for (size_t i = 1; i < n; i++) {
		if (!key_eq(v[first]->key, v[i]->key))
			first = i;
		else if (reported++ < 100)
			report_dup(L, v[first], v[i]);
	}
	free(v);
}

/* Attach a finished node to its parent frame (or make it the root). */
static void attach(struct loader *L, struct ynode *n, size_t weight)
{
	if (L->depth == 0) {
		L->doc->root = n;
		return;
	}
	struct frame *f = &L->stack[L->depth - 1];
	f->weight += weight;
	if (f->node->kind == YNODE_SEQ) {
		XGROW(f->items, f->cap, f->nitems + 1);
		f->items[f->nitems++] = n;
		return;
	}
	if (!f->key && !f->bad_key) {
		if (n->kind != YNODE_SCALAR) {
			fail(L, OP009, &n->loc, "a mapping key must be a scalar, not a %s",
			     n->kind == YNODE_MAP ? "mapping" : "sequence");
			f->bad_key = 1;
			return;
		}
		f->key = n;
		return;
	}
	if (f->bad_key) {
		f->bad_key = 0;
		return;
	}
	/* Pairs are stored flat as key, value in items until the map closes. */
	XGROW(f->items, f->cap, f->nitems + 2);
	f->items[f->nitems++] = f->key;
	f->items[f->nitems++] = n;
	f->key = NULL;
}

static void open_node(struct loader *L, enum ynode_kind kind, const yaml_event_t *e,
		      const yaml_char_t *anchor, const yaml_char_t *tag)
{
	struct ynode *n = node_new(L, kind, e);
	n->tag = event_tag(L, tag);
	if (L->depth >= YAML_LOAD_MAX_DEPTH) {
		fail(L, OP006, &n->loc, "nesting deeper than %d levels", YAML_LOAD_MAX_DEPTH);
		L->stop = 1;
		return;
	}
	if (budget_add(L, 1, &n->loc) < 0)
		return;
	XGROW(L->stack, L->stackcap, L->depth + 1);
	struct frame *f = &L->stack[L->depth++];
	memset(f, 0, sizeof *f);
	f->node = n;
	f->weight = 1;
	f->anchor = anchor ? arena_strdup(L->doc->arena, (const char *)anchor) : NULL;
}

static void close_node(struct loader *L, const yaml_event_t *e)
{
	struct frame f = L->stack[--L->depth];
	struct ynode *n = f.node;
	/* The end of a collection is where its closing event ends. */
	struct loc end;
	loc_from_marks(L, &end, e->end_mark, e->end_mark);
	n->loc.end_line = end.end_line;
	n->loc.end_col = end.end_col;
	n->loc.end_off = end.end_off;
	if (n->kind == YNODE_SEQ) {
		n->nitems = f.nitems;
		n->items = arena_alloc(L->doc->arena, (f.nitems ? f.nitems : 1) * sizeof *n->items);
		if (f.nitems)
			memcpy(n->items, f.items, f.nitems * sizeof *n->items);
	} else {
		n->npairs = f.nitems / 2;
		n->pairs = arena_alloc(L->doc->arena, (n->npairs ? n->npairs : 1) * sizeof *n->pairs);
		for (size_t i = 0; i < n->npairs; i++)
			n->pairs[i] = (struct ypair){f.items[2 * i], f.items[2 * i + 1]};
		check_dups(L, n);
	}
	free(f.items);
	if (f.anchor)
		anchor_set(L, f.anchor, n, f.weight);
	attach(L, n, f.weight);
}

static void scalar(struct loader *L, const yaml_event_t *e)
{
	struct ynode *n = node_new(L, YNODE_SCALAR, e);
	if (budget_add(L, 1, &n->loc) < 0)
		return;
	n->tag = event_tag(L, e->data.scalar.tag);
	n->len = e->data.scalar.length;
	n->str = arena_strndup(L->doc->arena, (const char *)e->data.scalar.value, n->len);
	switch (e->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = YSTYLE_SINGLE; break;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = YSTYLE_DOUBLE; break;
	case YAML_LITERAL_SCALAR_STYLE: n->style = YSTYLE_LITERAL; break;
	case YAML_FOLDED_SCALAR_STYLE: n->style = YSTYLE_FOLDED; break;
	default: n->style = YSTYLE_PLAIN; break;
	}
	if (e->data.scalar.anchor)
		anchor_set(L, arena_strdup(L->doc->arena, (const char *)e->data.scalar.anchor), n, 1);
	attach(L, n, 1);
}

static void alias(struct loader *L, const yaml_event_t *e)
{
	struct loc l;
	loc_from_marks(L, &l, e->start_mark, e->end_mark);
	const char *name = (const char *)e->data.alias.anchor;
	int shown = strlen(name) > 64 ? 64 : (int)strlen(name);   /* messages stay short */
	const struct anchor *a = anchor_find(L, name);
	if (!a) {
		for (size_t i = 0; i < L->depth; i++) {
			if (L->stack[i].anchor && !strcmp(L->stack[i].anchor, name)) {
				fail(L, OP005, &l, "alias '*%.*s' refers to a node that contains it", shown, name);
				L->stop = 1;
				return;
			}
		}
		fail(L, OP001, &l, "unknown anchor '%.*s'", shown, name);
		L->stop = 1;
		return;
	}
	if (budget_add(L, a->weight, &l) < 0)
		return;
	attach(L, a->node, a->weight);
}

static void load_events(struct loader *L, yaml_parser_t *p)
{
	int docs = 0, done = 0;
	while (!done && !L->stop) {
		yaml_event_t e;
		if (!yaml_parser_parse(p, &e)) {
			libyaml_error(L, p);
			return;
		}
		switch (e.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				struct loc l;
				loc_from_marks(L, &l, e.start_mark, e.end_mark);
				struct diag *g = diag_add(L->d, OP004, &l, "a second YAML document in '%s'", L->doc->file);
				L->failed++;
				diag_hint(g, "a %s file holds exactly one document; remove the '---' or split the file",
					  what(L->o));
				L->stop = 1;
			}
			break;
		case YAML_SCALAR_EVENT:
			scalar(L, &e);
			break;
		case YAML_SEQUENCE_START_EVENT:
			open_node(L, YNODE_SEQ, &e, e.data.sequence_start.anchor, e.data.sequence_start.tag);
			break;
		case YAML_MAPPING_START_EVENT:
			open_node(L, YNODE_MAP, &e, e.data.mapping_start.anchor, e.data.mapping_start.tag);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (L->depth)
				close_node(L, &e);
			break;
		case YAML_ALIAS_EVENT:
			alias(L, &e);
			break;
		default:
			break;
		}
		yaml_event_delete(&e);
	}
	if (!L->failed && docs == 0 && !L->o->empty_ok) {
		struct loc l;
		loc_from_off(L, &l, 0, 0);
		fail(L, OP010, &l, "'%s' holds no YAML document", L->doc->file);
	}
}

static int is_empty_doc(const struct ynode *r)
{
	return r && r->kind == YNODE_SCALAR && r->style == YSTYLE_PLAIN && !r->tag && r->len == 0;
}

static void load(struct ydoc *doc, const struct yaml_load_opts *o, struct diag_list *d)
{
	struct loader L;
	memset(&L, 0, sizeof L);
	L.doc = doc;
	L.o = o;
	L.d = d;
	diag_source(d, doc->file, doc->text, doc->len);
	locator_init(&L.lc, doc->text, doc->len);
	if (check_utf8(&L) < 0) {
		free(L.lc.line_start);
		return;
	}
	yaml_parser_t p;
	yaml_parser_initialize(&p);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	/* With the encoding fixed, libyaml would read a BOM as content. */
	if (doc->len >= 3 && !memcmp(doc->text, "\xef\xbb\xbf", 3))
		L.bom = 3;
	yaml_parser_set_input_string(&p, (const unsigned char *)doc->text + L.bom, doc->len - L.bom);
	load_events(&L, &p);
	yaml_parser_delete(&p);
	if (!L.failed && is_empty_doc(doc->root) && !o->empty_ok) {
		struct loc l;
		loc_from_off(&L, &l, 0, 0);
		fail(&L, OP010, &l, "'%s' holds only an empty document", doc->file);
	}
	for (size_t i = 0; i < L.depth; i++)
		free(L.stack[i].items);
	free(L.stack);
	free(L.anchors);
	free(L.lc.line_start);
	/* A partial tree would let later stages report on a guess. */
	if (L.failed)
		doc->root = NULL;
}

static struct ydoc *doc_new(const char *name)
{
	struct ydoc *doc = xcalloc(1, sizeof *doc);
	doc->file = xstrdup(name);
	doc->arena = arena_new();
	doc->text = xstrdup("");
	return doc;
}

static void too_large(struct ydoc *doc, const struct yaml_load_opts *o, struct diag_list *d, size_t size)
{
	struct loc l = {doc->file, 1, 1, 1, 1, 0, 0};
	struct diag *g = diag_add(d, OP007, &l, "'%s' is larger than %u bytes", doc->file,
				  YAML_LOAD_MAX_BYTES);
	if (size)
		diag_hint(g, "it holds %zu bytes; a %s is a few KiB", size, what(o));
}

struct ydoc *yaml_load_mem(const char *name, const char *bytes, size_t len, struct diag_list *d)
{
	struct ydoc *doc = doc_new(name);
	if (len > YAML_LOAD_MAX_BYTES) {
		too_large(doc, &plan_opts, d, len);
		return doc;
	}
	free(doc->text);
	doc->text = xmalloc(len + 1);
	if (len)
		memcpy(doc->text, bytes, len);
	doc->text[len] = '\0';
	doc->len = len;
	load(doc, &plan_opts, d);
	return doc;
}

static void io_error(struct ydoc *doc, struct diag_list *d, const char *what, int err)
{
	struct loc l = {doc->file, 0, 0, 0, 0, 0, 0};
	diag_add(d, OP011, &l, "cannot %s '%s': %s", what, doc->file, strerror(err));
	doc->sys_errno = err;
}

struct ydoc *yaml_load_file(const char *path, struct diag_list *d)
{
	return yaml_load_file_as(path, &plan_opts, d);
}

struct ydoc *yaml_load_file_as(const char *path, const struct yaml_load_opts *o, struct diag_list *d)
{
	if (!o)
		o = &plan_opts;
	struct ydoc *doc = doc_new(path);
	char *buf = NULL;
	size_t len = 0;
	/* fileio stops reading one byte past the limit: a 100 MB file costs 4 MiB */
	int rc = fileio_read(&buf, &len, path, YAML_LOAD_MAX_BYTES);
	if (rc == FILEIO_TOOBIG) {
		too_large(doc, o, d, len);
		return doc;
	}
	if (rc < 0) {
		io_error(doc, d, rc == FILEIO_OPEN ? "open" : "read", errno);
		return doc;
	}
	free(doc->text);
	doc->text = buf;
	doc->len = len;
	load(doc, o, d);
	return doc;
}

void yaml_load_free(struct ydoc *doc)
{
	if (!doc)
		return;
	arena_free(doc->arena);
	free(doc->file);
	free(doc->text);
	free(doc);
}

/* ---- lookups and scalar conversions ------------------------------------ */

const struct ypair *ynode_pair(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YNODE_MAP)
		return NULL;
	size_t n = strlen(key);
	for (size_t i = 0; i < map->npairs; i++) {
		const struct ynode *k = map->pairs[i].key;
		if (k->len == n && !memcmp(k->str, key, n))
			return &map->pairs[i];
	}
	return NULL;
}

struct ynode *ynode_get(const struct ynode *map, const char *key)
{
	const struct ypair *p = ynode_pair(map, key);
	return p ? p->value : NULL;
}

static int tag_is(const struct ynode *n, const char *name)
{
	static const char prefix[] = "tag:yaml.org,2002:";
	if (!n->tag)
		return 0;
	if (!strncmp(n->tag, prefix, sizeof prefix - 1))
		return !strcmp(n->tag + sizeof prefix - 1, name);
	return n->tag[0] == '!' && n->tag[1] == '!' && !strcmp(n->tag + 2, name);
}

/* Untagged plain scalars are resolved by the core schema; quoted ones and
 * those tagged !!str are strings whatever they look like. */
static int resolvable(const struct ynode *n)
{
	return n && n->kind == YNODE_SCALAR && n->style == YSTYLE_PLAIN && !n->tag;
}

int ynode_is_null(const struct ynode *n)
{
	if (n && n->kind == YNODE_SCALAR && tag_is(n, "null"))
		return 1;
	if (!resolvable(n))
		return 0;
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
		if (n->len == strlen(nulls[i]) && !memcmp(n->str, nulls[i], n->len))
			return 1;
	return 0;
}

int ynode_bool(const struct ynode *n, int *out)
{
	if (!n || n->kind != YNODE_SCALAR || (!resolvable(n) && !tag_is(n, "bool")))
		return -1;
	static const char *const t[] = {"true", "True", "TRUE"}, *const f[] = {"false", "False", "FALSE"};
	for (size_t i = 0; i < 3; i++) {
		if (!strcmp(n->str, t[i])) {
			*out = 1;
			return 0;
		}
		if (!strcmp(n->str, f[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int all_in(const char *s, const char *set)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr(set, *s))
			return 0;
	return 1;
}

/* YAML 1.2 core schema numbers: decimal ints and floats, 0o octal, 0x hex,
 * .inf and .nan. */
int ynode_number(const struct ynode *n, double *out)
{
	if (!n || n->kind != YNODE_SCALAR || n->len != strlen(n->str) || n->len == 0 || n->len > 64 ||
	    (!resolvable(n) && !tag_is(n, "int") && !tag_is(n, "float")))
		return -1;
	const char *s = n->str;
	if (!strncmp(s, "0o", 2) && all_in(s + 2, "01234567")) {
		*out = (double)strtoull(s + 2, NULL, 8);
		return 0;
	}
	if (!strncmp(s, "0x", 2) && all_in(s + 2, "0123456789abcdefABCDEF")) {
		*out = (double)strtoull(s + 2, NULL, 16);
		return 0;
	}
	const char *p = s + (*s == '+' || *s == '-');
	double sign = *s == '-' ? -1.0 : 1.0;
	if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF")) {
		*out = sign * INFINITY;
		return 0;
	}
	if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN")) {
		*out = NAN;
		return 0;
	}
	/* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
	const char *q = p;
	size_t digits = 0;
	while (*q >= '0' && *q <= '9')
		q++, digits++;
	if (*q == '.') {
		q++;
		while (*q >= '0' && *q <= '9')
			q++, digits++;
	}
	if (!digits)
		return -1;
	if (*q == 'e' || *q == 'E') {
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (!(*q >= '0' && *q <= '9'))
			return -1;
		while (*q >= '0' && *q <= '9')
			q++;
	}
	if (*q)
		return -1;
	*out = strtod(s, NULL);
	return 0;
}

int ynode_is_string(const struct ynode *n)
{
	if (!n || n->kind != YNODE_SCALAR)
		return 0;
	if (tag_is(n, "str") || n->style != YSTYLE_PLAIN)
		return 1;
	if (n->tag)
		return 0;
	int b;
	double x;
	return !ynode_is_null(n) && ynode_bool(n, &b) < 0 && ynode_number(n, &x) < 0;
}

const char *ynode_kind_name(const struct ynode *n)
{
	if (!n)
		return "nothing";
	if (n->kind == YNODE_MAP)
		return "mapping";
	if (n->kind == YNODE_SEQ)
		return "sequence";
	int b;
	double x;
	if (ynode_is_string(n))
		return "string";
	if (ynode_is_null(n))
		return "null";
	if (ynode_bool(n, &b) == 0)
		return "boolean";
	if (ynode_number(n, &x) == 0)
		return "number";
	return "string";
}
