/* mem.h - allocation that aborts on exhaustion, arenas, growable strings.
 *
 * A CLI gains nothing from out-of-memory paths: x* functions never
 * return NULL.  An arena owns every block it hands out; arena_free releases
 * them all at once, which is how compile-time objects (AST, types) are owned. */
#ifndef OPSPLAN_MEM_H
#define OPSPLAN_MEM_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Grow *items so that it holds at least need elements of size sz. */
void xgrow(void **items, size_t *cap, size_t need, size_t sz);
#define XGROW(arr, cap, need) xgrow((void **)&(arr), &(cap), (need), sizeof *(arr))

struct arena;
struct arena *arena_new(void);
void arena_free(struct arena *a);                 /* accepts NULL */
void *arena_alloc(struct arena *a, size_t n);     /* zeroed, 16-aligned */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* A growable NUL-terminated byte string.  Zero-initialise, then append. */
struct strbuf {
	char *s;
	size_t len, cap;
};
void sb_add(struct strbuf *b, const char *s, size_t n);
void sb_puts(struct strbuf *b, const char *s);
void sb_putc(struct strbuf *b, char c);
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_json_str(struct strbuf *b, const char *s); /* appends a quoted JSON string */
char *sb_detach(struct strbuf *b);                /* caller owns; b is reset */
void sb_release(struct strbuf *b);

#endif
