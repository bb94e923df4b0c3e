/* iso_time.c - see iso_time.h. */
#include "iso_time.h"

#include <stdio.h>
#include <time.h>

void iso_time(char *out, size_t n, int64_t unix_ms)
{
	time_t t = (time_t)(unix_ms / 1000);
	struct tm tm;
	char buf[32];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%03dZ", buf, (int)(unix_ms % 1000));
}

void iso_time_now(char *out, size_t n)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	iso_time(out, n, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}
