#!/usr/bin/python3
"""Reaction latency of `opsplan run` to a pod becoming Ready, next to
`kubectl wait --for=condition=Ready` on the same events in the same run.

  bench_latency.py OPSPLAN SANDBOX_DIR [EVENTS]

For each event the driver deletes a replica of the sandbox cluster; the
StatefulSet recreates it and it turns Ready after its readiness probe's
initial delay.  Three observers wait for that Ready:

  - a reference watch in this process (a streaming watch on the pod),
    whose receipt time stands for "the moment the sandbox made it Ready";
  - the executor, running tests/executor/bench.yaml (a k8s.wait for ready
    per event, then a k8s.get: the next request), whose --output json
    step-end event for the wait is when it reacted;
  - `kubectl wait --for=condition=Ready`, started for the same pod once it
    exists, whose exit is when it reacted.

Latency = observer time - reference time, all on this machine's clock.  The
reference is itself a watcher (Python, under the GIL), so single events can
come out a few ms negative: compare the two observers' medians, which share
that reference.
Prints median and p95 of each, and the executor's peak RSS (from
/usr/bin/time when available)."""

import json
import os
import ssl
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sandbox"))
from sbx.client import Client  # noqa: E402


def iso_to_epoch(s):
    # "2026-11-26T09:30:12.345Z"
    t = time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")
    import calendar
    return calendar.timegm(t) + float("0" + s[19:-1])


def ready(pod):
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


class RefWatch(threading.Thread):
    """Streams watch events of one pod; records when Ready turns True."""

    def __init__(self, client, ns, name):
        super().__init__(daemon=True)
        self.c, self.ns, self.name = client, ns, name
        self.events = []          # (epoch, uid) of each not-ready -> ready transition
        self.was_ready = {}
        self.lock = threading.Lock()

    def run(self):
        import http.client
        import urllib.parse
        u = urllib.parse.urlparse(self.c.server)
        while True:
            conn = http.client.HTTPSConnection(u.hostname, u.port, context=self.c.ctx, timeout=600)
            path = self.c.ns_path("pods", ns=self.ns) + "?watch=1&fieldSelector=metadata.name%3D" + self.name
            conn.request("GET", path, headers={"Authorization": "Bearer " + self.c.token})
            r = conn.getresponse()
            buf = b""
            while True:
                chunk = r.read1(65536) if hasattr(r, "read1") else r.read(1)
                if not chunk:
                    break
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if not line.strip():
                        continue
                    now = time.time()
                    ev = json.loads(line)
                    obj = ev.get("object") or {}
                    uid = (obj.get("metadata") or {}).get("uid")
                    rd = ready(obj) and ev.get("type") != "DELETED"
                    with self.lock:
                        if rd and not self.was_ready.get(uid, True if ev.get("type") == "ADDED" and rd else False):
                            self.events.append((now, uid))
                        self.was_ready[uid] = rd
            conn.close()


def pctl(v, p):
    v = sorted(v)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def main():
    opsplan, sbx = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    st = json.load(open(os.path.join(sbx, "state.json")))
    kc, ns, cluster = st["kubeconfig"], st["namespace"], st["cluster"]
    c = Client(kc)
    env = dict(os.environ, KUBECONFIG=kc)
    # the victim: a replica, never the leader
    code, pods = c.get(c.ns_path("pods") + "?labelSelector=role%3Dreplica")
    victim = sorted(p["metadata"]["name"] for p in pods["items"])[0]
    ref = RefWatch(c, ns, victim)
    ref.start()
    time.sleep(0.5)
    jdir = os.path.join(sbx, "bench-journal")
    evfile = os.path.join(sbx, "bench-events.jsonl")
    timefile = os.path.join(sbx, "bench-time.txt")
    cmd = [opsplan, "run", os.path.join(HERE, "bench.yaml"), "-n", ns, "-p", "pod=" + victim,
           "-p", "events=[%s]" % ",".join(str(k) for k in range(n)), "--yes", "--output", "json", "--journal", jdir]
    if os.path.exists("/usr/bin/time"):
        cmd = ["/usr/bin/time", "-v", "-o", timefile] + cmd
    ex = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=open(evfile, "w"),
                          stderr=subprocess.DEVNULL)
    kub, exe, refs = [], [], []
    seen_steps = 0
    for i in range(n):
        # wait until the executor is waiting for this event's replacement
        deadline = time.time() + 120
        while time.time() < deadline:
            ends = [json.loads(l) for l in open(evfile) if '"step-end"' in l]
            if sum(1 for e in ends if e.get("step") == "ready" and e.get("item_index") is not None) >= i:
                break
            time.sleep(0.05)
        time.sleep(0.3)
        code, pod = c.get(c.ns_path("pods", victim))
        old = pod["metadata"]["uid"]
        c.request("DELETE", c.ns_path("pods", victim))
        while True:   # the replacement exists (not Ready yet: readiness has an initial delay)
            code, pod = c.get(c.ns_path("pods", victim))
            if code == 200 and pod["metadata"]["uid"] != old and not pod["metadata"].get("deletionTimestamp"):
                break
            time.sleep(0.02)
        new = pod["metadata"]["uid"]
        if ready(pod):
            print("event %d: the replacement was Ready before kubectl could start; skipped" % i)
            continue
        kw = subprocess.Popen(["kubectl", "wait", "--for=condition=Ready", "pod/" + victim, "-n", ns,
                               "--timeout=120s"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kw.wait()
        t_k = time.time()
        # the executor's reaction to this event
        deadline = time.time() + 60
        t_e = None
        while time.time() < deadline and t_e is None:
            ends = [json.loads(l) for l in open(evfile) if '"step-end"' in l]
            mine = [e for e in ends if e.get("step") == "ready" and e.get("item_index") == i]
            if mine:
                t_e = iso_to_epoch(mine[-1]["time"])
            time.sleep(0.02)
        with ref.lock:
            t_r = [t for t, u in ref.events if u == new]
        if not t_r or t_e is None:
            print("event %d: missing observation (ref %s, executor %s)" % (i, bool(t_r), t_e))
            continue
        refs.append(t_r[0])
        exe.append((t_e - t_r[0]) * 1000.0)
        kub.append((t_k - t_r[0]) * 1000.0)
        seen_steps += 1
    ex.wait(timeout=300)
    print("events measured: %d of %d (pod %s)" % (len(exe), n, victim))
    if exe:
        print("opsplan run (k8s.wait ready -> step end): median %.1f ms, p95 %.1f ms (min %.1f, max %.1f)" %
              (pctl(exe, 50), pctl(exe, 95), min(exe), max(exe)))
        print("kubectl wait --for=condition=Ready (exit): median %.1f ms, p95 %.1f ms (min %.1f, max %.1f)" %
              (pctl(kub, 50), pctl(kub, 95), min(kub), max(kub)))
    if os.path.exists(timefile):
        for line in open(timefile):
            if "Maximum resident set size" in line:
                print("opsplan run peak RSS: %.1f MiB" % (int(line.split(":")[1]) / 1024.0))
    return 0 if exe else 1


if __name__ == "__main__":
    sys.exit(main())
