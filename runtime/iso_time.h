/* iso_time.h - the one way the runtime writes a point in time: RFC 3339 in
 * UTC with milliseconds, "2026-11-26T09:30:12.345Z" (journal records, progress
 * events, step starts, reports).  Sorting the text sorts the times. */
#ifndef OPSPLAN_ISO_TIME_H
#define OPSPLAN_ISO_TIME_H

#include <stddef.h>
#include <stdint.h>

#define ISO_TIME_MAX 32   /* bytes a time needs, NUL included, with room to spare */

/* unix_ms (milliseconds since the epoch) as text in out (n bytes). */
void iso_time(char *out, size_t n, int64_t unix_ms);
/* The wall clock now, the same way. */
void iso_time_now(char *out, size_t n);

#endif
