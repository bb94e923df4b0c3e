"""Processes of the sandbox: spawning as another user, reaping, and finding
every process of a pod by the marker in its environment.

PostgreSQL's children start their own sessions, so process groups miss them;
the environment is inherited by every descendant (Patroni only drops
PATRONI_* variables), so a marker there finds them all.  The control plane is
a child subreaper, so orphans come back to it and are reaped here rather than
left as zombies under a PID 1 that may not reap."""

import ctypes
import os
import pwd
import signal
import subprocess
import threading
import time

PR_SET_CHILD_SUBREAPER = 36

_exits = {}
_cond = threading.Condition()


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    threading.Thread(target=_reap, name="reaper", daemon=True).start()


def _reap():
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            time.sleep(0.2)
            continue
        except InterruptedError:
            continue
        with _cond:
            _exits[pid] = os.waitstatus_to_exitcode(status)
            if len(_exits) > 10000:
                _exits.clear()
            _cond.notify_all()


def wait_exit(pid, timeout):
    """Exit code of a child (negative: killed by that signal), None on timeout."""
    end = time.monotonic() + timeout
    with _cond:
        while pid not in _exits:
            left = end - time.monotonic()
            if left <= 0:
                return None
            _cond.wait(left)
        return _exits.pop(pid)


def spawn(argv, env, cwd, stdout, user="postgres", stdin=subprocess.DEVNULL, stderr=subprocess.STDOUT):
    """Starts argv as `user` in its own session; returns the Popen (never
    wait() on it: the reaper owns exit statuses, use wait_exit)."""
    pw = pwd.getpwnam(user)
    return subprocess.Popen(argv, env=env, cwd=cwd, stdin=stdin, stdout=stdout, stderr=stderr,
                            user=pw.pw_uid, group=pw.pw_gid, extra_groups=[], start_new_session=True,
                            close_fds=True)


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def with_marker(name, value):
    """PIDs of live processes whose environment has name=value."""
    want = ("%s=%s" % (name, value)).encode()
    me = os.getpid()
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == me:
            continue
        try:
            with open("/proc/%s/environ" % d, "rb") as f:
                env = f.read()
        except OSError:
            continue
        if want in env.split(b"\0") and alive(int(d)):
            out.append(int(d))
    return out


def kill_all(name, value, grace, log=None, main=None):
    """Stop a container: SIGTERM its main process (or, without one, every
    process with the marker); once the main process is gone or grace seconds
    have passed, SIGKILL whatever is left, as the end of a container's PID 1
    does; return only once none is alive (or after grace+10 s)."""
    pids = with_marker(name, value)
    for pid in ([main] if main else pids):
        try:
            os.kill(pid, signal.SIGTERM if grace > 0 else signal.SIGKILL)
        except ProcessLookupError:
            pass
    end = time.monotonic() + grace
    while pids and time.monotonic() < end:
        if main and not alive(main):
            break
        time.sleep(0.1)
        pids = with_marker(name, value)
    pids = with_marker(name, value)
    hard_end = time.monotonic() + 10
    while pids and time.monotonic() < hard_end:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.05)
        pids = with_marker(name, value)
    if pids and log:
        log("processes %s survived SIGKILL" % pids)
    return not pids
