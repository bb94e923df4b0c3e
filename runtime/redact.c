/* redact.c - scrub secrets from text before anyone sees it. */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "redact.h"

#define REDACT_MAX_SECRETS 512  /* oldest dropped past this: rotation bound */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *secrets[REDACT_MAX_SECRETS];   /* kept longest first: a longer form wins */
static size_t nsecrets;

static void add_min(const char *s, size_t min)
{
	size_t n = s ? strlen(s) : 0;
	if (n < min)
		return;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], s) == 0)
			goto done;
	if (nsecrets == REDACT_MAX_SECRETS) {
		/* the bound: drop the oldest (the order is by length, so: the first
		 * registered among the shortest is as good a victim as any) */
		free(secrets[nsecrets - 1]);
		nsecrets--;
	}
	size_t at = 0;
	while (at < nsecrets && strlen(secrets[at]) >= n)
		at++;
	memmove(secrets + at + 1, secrets + at, (nsecrets - at) * sizeof *secrets);
	secrets[at] = xstrdup(s);
	nsecrets++;
done:
	pthread_mutex_unlock(&lock);
}

void redact_add_secret(const char *s)
{
	add_min(s, 6);
}

/* ---- the encodings of a sensitive value ---------------------------------- */

static char *json_escaped(const char *s)
{
	struct strbuf b = {0};
	sb_json_str(&b, s);
	char *q = sb_detach(&b);
	size_t n = strlen(q);
	memmove(q, q + 1, n - 2);   /* drop the quotes */
	q[n - 2] = 0;
	return q;
}

static char *url_encoded(const char *s, int plus, int lower)
{
	struct strbuf b = {0};
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || strchr("-._~", *p))
			sb_putc(&b, (char)*p);
		else if (*p == ' ' && plus)
			sb_putc(&b, '+');
		else
			sb_printf(&b, lower ? "%%%02x" : "%%%02X", *p);
	}
	if (!b.s)
		sb_puts(&b, "");
	return sb_detach(&b);
}

char *redact_base64(const void *data, size_t n, int url)
{
	const char *al = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
			     : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	char *out = xmalloc(4 * ((n + 2) / 3) + 1), *o = out;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		*o++ = al[v >> 18 & 63];
		*o++ = al[v >> 12 & 63];
		*o++ = i + 1 < n ? al[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? al[v & 63] : '=';
	}
	*o = 0;
	return out;
}

/* One form and what it becomes in a JSON string, a URL and base64. */
static void add_forms(const char *v, size_t min)
{
	add_min(v, min);
	char *t = json_escaped(v);
	add_min(t, min);
	char *t2 = json_escaped(t);   /* JSON text inside a JSON string (a request body kept as text) */
	add_min(t2, min);
	free(t2);
	free(t);
	for (int plus = 0; plus < 2; plus++)
		for (int lower = 0; lower < 2; lower++) {
			t = url_encoded(v, plus, lower);
			add_min(t, min);
			free(t);
		}
	for (int url = 0; url < 2; url++) {
		t = redact_base64(v, strlen(v), url);
		add_min(t, min);
		char *eq = strchr(t, '=');
		if (eq) {
			*eq = 0;          /* unpadded, as JWTs and some APIs write it */
			add_min(t, min);
		}
		free(t);
	}
}

int redact_add_sensitive(const char *v)
{
	if (!v || strlen(v) < REDACT_SENSITIVE_MIN)
		return -1;
	add_forms(v, REDACT_SENSITIVE_MIN);
	/* upper() and lower() of it in an expression */
	char *u = xstrdup(v), *l = xstrdup(v);
	for (char *p = u; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	for (char *p = l; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strcmp(u, v))
		add_forms(u, REDACT_SENSITIVE_MIN);
	if (strcmp(l, v))
		add_forms(l, REDACT_SENSITIVE_MIN);
	free(u);
	free(l);
	return 0;
}

void redact_reset(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nsecrets; i++)
		free(secrets[i]);
	nsecrets = 0;
	pthread_mutex_unlock(&lock);
}

static int ci_prefix(const char *s, const char *p)
{
	for (; *p; s++, p++)
		if (tolower((unsigned char)*s) != tolower((unsigned char)*p))
			return 0;
	return 1;
}

/* Length of the credential value starting at s: up to end of line for
 * headers, up to whitespace/quote/comma otherwise. */
static size_t value_len(const char *s, int to_eol)
{
	size_t n = 0;
	while (s[n] && s[n] != '\n' && s[n] != '\r') {
		if (!to_eol && (isspace((unsigned char)s[n]) || s[n] == '"' || s[n] == '\'' ||
				s[n] == ',' || s[n] == '}' || s[n] == '&'))
			break;
		n++;
	}
	return n;
}

/* Keys whose JSON/YAML/query value is a secret ("token": "x", token=x).
 * The compound kubeconfig names are unmistakable and match as `key: value`
 * too; the bare words only as a JSON key ("token": ...) or an assignment
 * (token=x, no space, not ==): `ok   secret: done` is a step named secret,
 * `params.token == x` is plan text, not a credential. */
static const struct { const char *key; int bare_colon; } secret_keys[] = {
	{"token", 0}, {"password", 0}, {"client-key-data", 1}, {"clientKeyData", 1}, {"access_token", 1},
	{"id-token", 1}, {"refresh-token", 1}, {"secret", 0}, {NULL, 0}
};

/* If s starts a "key": "value" / key: value / key=value with a secret key,
 * return the offset where the value begins and its length. */
static int match_key(const char *s, size_t *voff, size_t *vlen)
{
	for (size_t k = 0; secret_keys[k].key; k++) {
		size_t kl = strlen(secret_keys[k].key), i = 0;
		int quoted = s[0] == '"';
		i += quoted;
		if (!ci_prefix(s + i, secret_keys[k].key))
			continue;
		i += kl;
		if (quoted) {
			if (s[i] != '"')
				continue;
			i++;
		} else if (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-') {
			continue;
		}
		if (!quoted && !secret_keys[k].bare_colon) {
			if (s[i] != '=' || s[i + 1] == '=')
				continue;
		} else {
			while (s[i] == ' ' || s[i] == '\t')
				i++;
			if (s[i] != ':' && s[i] != '=')
				continue;
		}
		i++;
		while (s[i] == ' ' || s[i] == '\t')
			i++;
		if (s[i] == '"' || s[i] == '\'')
			i++;
		*voff = i;
		*vlen = value_len(s + i, 0);
		return *vlen > 0;
	}
	return 0;
}

static char *scrub_patterns(const char *s)
{
	struct strbuf b = {0};
	size_t voff, vlen;
	while (*s) {
		if (ci_prefix(s, "authorization:")) {
			sb_puts(&b, "Authorization: " REDACTED);
			s += value_len(s, 1);
		} else if (ci_prefix(s, "bearer ")) {
			sb_puts(&b, "Bearer " REDACTED);
			s += 7;
			s += value_len(s, 0);
		} else if (ci_prefix(s, "-----BEGIN ") && strstr(s, "PRIVATE KEY-----") &&
			   strstr(s, "PRIVATE KEY-----") - s < 64) {
			const char *end = strstr(s + 11, "-----END ");
			const char *tail = end ? strstr(end, "PRIVATE KEY-----") : NULL;
			sb_puts(&b, REDACTED);
			s = tail ? tail + strlen("PRIVATE KEY-----") : s + strlen(s);
		} else if ((b.len == 0 || !isalnum((unsigned char)b.s[b.len - 1])) &&
			   match_key(s, &voff, &vlen)) {
			sb_add(&b, s, voff);
			sb_puts(&b, REDACTED);
			s += voff + vlen;
		} else {
			sb_putc(&b, *s++);
		}
	}
	if (!b.s)
		sb_puts(&b, "");
	return sb_detach(&b);
}

/* The registered secrets replaced in a copy of s. */
static char *scrub_values(const char *s)
{
	char *t = xstrdup(s);
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nsecrets; i++) {
		size_t sl = strlen(secrets[i]);
		for (char *p = strstr(t, secrets[i]); p; p = strstr(t, secrets[i])) {
			char *n = xasprintf("%.*s%s%s", (int)(p - t), t, REDACTED, p + sl);
			free(t);
			t = n;
		}
	}
	pthread_mutex_unlock(&lock);
	return t;
}

char *redact_values(const char *s)
{
	return s ? scrub_values(s) : NULL;
}

char *redact_text(const char *s)
{
	if (!s)
		return NULL;
	char *t = scrub_values(s);
	char *out = scrub_patterns(t);
	free(t);
	return out;
}

void redact_into(char *dst, size_t n, const char *s)
{
	if (!n)
		return;
	char *r = redact_text(s ? s : "");
	size_t l = strlen(r);
	if (l >= n)
		l = n - 1;
	memcpy(dst, r, l);
	dst[l] = 0;
	free(r);
}
