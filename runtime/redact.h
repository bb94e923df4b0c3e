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

/* A scrubbed copy of s (NULL -> NULL).  Caller frees. */
char *redact_text(const char *s);

/* Scrubbed s into dst (always NUL-terminated, truncated to n - 1 bytes). */
void redact_into(char *dst, size_t n, const char *s);

/* Forget every registered secret (tests). */
void redact_reset(void);

#endif
