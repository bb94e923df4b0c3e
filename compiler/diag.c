/* diag.c - see diag.h.  Collection, "did you mean", sorting and the four
 * printers (text, JSON lines, SARIF 2.1.0, GitHub workflow annotations). */
#include "diag.h"
#include "version.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "utf8.h"

/* ORDER diag_codes.h */
static const struct {
	const char *name, *slug, *summary;
	enum diag_severity sev;
} codes[] = {
#define X(code, sev_, slug_, summary_) {#code, slug_, summary_, sev_},
#include "diag_codes.h"
#undef X
};

/* Longest word diag_suggest compares: keys and field names are short, and the
 * O(n*m) table must stay bounded on hostile input. */
#define SUGGEST_MAX 64
/* The program's version lives with main(); weak, so the library links
 * without it (unit tests, the fuzzer) and SARIF then omits the version. */

/* Widest slice of a source line shown under a diagnostic. */
#define SNIPPET_WIDTH 160

void diag_init(struct diag_list *d)
{
	memset(d, 0, sizeof *d);
}

void diag_release(struct diag_list *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct diag *g = &d->items[i];
		free(g->msg);
		for (size_t h = 0; h < g->nhints; h++)
			free(g->hints[h]);
		free(g->hints);
		free((char *)g->loc.file);
	}
	free(d->items);
	free(d->src);
	memset(d, 0, sizeof *d);
}

void diag_source(struct diag_list *d, const char *file, const char *text, size_t len)
{
	for (size_t i = 0; i < d->nsrc; i++) {
		if (!strcmp(d->src[i].file, file)) {
			d->src[i].text = text;
			d->src[i].len = len;
			return;
		}
	}
	XGROW(d->src, d->srccap, d->nsrc + 1);
	d->src[d->nsrc++] = (struct diag_source){file, text, len};
}

struct diag *diag_addv(struct diag_list *d, enum diag_code code, const struct loc *loc,
		       const char *fmt, va_list ap)
{
	XGROW(d->items, d->cap, d->n + 1);
	struct diag *g = &d->items[d->n++];
	memset(g, 0, sizeof *g);
	g->code = code;
	g->sev = diag_code_severity(code);
	if (loc) {
		g->loc = *loc;
		/* The list owns its strings, so it can outlive the source it came
		 * from (lint keeps findings of many files for one SARIF log). */
		g->loc.file = loc->file ? xstrdup(loc->file) : NULL;
	}
	g->msg = xvasprintf(fmt, ap);
	if (g->sev == DIAG_ERROR)
		d->errors++;
	else if (g->sev == DIAG_WARNING)
		d->warnings++;
	return g;
}

struct diag *diag_add(struct diag_list *d, enum diag_code code, const struct loc *loc,
		      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *g = diag_addv(d, code, loc, fmt, ap);
	va_end(ap);
	return g;
}

void diag_hint(struct diag *g, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g->hints = xrealloc(g->hints, (g->nhints + 1) * sizeof *g->hints);
	g->hints[g->nhints++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Optimal string alignment distance (Damerau-Levenshtein restricted to one
 * transposition per pair), case-insensitive: "Timeout" is a typo of "timeout". */
static size_t edit_distance(const char *a, size_t n, const char *b, size_t m)
{
	size_t row[3][SUGGEST_MAX + 1];
	size_t *pp = row[0], *p = row[1], *c = row[2];
	for (size_t j = 0; j <= m; j++)
		p[j] = j;
	for (size_t i = 1; i <= n; i++) {
		c[0] = i;
		for (size_t j = 1; j <= m; j++) {
			char x = a[i - 1], y = b[j - 1];
			if (x >= 'A' && x <= 'Z')
				x = (char)(x - 'A' + 'a');
			if (y >= 'A' && y <= 'Z')
				y = (char)(y - 'A' + 'a');
			size_t best = p[j - 1] + (x != y);
			if (p[j] + 1 < best)
				best = p[j] + 1;
			if (c[j - 1] + 1 < best)
				best = c[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			c[j] = best;
		}
		size_t *t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[m];
}

const char *diag_suggest(const char *word, const char *const *cands, size_t ncands)
{
	size_t n = strlen(word);
	if (n == 0 || n > SUGGEST_MAX)
		return NULL;
	/* One edit per three characters, at least one: "tiemout" -> "timeout"
	 * (a transposition), but "id" is not a typo of "do". */
	size_t limit = n / 3 ? n / 3 : 1;
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	for (size_t i = 0; i < ncands; i++) {
		size_t m = strlen(cands[i]);
		if (m == 0 || m > SUGGEST_MAX)
			continue;
		size_t lim = limit;
		if (m / 3 > lim)
			lim = m / 3;
		size_t dist = edit_distance(word, n, cands[i], m);
		/* Replacing every character is no typo. */
		if (dist > lim || dist >= n || dist >= m)
			continue;
		if (dist < best_d) {
			best_d = dist;
			best = cands[i];
		}
	}
	return best;
}

size_t diag_errors(const struct diag_list *d)
{
	return d->errors + (d->werror ? d->warnings : 0);
}

static int cmp_diag(const void *pa, const void *pb)
{
	const struct diag *a = pa, *b = pb;
	const char *fa = a->loc.file ? a->loc.file : "", *fb = b->loc.file ? b->loc.file : "";
	int r = strcmp(fa, fb);
	if (r)
		return r;
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	if (a->loc.col != b->loc.col)
		return a->loc.col < b->loc.col ? -1 : 1;
	if (a->code != b->code)
		return a->code < b->code ? -1 : 1;
	/* qsort is not stable; the message keeps the order deterministic. */
	return strcmp(a->msg, b->msg);
}

void diag_sort(struct diag_list *d)
{
	if (d->n > 1)
		qsort(d->items, d->n, sizeof *d->items, cmp_diag);
}

const char *diag_code_name(enum diag_code c)
{
	return (size_t)c < DIAG_CODE_COUNT ? codes[c].name : "OP000";
}

const char *diag_code_slug(enum diag_code c)
{
	return (size_t)c < DIAG_CODE_COUNT ? codes[c].slug : "unknown";
}

enum diag_severity diag_code_severity(enum diag_code c)
{
	return (size_t)c < DIAG_CODE_COUNT ? codes[c].sev : DIAG_ERROR;
}

int diag_code_lookup(const char *name, enum diag_code *out)
{
	for (size_t i = 0; i < DIAG_CODE_COUNT; i++) {
		if (!strcmp(codes[i].name, name) || !strcmp(codes[i].slug, name)) {
			*out = (enum diag_code)i;
			return 0;
		}
	}
	return -1;
}

int diag_format_parse(const char *s, enum diag_format *out)
{
	static const char *const names[] = {"text", "json", "sarif", "github"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum diag_format)i;
			return 0;
		}
	}
	return -1;
}

static const char *sev_name(enum diag_severity s)
{
	return s == DIAG_ERROR ? "error" : s == DIAG_WARNING ? "warning" : "note";
}

/* Append s[0..n) for a terminal or a JSON string: invalid UTF-8 becomes
 * U+FFFD, and control characters (an ESC could drive the terminal) become
 * '?' unless keep_ws allows tab and newline. */
static void put_clean(struct strbuf *b, const char *s, size_t n, int keep_ws)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(p + i, n - i);
		if (k == 0) {
			sb_puts(b, "\xef\xbf\xbd");
			i++;
		} else if (k == 1 && (p[i] < 0x20 || p[i] == 0x7f)) {
			sb_putc(b, keep_ws && (p[i] == '\t' || p[i] == '\n') ? (char)p[i] : '?');
			i++;
		} else {
			sb_add(b, s + i, k);
			i += k;
		}
	}
}

static const struct diag_source *find_source(const struct diag_list *d, const char *file)
{
	for (size_t i = 0; file && i < d->nsrc; i++)
		if (!strcmp(d->src[i].file, file))
			return &d->src[i];
	return NULL;
}

/* The byte range [*start, *end) of line (1-based) in text, or -1. */
static int find_line(const struct diag_source *s, const struct loc *l, size_t *start, size_t *end)
{
	size_t off;
	/* Trust the byte offset when it agrees with the column. */
	if (l->off <= s->len && l->col >= 1 && l->off >= l->col - 1 &&
	    (l->off - (l->col - 1) == 0 || s->text[l->off - (l->col - 1) - 1] == '\n')) {
		off = l->off - (l->col - 1);
	} else {
		off = 0;
		for (uint32_t line = 1; line < l->line; line++) {
			const char *nl = memchr(s->text + off, '\n', s->len - off);
			if (!nl)
				return -1;
			off = (size_t)(nl - s->text) + 1;
		}
	}
	const char *nl = memchr(s->text + off, '\n', s->len - off);
	*start = off;
	*end = nl ? (size_t)(nl - s->text) : s->len;
	if (*end > *start && s->text[*end - 1] == '\r')
		(*end)--;
	return 0;
}

/* Display width of text[a..b): one column per character, tabs kept as tabs. */
static void pad_to(struct strbuf *b, const char *text, size_t a, size_t z)
{
	for (size_t i = a; i < z; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\t')
			sb_putc(b, '\t');
		else if ((c & 0xc0) != 0x80)
			sb_putc(b, ' ');
	}
}

static void text_snippet(struct strbuf *b, const struct diag_list *d, const struct diag *g,
			 int color)
{
	const struct diag_source *s = find_source(d, g->loc.file);
	size_t start, end;
	if (!s || g->loc.line == 0 || g->loc.col == 0 || find_line(s, &g->loc, &start, &end) < 0)
		return;
	size_t caret = start + g->loc.col - 1;
	if (caret > end)
		caret = end;
	/* A window around the caret keeps a minified line readable. */
	size_t from = start, to = end;
	if (caret - from > SNIPPET_WIDTH / 2)
		from = caret - SNIPPET_WIDTH / 4;
	while (from > start && ((unsigned char)s->text[from] & 0xc0) == 0x80)
		from--;
	if (to - from > SNIPPET_WIDTH)
		to = from + SNIPPET_WIDTH;
	while (to < end && ((unsigned char)s->text[to] & 0xc0) == 0x80)
		to++;
	size_t stop = caret + 1;
	if (g->loc.end_line == g->loc.line && g->loc.end_col > g->loc.col)
		stop = start + g->loc.end_col - 1;
	if (stop > to)
		stop = to > caret ? to : caret + 1;
	const char *blue = color ? "\033[1;34m" : "", *green = color ? "\033[1;32m" : "";
	const char *off = color ? "\033[0m" : "";
	char num[16];
	int w = snprintf(num, sizeof num, "%u", g->loc.line);
	sb_printf(b, "%s%*s |%s\n", blue, w, "", off);
	sb_printf(b, "%s%s |%s %s", blue, num, off, from > start ? "..." : "");
	put_clean(b, s->text + from, to - from, 1);
	sb_printf(b, "%s\n", to < end ? "..." : "");
	sb_printf(b, "%s%*s |%s %s", blue, w, "", off, from > start ? "   " : "");
	pad_to(b, s->text, from, caret);
	sb_printf(b, "%s^", green);
	for (size_t i = caret + 1; i < stop; i++)
		if (((unsigned char)s->text[i] & 0xc0) != 0x80)
			sb_putc(b, '~');
	sb_printf(b, "%s\n", off);
}

static void print_text(const struct diag_list *d, int color, FILE *out)
{
	static const char *const sev_color[] = {"\033[1;31m", "\033[1;33m", "\033[1;36m"};
	struct strbuf b = {0};
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *g = &d->items[i];
		const char *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";
		sb_puts(&b, bold);
		if (g->loc.file) {
			put_clean(&b, g->loc.file, strlen(g->loc.file), 0);
			if (g->loc.line)
				sb_printf(&b, ":%u:%u", g->loc.line, g->loc.col);
			sb_puts(&b, ": ");
		}
		sb_printf(&b, "%s%s%s[%s]%s%s: ", off, color ? sev_color[g->sev] : "", sev_name(g->sev),
			  diag_code_name(g->code), off, bold);
		put_clean(&b, g->msg, strlen(g->msg), 0);
		sb_printf(&b, "%s\n", off);
		text_snippet(&b, d, g, color);
		for (size_t h = 0; h < g->nhints; h++) {
			sb_printf(&b, "  = %shint%s: ", color ? "\033[1;36m" : "", off);
			put_clean(&b, g->hints[h], strlen(g->hints[h]), 0);
			sb_putc(&b, '\n');
		}
	}
	if (b.len)
		fwrite(b.s, 1, b.len, out);
	sb_release(&b);
}

/* A JSON string from bytes that may not be valid UTF-8 (a file name). */
static json_t *jstr(const char *s)
{
	struct strbuf b = {0};
	put_clean(&b, s, strlen(s), 1);
	json_t *j = json_stringn(b.s ? b.s : "", b.len);
	sb_release(&b);
	return j ? j : json_string("");
}

static json_t *json_diag(const struct diag *g)
{
	json_t *o = json_object();
	const struct loc *l = &g->loc;
	int has = l->file && l->line;
	json_object_set_new(o, "file", l->file ? jstr(l->file) : json_null());
	json_object_set_new(o, "line", has ? json_integer(l->line) : json_null());
	json_object_set_new(o, "col", has ? json_integer(l->col) : json_null());
	json_object_set_new(o, "end_line", has ? json_integer(l->end_line) : json_null());
	json_object_set_new(o, "end_col", has ? json_integer(l->end_col) : json_null());
	json_object_set_new(o, "severity", json_string(sev_name(g->sev)));
	json_object_set_new(o, "code", json_string(diag_code_name(g->code)));
	json_object_set_new(o, "slug", json_string(diag_code_slug(g->code)));
	json_object_set_new(o, "message", jstr(g->msg));
	json_t *h = json_array();
	for (size_t i = 0; i < g->nhints; i++)
		json_array_append_new(h, jstr(g->hints[i]));
	json_object_set_new(o, "hints", h);
	return o;
}

static void print_json(const struct diag_list *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		json_t *o = json_diag(&d->items[i]);
		json_dumpf(o, out, JSON_COMPACT);
		fputc('\n', out);
		json_decref(o);
	}
}

static void uri_escape(struct strbuf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p))
			sb_putc(b, (char)*p);
		else
			sb_printf(b, "%%%02X", *p);
	}
}

/* An absolute path with "." and ".." resolved by name (no file system:
 * the file may not exist); cwd when file is relative. */
static char *abs_path(const char *cwd, const char *file)
{
	char *joined = file[0] == '/' ? xstrdup(file) : xasprintf("%s/%s", cwd, file);
	char *out = xmalloc(strlen(joined) + 2);
	size_t n = 0;
	for (char *seg = joined; *seg;) {
		char *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (n > 0 && out[--n] != '/')
				;
		} else if (len && !(len == 1 && seg[0] == '.')) {
			out[n++] = '/';
			memcpy(out + n, seg, len);
			n += len;
		}
		seg += len + (end ? 1 : 0);
	}
	if (!n)
		out[n++] = '/';
	out[n] = '\0';
	free(joined);
	return out;
}

/* The SARIF base (uriBaseId SRCROOT): the repository the working directory
 * is in (the nearest directory above it with a .git), else the working
 * directory; GitHub code scanning resolves results against the repository. */
static char *sarif_base(void)
{
	char cwd[4096];
	if (!getcwd(cwd, sizeof cwd))
		return NULL;
	char *dir = xstrdup(cwd);
	for (size_t n = strlen(dir); n > 1;) {
		char *git = xasprintf("%.*s/.git", (int)n, dir);
		int found = access(git, F_OK) == 0;
		free(git);
		if (found) {
			dir[n] = '\0';
			return dir;
		}
		while (n > 1 && dir[n - 1] != '/')
			n--;
		if (n > 1)
			n--;
	}
	free(dir);
	return xstrdup(cwd);
}

/* artifactLocation: relative to the base (uriBaseId SRCROOT) when the file
 * is under it, "../" resolved first; an absolute file URI otherwise. */
static json_t *sarif_location(const char *base, const char *file)
{
	char cwd[4096];
	struct strbuf b = {0};
	char *abs = getcwd(cwd, sizeof cwd) ? abs_path(cwd, file) : NULL;
	size_t bl = base ? strlen(base) : 0;
	json_t *loc = json_object();
	if (abs && base && bl > 1 && !strncmp(abs, base, bl) && abs[bl] == '/') {
		uri_escape(&b, abs + bl + 1);
		json_object_set_new(loc, "uriBaseId", json_string("SRCROOT"));
	} else if (abs) {
		sb_puts(&b, "file://");
		uri_escape(&b, abs);
	} else {
		uri_escape(&b, file);
	}
	json_object_set_new(loc, "uri", json_string(b.s ? b.s : ""));
	sb_release(&b);
	free(abs);
	return loc;
}

static json_t *sarif_result(const struct diag *g, size_t rule_index, const char *base)
{
	static const char *const level[] = {"error", "warning", "note"};
	struct strbuf text = {0};
	sb_puts(&text, g->msg);
	for (size_t h = 0; h < g->nhints; h++)
		sb_printf(&text, "\nhint: %s", g->hints[h]);
	json_t *r = json_object();
	json_object_set_new(r, "ruleId", json_string(diag_code_name(g->code)));
	json_object_set_new(r, "ruleIndex", json_integer((json_int_t)rule_index));
	json_object_set_new(r, "level", json_string(level[g->sev]));
	json_object_set_new(r, "message", json_pack("{s:o}", "text", jstr(text.s)));
	sb_release(&text);
	json_t *locs = json_array();
	if (g->loc.file) {
		json_t *phys = json_object();
		json_object_set_new(phys, "artifactLocation", sarif_location(base, g->loc.file));
		const struct loc *l = &g->loc;
		/* GitHub code scanning needs region.startLine on every result: a
		 * finding about the whole file (it cannot be read) points at line 1. */
		json_t *reg = json_pack("{s:i,s:i}", "startLine", (int)(l->line ? l->line : 1),
					"startColumn", (int)(l->line && l->col ? l->col : 1));
		if (l->line && (l->end_line > l->line || (l->end_line == l->line && l->end_col > l->col))) {
			json_object_set_new(reg, "endLine", json_integer(l->end_line));
			json_object_set_new(reg, "endColumn", json_integer(l->end_col));
		}
		json_object_set_new(phys, "region", reg);
		json_array_append_new(locs, json_pack("{s:o}", "physicalLocation", phys));
	}
	json_object_set_new(r, "locations", locs);
	return r;
}

static void print_sarif(const struct diag_list *d, FILE *out)
{
	static const char *const level[] = {"error", "warning", "note"};
	/* rules: only the codes used, in code order; results point at them. */
	size_t index[DIAG_CODE_COUNT + 1];
	int used[DIAG_CODE_COUNT + 1];
	memset(used, 0, sizeof used);
	for (size_t i = 0; i < d->n; i++)
		if ((size_t)d->items[i].code < DIAG_CODE_COUNT)
			used[d->items[i].code] = 1;
	json_t *rules = json_array();
	size_t nrules = 0;
	for (size_t c = 0; c < DIAG_CODE_COUNT; c++) {
		if (!used[c])
			continue;
		index[c] = nrules++;
		/* GitHub code scanning requires 'help' on every rule. */
		char *text = xasprintf("%s: %s; see docs/diagnostics.md, section %s", codes[c].name,
				       codes[c].summary, codes[c].name);
		char *md = xasprintf("**%s** `%s`: %s. See `docs/diagnostics.md`, section %s.",
				     codes[c].name, codes[c].slug, codes[c].summary, codes[c].name);
		json_array_append_new(rules, json_pack("{s:s,s:s,s:{s:s},s:{s:s},s:{s:s,s:s},s:{s:s}}",
			"id", codes[c].name, "name", codes[c].slug,
			"shortDescription", "text", codes[c].summary,
			"fullDescription", "text", codes[c].summary,
			"help", "text", text, "markdown", md,
			"defaultConfiguration", "level", level[codes[c].sev]));
		free(text);
		free(md);
	}
	json_t *results = json_array();
	char *base = sarif_base();
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *g = &d->items[i];
		if ((size_t)g->code < DIAG_CODE_COUNT)
			json_array_append_new(results, sarif_result(g, index[g->code], base));
	}
	json_t *log = json_pack("{s:s,s:s,s:[{s:{s:{s:s,s:o}},s:o}]}",
		"$schema", "https://json.schemastore.org/sarif-2.1.0.json",
		"version", "2.1.0",
		"runs",
		"tool", "driver", "name", "opsplan",
		"rules", rules,
		"results", results);
	{
		json_t *driver = json_object_get(json_object_get(json_array_get(json_object_get(log, "runs"), 0),
								 "tool"), "driver");
		json_object_set_new(driver, "version", json_string(opsplan_version));
	}
	if (base) {
		struct strbuf u = {0};
		sb_puts(&u, "file://");
		uri_escape(&u, base);
		if (u.s[u.len - 1] != '/')
			sb_putc(&u, '/');
		json_t *run = json_array_get(json_object_get(log, "runs"), 0);
		json_object_set_new(run, "originalUriBaseIds",
				    json_pack("{s:{s:s}}", "SRCROOT", "uri", u.s));
		sb_release(&u);
		free(base);
	}
	json_dumpf(log, out, JSON_INDENT(2));
	fputc('\n', out);
	json_decref(log);
}

/* Workflow commands: data escapes %, CR, LF; properties also ':' and ','. */
static void gh_escape(struct strbuf *b, const char *s, int property)
{
	struct strbuf clean = {0};
	put_clean(&clean, s, strlen(s), 1);
	for (size_t i = 0; i < clean.len; i++) {
		char c = clean.s[i];
		if (c == '%')
			sb_puts(b, "%25");
		else if (c == '\r')
			sb_puts(b, "%0D");
		else if (c == '\n')
			sb_puts(b, "%0A");
		else if (property && c == ':')
			sb_puts(b, "%3A");
		else if (property && c == ',')
			sb_puts(b, "%2C");
		else
			sb_putc(b, c);
	}
	sb_release(&clean);
}

static void print_github(const struct diag_list *d, FILE *out)
{
	static const char *const cmd[] = {"error", "warning", "notice"};
	struct strbuf b = {0};
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *g = &d->items[i];
		const struct loc *l = &g->loc;
		sb_printf(&b, "::%s ", cmd[g->sev]);
		if (l->file) {
			sb_puts(&b, "file=");
			gh_escape(&b, l->file, 1);
			if (l->line) {
				sb_printf(&b, ",line=%u,col=%u", l->line, l->col);
				if (l->end_line >= l->line && l->end_line)
					sb_printf(&b, ",endLine=%u,endColumn=%u", l->end_line, l->end_col);
			}
			sb_putc(&b, ',');
		}
		sb_printf(&b, "title=%s::", diag_code_name(g->code));
		gh_escape(&b, g->msg, 0);
		for (size_t h = 0; h < g->nhints; h++) {
			sb_puts(&b, "%0Ahint: ");
			gh_escape(&b, g->hints[h], 0);
		}
		sb_putc(&b, '\n');
	}
	if (b.len)
		fwrite(b.s, 1, b.len, out);
	sb_release(&b);
}

void diag_print(const struct diag_list *d, enum diag_format fmt, int color, FILE *out)
{
	switch (fmt) {
	case DIAG_TEXT: print_text(d, color, out); break;
	case DIAG_JSON: print_json(d, out); break;
	case DIAG_SARIF: print_sarif(d, out); break;
	case DIAG_GITHUB: print_github(d, out); break;
	}
}
