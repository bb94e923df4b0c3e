/* expr_lex.c - tokens of the expression language, and source locations.
 *
 * The lexer is pulled one token at a time by the parser, which may ask for a
 * NAME with dashes after `steps.` (step ids such as no-auto-redeploy); that is
 * why it is a function of a position and not a token array. */
#include "expr_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static const char *const tok_names[] = {
	[T_EOF] = "end of expression", [T_NUM] = "number", [T_DUR] = "duration",
	[T_STR] = "string", [T_NAME] = "name", [T_LPAREN] = "'('", [T_RPAREN] = "')'",
	[T_LBRACK] = "'['", [T_RBRACK] = "']'", [T_COMMA] = "','", [T_DOT] = "'.'",
	[T_ARROW] = "'=>'", [T_EQ] = "'=='", [T_NE] = "'!='", [T_LT] = "'<'", [T_LE] = "'<='",
	[T_GT] = "'>'", [T_GE] = "'>='", [T_AND] = "'&&'", [T_OR] = "'||'", [T_NOT] = "'!'",
	[T_MATCH] = "'=~'", [T_PLUS] = "'+'", [T_MINUS] = "'-'", [T_STAR] = "'*'",
	[T_SLASH] = "'/'", [T_PERCENT] = "'%'", [T_ERR] = "invalid token",
};

const char *expr_tok_name(enum expr_tok_kind k)
{
	return k <= T_ERR ? tok_names[k] : "?";
}

/* Lines inside a multi-line scalar start at column 1: we do not know how
 * YAML folded them, so this is exact for single-line text (the usual case)
 * and close for block scalars. */
static void locate(const struct expr_src *src, size_t off, uint32_t *line, uint32_t *col)
{
	uint32_t l = src->base.line, c = src->base.col;
	size_t start = 0;
	if (off > src->len)
		off = src->len;
	for (size_t i = 0; i < off; i++)
		if (src->text[i] == '\n') {
			l++;
			start = i + 1;
		}
	if (l != src->base.line)
		c = 1;
	*line = l;
	*col = c + (uint32_t)(off - start);
}

struct loc expr_src_loc(const struct expr_src *src, size_t off, size_t end)
{
	struct loc L = src->base;
	locate(src, off, &L.line, &L.col);
	locate(src, end, &L.end_line, &L.end_col);
	L.off = src->base.off + (uint32_t)off;
	L.end_off = src->base.off + (uint32_t)end;
	return L;
}

struct loc expr_loc(const struct expr *e)
{
	return expr_src_loc(e->src, e->off, e->end);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void put_utf8(struct strbuf *b, unsigned cp)
{
	if (cp < 0x80) {
		sb_putc(b, (char)cp);
	} else if (cp < 0x800) {
		sb_putc(b, (char)(0xC0 | (cp >> 6)));
		sb_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		sb_putc(b, (char)(0xE0 | (cp >> 12)));
		sb_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		sb_putc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

size_t expr_lex_skip_string(const char *text, size_t len, size_t off)
{
	char q = text[off];
	for (size_t i = off + 1; i < len; i++) {
		if (text[i] == '\\')
			i++;
		else if (text[i] == q)
			return i + 1;
	}
	return 0;
}

/* Escapes: \\ \' \" \n \t \r \uXXXX.  Any other backslash stays as written,
 * so regexes read naturally: '^\d+\.\d+$'. */
static void lex_string(struct expr_lexer *lx, struct expr_tok *t)
{
	const char *s = lx->text;
	char q = s[lx->pos];
	struct strbuf b = {0};
	size_t i = lx->pos + 1;
	for (;;) {
		if (i >= lx->len) {
			t->kind = T_ERR;
			t->err = "unterminated string";
			t->err_off = lx->pos;
			goto done;
		}
		char c = s[i];
		if (c == q)
			break;
		if (c != '\\' || i + 1 >= lx->len) {
			sb_putc(&b, c);
			i++;
			continue;
		}
		char n = s[i + 1];
		switch (n) {
		case '\\': case '\'': case '"': sb_putc(&b, n); i += 2; continue;
		case 'n': sb_putc(&b, '\n'); i += 2; continue;
		case 't': sb_putc(&b, '\t'); i += 2; continue;
		case 'r': sb_putc(&b, '\r'); i += 2; continue;
		case 'u': {
			unsigned cp = 0;
			int ok = i + 6 <= lx->len;
			for (int k = 0; ok && k < 4; k++) {
				int h = hexval((unsigned char)s[i + 2 + k]);
				if (h < 0)
					ok = 0;
				else
					cp = cp * 16 + (unsigned)h;
			}
			if (!ok || cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
				t->kind = T_ERR;
				t->err = "invalid \\u escape (want 4 hex digits, not 0000 or a surrogate)";
				t->err_off = i;
				goto done;
			}
			put_utf8(&b, cp);
			i += 6;
			continue;
		}
		default:
			sb_putc(&b, c);
			sb_putc(&b, n);
			i += 2;
		}
	}
	t->kind = T_STR;
	t->slen = b.len;
	t->str = arena_strndup(lx->a, b.s ? b.s : "", b.len);
	lx->pos = i + 1;
done:
	sb_release(&b);
}

size_t expr_lex_raw_offset(const char *raw, size_t rawlen, size_t k)
{
	size_t i = 1, out = 0;   /* raw[0] is the quote */
	while (i < rawlen && out < k) {
		if (raw[i] == '\\' && i + 1 < rawlen) {
			char n = raw[i + 1];
			if (n == 'u') {
				unsigned cp = 0;
				for (int j = 0; j < 4 && i + 2 + (size_t)j < rawlen; j++)
					cp = cp * 16 + (unsigned)(hexval((unsigned char)raw[i + 2 + j]) & 15);
				out += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
				i += 6;
			} else if (strchr("\\'\"ntr", n)) {
				out++;
				i += 2;
			} else {
				out += 2;
				i += 2;
			}
		} else {
			out++;
			i++;
		}
	}
	return i;
}

static int unit_at(const char *s, size_t i, size_t len, double *mult, size_t *ulen)
{
	if (i + 1 < len && s[i] == 'm' && s[i + 1] == 's') {
		*mult = 0.001;
		*ulen = 2;
		return 1;
	}
	switch (i < len ? s[i] : 0) {
	case 's': *mult = 1; break;
	case 'm': *mult = 60; break;
	case 'h': *mult = 3600; break;
	case 'd': *mult = 86400; break;
	default: return 0;
	}
	*ulen = 1;
	return 1;
}

static size_t scan_number(const char *s, size_t i, size_t len)
{
	while (i < len && isdigit((unsigned char)s[i]))
		i++;
	if (i + 1 < len && s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
		i++;
		while (i < len && isdigit((unsigned char)s[i]))
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;
		if (j < len && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < len && isdigit((unsigned char)s[j])) {
			while (j < len && isdigit((unsigned char)s[j]))
				j++;
			i = j;
		}
	}
	return i;
}

static double number_value(const char *s, size_t from, size_t to)
{
	char buf[64];
	size_t n = to - from;
	if (n >= sizeof buf)
		return HUGE_VAL;   /* 60+ digits: reported as too large */
	memcpy(buf, s + from, n);
	buf[n] = '\0';
	return strtod(buf, NULL);
}

/* NUMBER or DURATION (NUMBER UNIT)+, e.g. 1h30m, 250ms, 1.5s. */
static void lex_number(struct expr_lexer *lx, struct expr_tok *t)
{
	const char *s = lx->text;
	size_t i = lx->pos, end = scan_number(s, i, lx->len);
	double v = number_value(s, i, end), mult;
	size_t ulen;
	if (end < lx->len && unit_at(s, end, lx->len, &mult, &ulen)) {
		double total = 0;
		for (;;) {
			total += v * mult;
			end += ulen;
			if (end >= lx->len || !isdigit((unsigned char)s[end]))
				break;
			size_t e2 = scan_number(s, end, lx->len);
			v = number_value(s, end, e2);
			if (!unit_at(s, e2, lx->len, &mult, &ulen)) {
				t->kind = T_ERR;
				t->err = "a duration part without a unit (ms, s, m, h, d)";
				t->err_off = end;
				return;
			}
			end = e2;
		}
		t->kind = T_DUR;
		v = total;
	} else {
		t->kind = T_NUM;
	}
	if (end < lx->len && (isalnum((unsigned char)s[end]) || s[end] == '_')) {
		t->kind = T_ERR;
		t->err = "invalid number or duration (units are ms, s, m, h, d)";
		t->err_off = end;
		return;
	}
	if (!isfinite(v)) {
		t->kind = T_ERR;
		t->err = "number too large";
		t->err_off = lx->pos;
		return;
	}
	t->num = v;
	lx->pos = end;
}

static int name_char(int c)
{
	return isalnum(c) || c == '_';
}

void expr_lex(struct expr_lexer *lx, struct expr_tok *t, int dashes)
{
	const char *s = lx->text;
	size_t len = lx->len;
	memset(t, 0, sizeof *t);
	while (lx->pos < len && isspace((unsigned char)s[lx->pos]))
		lx->pos++;
	t->off = lx->pos;
	if (lx->pos >= len) {
		t->kind = T_EOF;
		t->end = t->off;
		return;
	}
	unsigned char c = (unsigned char)s[lx->pos];
	char n = lx->pos + 1 < len ? s[lx->pos + 1] : 0;
	if (isdigit(c)) {
		lex_number(lx, t);
	} else if (c == '\'' || c == '"') {
		lex_string(lx, t);
	} else if (isalpha(c) || c == '_') {
		size_t i = lx->pos;
		while (i < len && (name_char((unsigned char)s[i]) ||
				   (dashes && s[i] == '-' && i + 1 < len && name_char((unsigned char)s[i + 1]))))
			i++;
		t->kind = T_NAME;
		t->slen = i - lx->pos;
		t->str = arena_strndup(lx->a, s + lx->pos, t->slen);
		lx->pos = i;
	} else {
		enum expr_tok_kind k = T_ERR;
		size_t w = 2;
		switch (c) {
		case '(': k = T_LPAREN; w = 1; break;
		case ')': k = T_RPAREN; w = 1; break;
		case '[': k = T_LBRACK; w = 1; break;
		case ']': k = T_RBRACK; w = 1; break;
		case ',': k = T_COMMA; w = 1; break;
		case '.': k = T_DOT; w = 1; break;
		case '+': k = T_PLUS; w = 1; break;
		case '-': k = T_MINUS; w = 1; break;
		case '*': k = T_STAR; w = 1; break;
		case '/': k = T_SLASH; w = 1; break;
		case '%': k = T_PERCENT; w = 1; break;
		case '=': k = n == '=' ? T_EQ : n == '>' ? T_ARROW : n == '~' ? T_MATCH : T_ERR; break;
		case '!': if (n == '=') k = T_NE; else { k = T_NOT; w = 1; } break;
		case '<': if (n == '=') k = T_LE; else { k = T_LT; w = 1; } break;
		case '>': if (n == '=') k = T_GE; else { k = T_GT; w = 1; } break;
		case '&': k = n == '&' ? T_AND : T_ERR; break;
		case '|': k = n == '|' ? T_OR : T_ERR; break;
		default: break;
		}
		if (k == T_ERR) {
			t->kind = T_ERR;
			t->err = c == '=' ? "'=' is not an operator (did you mean '==')"
			       : c == '&' ? "'&' is not an operator (did you mean '&&')"
			       : c == '|' ? "'|' is not an operator (did you mean '||')"
			       : "unexpected character";
			t->err_off = lx->pos;
		} else {
			t->kind = k;
			lx->pos += w;
		}
	}
	t->end = lx->pos;
}
