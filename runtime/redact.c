/* redact.c - scrub secrets from text before anyone sees it. */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "redact.h"

#define REDACT_MAX_SECRETS 64   /* oldest dropped past this: rotation bound */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *secrets[REDACT_MAX_SECRETS];
static size_t nsecrets;

void redact_add_secret(const char *s)
{
	if (!s || strlen(s) < 6)
		return;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], s) == 0)
			goto done;
	if (nsecrets == REDACT_MAX_SECRETS) {
		free(secrets[0]);
		memmove(secrets, secrets + 1, (REDACT_MAX_SECRETS - 1) * sizeof *secrets);
		nsecrets--;
	}
	secrets[nsecrets++] = xstrdup(s);
done:
	pthread_mutex_unlock(&lock);
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

/* Keys whose JSON/YAML/query value is a secret ("token": "x", token=x). */
static const char *const secret_keys[] = {
	"token", "password", "client-key-data", "clientKeyData", "access_token",
	"id-token", "refresh-token", "secret", NULL
};

/* If s starts a "key": "value" / key: value / key=value with a secret key,
 * return the offset where the value begins and its length. */
static int match_key(const char *s, size_t *voff, size_t *vlen)
{
	for (const char *const *k = secret_keys; *k; k++) {
		size_t kl = strlen(*k), i = 0;
		int quoted = s[0] == '"';
		i += quoted;
		if (!ci_prefix(s + i, *k))
			continue;
		i += kl;
		if (quoted) {
			if (s[i] != '"')
				continue;
			i++;
		} else if (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-') {
			continue;
		}
		while (s[i] == ' ' || s[i] == '\t')
			i++;
		if (s[i] != ':' && s[i] != '=')
			continue;
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

char *redact_text(const char *s)
{
	if (!s)
		return NULL;
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
