/* sensitive.h - secrets as a property of parameters (docs/language.md,
 * "Secrets"): the salted digest the IR keeps instead of a sensitive value,
 * and the lints that keep such a value out of what the executor prints.
 *
 * A sensitive value is never in the IR, on disk or in memory: the IR holds
 * {"sensitive": true, "value": null, "digest": D}.  D is
 * "pbkdf2-sha256$ROUNDS$SALT$HASH" (RFC 8018 PBKDF2 with HMAC-SHA-256, a
 * random 16-byte salt, hex), so a resume can check that a value given again
 * is the one the run started with, and a stolen IR is no cheap dictionary
 * test. */
#ifndef OPSPLAN_SENSITIVE_H
#define OPSPLAN_SENSITIVE_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct graph;

#define SENSITIVE_DIGEST_MAX 160    /* bytes, NUL included */
#define SENSITIVE_ROUNDS 20000

/* PBKDF2-HMAC-SHA256 (RFC 8018), out gets outlen bytes (<= 32). */
void sensitive_pbkdf2(const void *pw, size_t pwlen, const void *salt, size_t saltlen, unsigned rounds,
		      uint8_t *out, size_t outlen);

/* The digest of value into out (SENSITIVE_DIGEST_MAX bytes), with a fresh
 * random salt.  0, or -1 when no randomness could be had. */
int sensitive_digest(char *out, const char *value);

/* 1 value is the one digest was made from, 0 it is not, -1 digest is not a
 * digest this opsplan writes. */
int sensitive_verify(const char *digest, const char *value);

/* 1 when a parameter name reads like a secret's (password, passwd, token,
 * secret, credential, api_key, ..._key): the OP105 heuristic. */
int sensitive_name_looks_secret(const char *name);

/* OP104 (a sensitive param read in a `log` message, an `else:` text, a gate
 * prompt or a gate's `show:`) at the reference's line:col, and OP105 (a
 * secret-looking name not marked sensitive), unless silenced.  Returns how
 * many were added. */
size_t sensitive_lint(struct graph *g, struct diag_list *d);

#endif
