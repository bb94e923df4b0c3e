"""Opt-in timing trace (OPSPLAN_SANDBOX_TRACE=1 at `sandbox up`): one line per
API request as it arrives and per pod Ready transition as it is stored, with
epoch timestamps in milliseconds, in DIR/logs/trace.log.  It exists so that a
benchmark can measure how fast a client reacts to a pod becoming Ready (the
request that follows the watch event), telling clients apart by User-Agent.

Lines (fields separated by one tab; the last field may contain spaces):
    <epoch.mmm>  req    <METHOD>  <path?query>  <user-agent>
    <epoch.mmm>  pod    <ADDED|MODIFIED|DELETED>  <ns>/<name>  <uid>  ready=<true|false>  rv=<n>
A `pod` line is written only when the pod is added or deleted or its Ready
condition changes; its time is when the change entered the watch log."""

import os
import threading
import time


def ready_of(pod):
    for c in ((pod or {}).get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


class Trace:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)
        self.lock = threading.Lock()

    def line(self, *fields):
        # The clock is read inside the lock so that lines are in time order.
        with self.lock:
            self.f.write("%.3f\t%s\n" % (time.time(), "\t".join(str(x).replace("\t", " ").replace("\n", " ")
                                                               for x in fields)))

    def request(self, method, path, agent):
        self.line("req", method, path, agent or "-")

    def store_event(self, ev):
        if ev.res.kind != "Pod":
            return
        now, was = ready_of(ev.obj), ready_of(ev.old)
        if ev.type == "MODIFIED" and now == was:
            return
        meta = ev.obj.get("metadata") or {}
        self.line("pod", ev.type, "%s/%s" % (ev.ns, meta.get("name")), meta.get("uid"),
                  "ready=%s" % ("true" if now else "false"), "rv=%s" % ev.rv)


def from_env(d):
    """A Trace when OPSPLAN_SANDBOX_TRACE is set (not empty, not 0), else None."""
    if os.environ.get("OPSPLAN_SANDBOX_TRACE", "") in ("", "0"):
        return None
    return Trace(os.path.join(d, "logs", "trace.log"))
