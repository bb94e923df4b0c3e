/* sensitive.c - see sensitive.h. */
#include "sensitive.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "graph.h"
#include "ir.h"
#include "mem.h"
#include "plan.h"
#include "plan_scope.h"
#include "yaml_load.h"

/* ---- the digest ------------------------------------------------------------ */

/* HMAC-SHA-256 (RFC 2104) over the one-shot hash: key already at most 64. */
static void hmac(const uint8_t *key, size_t klen, const uint8_t *msg, size_t mlen, uint8_t out[32])
{
	uint8_t pad[64];
	uint8_t *buf = xmalloc(64 + (mlen > 32 ? mlen : 32));
	memset(pad, 0, sizeof pad);
	memcpy(pad, key, klen);
	for (size_t i = 0; i < 64; i++)
		buf[i] = pad[i] ^ 0x36;
	memcpy(buf + 64, msg, mlen);
	uint8_t inner[32];
	ir_sha256(buf, 64 + mlen, inner);
	for (size_t i = 0; i < 64; i++)
		buf[i] = pad[i] ^ 0x5c;
	memcpy(buf + 64, inner, 32);
	ir_sha256(buf, 64 + 32, out);
	memset(buf, 0, 64 + (mlen > 32 ? mlen : 32));
	memset(pad, 0, sizeof pad);
	free(buf);
}

void sensitive_pbkdf2(const void *pw, size_t pwlen, const void *salt, size_t saltlen, unsigned rounds,
		      uint8_t *out, size_t outlen)
{
	uint8_t key[64], u[32], t[32];
	size_t klen = pwlen;
	if (pwlen > 64) {
		ir_sha256(pw, pwlen, key);
		klen = 32;
	} else {
		memcpy(key, pw, pwlen);
	}
	uint8_t *first = xmalloc(saltlen + 4);
	memcpy(first, salt, saltlen);
	memcpy(first + saltlen, "\0\0\0\1", 4);   /* block 1: outlen <= 32 */
	hmac(key, klen, first, saltlen + 4, u);
	free(first);
	memcpy(t, u, 32);
	for (unsigned r = 1; r < rounds; r++) {
		hmac(key, klen, u, 32, u);
		for (size_t i = 0; i < 32; i++)
			t[i] ^= u[i];
	}
	memcpy(out, t, outlen > 32 ? 32 : outlen);
	memset(key, 0, sizeof key);
	memset(u, 0, sizeof u);
	memset(t, 0, sizeof t);
}

static void hex(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static int unhex(uint8_t *out, size_t n, const char *s, size_t slen)
{
	if (slen != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static void format_digest(char *out, unsigned rounds, const uint8_t salt[16], const char *value)
{
	uint8_t h[32];
	sensitive_pbkdf2(value, strlen(value), salt, 16, rounds, h, sizeof h);
	char sh[33], hh[65];
	hex(sh, salt, 16);
	hex(hh, h, 32);
	snprintf(out, SENSITIVE_DIGEST_MAX, "pbkdf2-sha256$%u$%s$%s", rounds, sh, hh);
}

int sensitive_digest(char *out, const char *value)
{
	uint8_t salt[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd < 0 ? -1 : read(fd, salt, sizeof salt);
	if (fd >= 0)
		close(fd);
	if (got != (ssize_t)sizeof salt)
		return -1;
	format_digest(out, SENSITIVE_ROUNDS, salt, value);
	return 0;
}

int sensitive_verify(const char *digest, const char *value)
{
	const char *pre = "pbkdf2-sha256$";
	if (!digest || strncmp(digest, pre, strlen(pre)) != 0)
		return -1;
	const char *p = digest + strlen(pre);
	char *end;
	unsigned long rounds = strtoul(p, &end, 10);
	if (end == p || *end != '$' || rounds < 1 || rounds > 10000000)
		return -1;
	const char *s = end + 1, *d = strchr(s, '$');
	uint8_t salt[16], want[32];
	if (!d || unhex(salt, 16, s, (size_t)(d - s)) < 0 || unhex(want, 32, d + 1, strlen(d + 1)) < 0)
		return -1;
	char again[SENSITIVE_DIGEST_MAX];
	format_digest(again, (unsigned)rounds, salt, value);
	/* compare in constant time: the digest is no oracle */
	size_t n = strlen(again), m = strlen(digest);
	unsigned diff = (unsigned)(n ^ m);
	for (size_t i = 0; i < n && i < m; i++)
		diff |= (unsigned)(again[i] ^ digest[i]);
	return diff == 0;
}

/* ---- names ----------------------------------------------------------------- */

int sensitive_name_looks_secret(const char *name)
{
	static const char *const inside[] = {"password", "passwd", "passphrase", "secret", "token", "credential",
					     "apikey", "privkey"};
	static const char *const words[] = {"key", "pwd", "pw", "pass", "creds"};
	for (size_t i = 0; i < sizeof inside / sizeof *inside; i++) {
		size_t n = strlen(inside[i]);
		for (const char *p = name; *p; p++)
			if (!strncasecmp(p, inside[i], n))
				return 1;
	}
	/* whole words between '_': api_key, ssh_key, db_pwd -- not monkey, keyspace */
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, "_");
		for (size_t i = 0; i < sizeof words / sizeof *words; i++)
			if (n == strlen(words[i]) && !strncasecmp(p, words[i], n))
				return 1;
		p += n;
		while (*p == '_')
			p++;
	}
	return 0;
}

/* ---- lints ----------------------------------------------------------------- */

struct lint {
	struct graph *g;
	struct diag_list *d;
	size_t added;
};

static int silenced_in(const struct plan_silence *s, size_t n, enum diag_code c)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].code == c)
			return 1;
	return 0;
}

static int step_silenced(const struct plan *p, const struct plan_step *s, enum diag_code c)
{
	for (; s; s = s->parent)
		if (silenced_in(s->silence, s->nsilence, c))
			return 1;
	return silenced_in(p->silence, p->nsilence, c);
}

static const struct plan_param *sensitive_param(const struct plan *p, const char *name, size_t n)
{
	for (size_t i = 0; i < p->nparams; i++)
		if (p->params[i].sensitive && p->params[i].name && strlen(p->params[i].name) == n &&
		    !strncmp(p->params[i].name, name, n))
			return &p->params[i];
	return NULL;
}

static int ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Every `params.NAME` / `params["NAME"]` of a sensitive param in text (an
 * expression: all of it; a template: inside ${{ }} only), reported at
 * base + its offset when the text sits on one line of the file. */
static void scan(struct lint *L, const struct plan_step *s, const char *text, size_t len, struct loc base,
		 int one_line, int is_tmpl, const char *where)
{
	int in = !is_tmpl;
	for (size_t i = 0; i < len; i++) {
		if (is_tmpl && !in && i + 3 <= len && !strncmp(text + i, "${{", 3)) {
			in = 1;
			i += 2;
			continue;
		}
		if (is_tmpl && in && i + 2 <= len && !strncmp(text + i, "}}", 2)) {
			in = 0;
			i++;
			continue;
		}
		if (!in || i + 7 > len || strncmp(text + i, "params", 6) || (i && ident(text[i - 1])))
			continue;
		size_t j = i + 6, nb, ne;
		if (text[j] == '.') {
			nb = ++j;
			while (j < len && ident(text[j]))
				j++;
			ne = j;
		} else if (text[j] == '[' && j + 1 < len && (text[j + 1] == '"' || text[j + 1] == '\'')) {
			char q = text[j + 1];
			nb = j + 2;
			ne = nb;
			while (ne < len && text[ne] != q)
				ne++;
		} else {
			continue;
		}
		const struct plan_param *pp = sensitive_param(L->g->plan, text + nb, ne - nb);
		if (!pp || step_silenced(L->g->plan, s, OP104))
			continue;
		struct loc at = base;
		if (one_line) {
			at.col += (uint32_t)i;
			at.off += (uint32_t)i;
			at.end_line = at.line;
			at.end_col = at.col + (uint32_t)(ne - i);
			at.end_off = at.off + (uint32_t)(ne - i);
		}
		struct diag *g = diag_add(L->d, OP104, &at, "sensitive param '%s' flows into %s of step '%s', which the "
					  "executor prints", pp->name, where, s->id);
		diag_hint(g, "the run shows '[redacted]' in its place; print something about the value instead, "
			  "or silence OP104 with a reason");
		L->added++;
	}
}

static void scan_scalar(struct lint *L, const struct plan_step *s, const struct ynode *n, const char *where)
{
	if (!n || n->kind != YNODE_SCALAR || !n->str || !strstr(n->str, "${{"))
		return;
	struct loc base = plan_scope_scalar_base(L->g->plan->doc, n);
	int one_line = n->loc.line == n->loc.end_line && (n->style != YSTYLE_DOUBLE || !memchr(n->str, '\\', n->len));
	scan(L, s, n->str, n->len, base, one_line, 1, where);
}

static void scan_expr(struct lint *L, const struct plan_step *s, const struct plan_expr *e, const char *where)
{
	if (e && e->text)
		scan(L, s, e->text, e->len, e->base, e->loc.line == e->loc.end_line, 0, where);
}

static void scan_conds(struct lint *L, const struct plan_step *s, const struct plan_cond *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		scan_scalar(L, s, c[i].else_msg, "the 'else:' text");
}

static int lint_step(struct plan_step *s, void *ctx)
{
	struct lint *L = ctx;
	if (s->kind == STEP_ACTION && s->action_name && !strcmp(s->action_name, "log") && s->with &&
	    s->with->kind == YNODE_MAP)
		scan_scalar(L, s, ynode_get(s->with, "message"), "the 'log' message");
	scan_conds(L, s, s->require, s->nrequire);
	scan_conds(L, s, s->expect, s->nexpect);
	if (s->gate) {
		scan_scalar(L, s, s->gate->prompt, "the gate prompt");
		for (size_t i = 0; i < s->gate->nshow; i++)
			scan_expr(L, s, &s->gate->show[i], "the gate's 'show:' evidence");
	}
	return 0;
}

static void secret_names(struct lint *L)
{
	const struct plan *p = L->g->plan;
	if (silenced_in(p->silence, p->nsilence, OP105))
		return;
	for (size_t i = 0; i < p->nparams; i++) {
		const struct plan_param *pp = &p->params[i];
		if (pp->sensitive || !pp->name || !sensitive_name_looks_secret(pp->name))
			continue;
		struct diag *g = diag_add(L->d, OP105, &pp->loc, "param '%s' looks like a secret but is not marked "
					  "sensitive", pp->name);
		diag_hint(g, "add 'sensitive: true' so its value never reaches the output, the journal or the IR; "
			  "silence OP105 with a reason if it is no secret");
		L->added++;
	}
}

size_t sensitive_lint(struct graph *g, struct diag_list *d)
{
	struct lint L = {g, d, 0};
	if (!g || !g->plan)
		return 0;
	secret_names(&L);
	plan_walk(g->plan, lint_step, &L);
	return L.added;
}
