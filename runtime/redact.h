/* redact.h - keep secrets out of messages, logs and debug output.
 *
 * The client registers every secret it handles (tokens, exec-plugin output,
 * key material) with redact_add_secret; redact_text then scrubs those strings
 * and anything that looks like a credential whatever its origin:
 * "Authorization: ...", "Bearer ...", "token": "...", "password": "...",
 * PEM PRIVATE KEY blocks.  Process-wide and thread-safe. */
#ifndef OPSPLAN_REDACT_H
#define OPSPLAN_REDACT_H

#include <stddef.h>

#define REDACTED "[redacted]"

/* Remember a secret (copied).  Strings shorter than 6 bytes are ignored: too
 * likely to occur by chance and shred innocent text. */
void redact_add_secret(const char *s);

/* A sensitive value (a `sensitive: true` parameter, a value read from a
 * Secret): registered with the forms it takes elsewhere -- JSON-escaped,
 * URL-encoded (%XX either case, '+' or %20 for a space), base64 and
 * base64url (padded or not), and the same of its upper- and lower-case
 * (an expression's upper()/lower()).  Values shorter than
 * REDACT_SENSITIVE_MIN bytes cannot be scrubbed from free text without
 * shredding it: -1, nothing registered (the caller warns).  0 otherwise. */
#define REDACT_SENSITIVE_MIN 4
int redact_add_sensitive(const char *v);

/* base64 (url: the URL-safe alphabet) of n bytes, padded.  Caller frees. */
char *redact_base64(const void *data, size_t n, int url);

/* A scrubbed copy of s (NULL -> NULL): registered secrets, then credential
 * patterns.  Caller frees. */
char *redact_text(const char *s);

/* Registered secrets only, no patterns: for text opsplan composed from the
 * plan (step ids, titles), where `secret: ...` is a step id, not a
 * credential.  Caller frees. */
char *redact_values(const char *s);

/* Scrubbed s into dst (always NUL-terminated, truncated to n - 1 bytes). */
void redact_into(char *dst, size_t n, const char *s);

/* Forget every registered secret (tests). */
void redact_reset(void);

#endif
