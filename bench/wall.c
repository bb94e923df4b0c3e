/* wall.c - run a command N times and report its wall time (median, min, max,
 * in microseconds) and the largest peak RSS of a run (KiB, from wait4), with
 * its output sent to /dev/null.  Process start is included on purpose: it is
 * what a user waits for.  The median CPU time (user + system, from wait4)
 * comes last: on a machine shared with other work the wall time of a run
 * varies with that work, its CPU time much less.
 * usage: wall N CMD [ARG...] -> "median_us min_us max_us maxrss_kib status cpu_us" */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: wall N CMD [ARG...]\n");
		return 2;
	}
	int n = atoi(argv[1]);
	if (n < 1)
		n = 1;
	long *us = calloc((size_t)n, sizeof *us), *cpu = calloc((size_t)n, sizeof *cpu), maxrss = 0;
	if (!us || !cpu) {
		perror("wall");
		return 2;
	}
	int status = 0;
	for (int i = 0; i < n; i++) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		pid_t pid = fork();
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			dup2(fd, 2);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		struct rusage ru;
		int st;
		if (pid < 0 || wait4(pid, &st, 0, &ru) < 0) {
			perror("wall");
			return 2;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		us[i] = (b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000;
		cpu[i] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
		status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	qsort(us, (size_t)n, sizeof *us, cmp_long);
	qsort(cpu, (size_t)n, sizeof *cpu, cmp_long);
	printf("%ld %ld %ld %ld %d %ld\n", us[n / 2], us[0], us[n - 1], maxrss, status, cpu[n / 2]);
	free(us);
	free(cpu);
	return 0;
}
