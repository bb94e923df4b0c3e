/* journal_lock.c - one run per namespace+cluster at a time.
 *
 * flock rather than O_EXCL alone: the kernel drops an flock when its holder
 * dies, so a crashed run can never wedge the namespace, and yet the file's
 * content ("pid run_id host") survives to say that a run died holding it.
 * A clean unlock unlinks the file; a file that can be locked but still names
 * an owner is therefore stale, and taking it over is the caller's explicit
 * choice (the dead run may have left the cluster paused: resume it instead). */
#include "journal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal_impl.h"
#include "mem.h"

struct journal_lock {
	int fd;
	char *path;
};

/* Namespace and cluster become part of a file name: only DNS-label-like
 * names are accepted, so no '/' or '..' can escape the lock directory. */
static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 253 || s[0] == '.')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return 0;
	return 1;
}

static char *lock_path(const char *dir, const char *ns, const char *cluster)
{
	return xasprintf("%s/locks/%s.%s.lock", dir, ns, cluster);
}

struct owner {
	long pid;
	char run_id[JOURNAL_RUN_ID_MAX];
	char host[256];
};

/* Parse "pid run_id host"; 0 when the file names an owner. */
static int read_owner(int fd, struct owner *o)
{
	char buf[512];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	memset(o, 0, sizeof *o);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%ld %95s %255s", &o->pid, o->run_id, o->host) < 2)
		return -1;
	return 0;
}

static void describe(const struct owner *o, char *out, size_t n)
{
	char me[256] = "";
	gethostname(me, sizeof me - 1);
	const char *liveness = "";
	if (o->host[0] && strcmp(o->host, me) != 0)
		liveness = ", on another host";
	else if (o->pid > 0 && kill((pid_t)o->pid, 0) < 0 && errno == ESRCH)
		liveness = ", no longer running";
	snprintf(out, n, "run '%s' (pid %ld on '%s'%s)", o->run_id, o->pid,
		 o->host[0] ? o->host : "?", liveness);
}

static int write_owner(int fd, const char *run_id)
{
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	char buf[512];
	int n = snprintf(buf, sizeof buf, "%ld %s %s\n", (long)getpid(), run_id, host[0] ? host : "-");
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n || fsync(fd) < 0)
		return -1;
	return 0;
}

/* Open path and take its flock, retrying when the file we locked was
 * unlinked by its previous holder between our open and our flock (we would
 * hold a lock nobody else sees).  *fd_out is ours on success. */
static int take_flock(const char *path, const char *ns, const char *cluster, int *fd_out,
		      struct journal_err *err)
{
	char who[600];
	struct owner o;
	for (int tries = 0; tries < 10; tries++) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return journal_seterr_(err, JOURNAL_EIO, errno, "cannot open lock '%s': %s", path,
					       strerror(errno));
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			int e = errno;
			if (e == EWOULDBLOCK && read_owner(fd, &o) == 0)
				describe(&o, who, sizeof who);
			else
				snprintf(who, sizeof who, "another run");
			close(fd);
			if (e != EWOULDBLOCK)
				return journal_seterr_(err, JOURNAL_EIO, e, "cannot lock '%s': %s", path, strerror(e));
			return journal_seterr_(err, JOURNAL_ELOCKED, 0,
					       "namespace '%s' cluster '%s' is locked by %s; lock '%s'",
					       ns, cluster, who, path);
		}
		struct stat a, b;
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
			*fd_out = fd;
			return 0;
		}
		close(fd);
	}
	return journal_seterr_(err, JOURNAL_ELOCKED, 0, "lock '%s' keeps changing hands", path);
}

int journal_lock(struct journal_lock **out, const char *dir, const char *ns, const char *cluster,
		 const char *run_id, int flags, struct journal_err *err)
{
	*out = NULL;
	if (!valid_name(ns) || !valid_name(cluster))
		return journal_seterr_(err, JOURNAL_EINVAL, 0, "invalid namespace or cluster name '%s/%s'",
				       ns, cluster);
	char *locks = xasprintf("%s/locks", dir);
	char *path = lock_path(dir, ns, cluster);
	char who[600];
	struct owner o;
	int fd = -1, rc = journal_mkdirs_(locks, err);
	if (rc < 0)
		goto done;
	rc = take_flock(path, ns, cluster, &fd, err);
	if (rc < 0)
		goto done;
	if (read_owner(fd, &o) == 0 && !(flags & JOURNAL_LOCK_TAKEOVER)) {
		describe(&o, who, sizeof who);
		rc = journal_seterr_(err, JOURNAL_ESTALE, 0,
				     "stale lock '%s' left by %s; resume that run, or take the lock over explicitly",
				     path, who);
		goto done;
	}
	if (write_owner(fd, run_id) < 0) {
		rc = journal_seterr_(err, JOURNAL_EIO, errno, "cannot write lock '%s': %s", path,
				     strerror(errno));
		goto done;
	}
	*out = xcalloc(1, sizeof **out);
	(*out)->fd = fd;
	(*out)->path = path;
	path = NULL;
	fd = -1;
done:
	if (fd >= 0)
		close(fd);   /* drops our flock too */
	free(path);
	free(locks);
	return rc;
}

void journal_unlock(struct journal_lock *l)
{
	if (!l)
		return;
	/* unlink while still holding the flock, so nobody takes a lock on a
	 * file that is about to vanish without noticing (see the inode check) */
	unlink(l->path);
	close(l->fd);
	free(l->path);
	free(l);
}

int journal_lock_held(const char *dir, const char *ns, const char *cluster, char *run_id_out)
{
	if (run_id_out)
		run_id_out[0] = '\0';
	if (!valid_name(ns) || !valid_name(cluster))
		return 0;
	char *path = lock_path(dir, ns, cluster);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return 0;
	int held = 0;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		held = 1;
		struct owner o;
		if (run_id_out && read_owner(fd, &o) == 0)
			snprintf(run_id_out, JOURNAL_RUN_ID_MAX, "%s", o.run_id);
	}
	close(fd);
	return held;
}
