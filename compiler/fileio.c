/* fileio.c - see fileio.h. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"

int fileio_read(char **out, size_t *len, const char *path, size_t max)
{
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int rc = FILEIO_OPEN, saved = 0;
	struct stat st;

	*out = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return FILEIO_OPEN;
	rc = FILEIO_READ;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	/* A regular file says its size: refuse a big one without reading it. */
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
		*len = (size_t)st.st_size;
		rc = FILEIO_TOOBIG;
		goto fail;
	}
	for (;;) {
		/* never more than max + 1 bytes: that one says "too big" */
		size_t want = max + 1 - n < 65536 ? max + 1 - n : 65536;
		XGROW(buf, cap, n + want);
		ssize_t r = read(fd, buf + n, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
		/* a pipe, a device or a file that grew: stop past the limit */
		if (n > max) {
			rc = FILEIO_TOOBIG;
			goto fail;
		}
	}
	close(fd);
	XGROW(buf, cap, n + 1);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
fail:
	saved = errno;
	close(fd);
	free(buf);
	errno = saved;
	return rc;
}
