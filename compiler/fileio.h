/* fileio.h - read a whole input file with a size bound: the one way opsplan
 * reads a plan, an IR, a kubeconfig, a token or a service-account file.
 *
 * Inputs can be hostile or simply wrong (a 100 MB log passed as a plan,
 * /dev/zero as a kubeconfig), so every read has a ceiling and stops one byte
 * past it: a file larger than max costs about max bytes of memory and time,
 * never its size (a regular file's size is checked before reading). */
#ifndef OPSPLAN_FILEIO_H
#define OPSPLAN_FILEIO_H

#include <stddef.h>

#define FILEIO_OPEN    (-1)   /* open() failed: errno says why */
#define FILEIO_READ    (-2)   /* fstat() or read() failed, or a directory (EISDIR): errno */
#define FILEIO_TOOBIG  (-3)   /* more than max bytes */

/* Read the file at path whole.  0: *out (the caller's, free()) holds *len
 * bytes and a NUL after them.  < 0: one of FILEIO_*, *out is NULL; for
 * FILEIO_TOOBIG *len is the file's size when fstat knew it (a regular file),
 * else 0. */
int fileio_read(char **out, size_t *len, const char *path, size_t max);

#endif
