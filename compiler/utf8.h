/* utf8.h - validating UTF-8 sequences.
 *
 * One definition of "valid UTF-8" for the whole tool, so that the loader
 * (which rejects a file) and the diagnostics printer (which replaces bad bytes
 * before they reach a terminal or JSON) can never disagree. */
#ifndef OPSPLAN_UTF8_H
#define OPSPLAN_UTF8_H

#include <stddef.h>

/* Length (1..4) of the valid UTF-8 sequence at p, with n >= 1 bytes left;
 * 0 if the bytes there are not one: overlong forms, surrogates, code points
 * past U+10FFFF and sequences cut by the end of the buffer are all invalid.
 * Reads at most n bytes; never fails otherwise. */
size_t utf8_seq(const unsigned char *p, size_t n);

#endif
