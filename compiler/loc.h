/* loc.h - a place in a plan file.
 *
 * Lines and columns are 1-based; columns count bytes, as libyaml does.  The
 * end is exclusive.  file is borrowed: it lives as long as the loaded source. */
#ifndef OPSPLAN_LOC_H
#define OPSPLAN_LOC_H

#include <stdint.h>

struct loc {
	const char *file;
	uint32_t line, col;
	uint32_t end_line, end_col;
	uint32_t off, end_off;  /* byte offsets into the source */
};

#endif
