#!/usr/bin/env python3
"""Reaction to a pod becoming Ready: opsplan's executor against kubectl wait,
on the same Ready transitions of the same run (bench/executor.sh).

  readiness.py race TRACE NS POD N MARKS
      Follows the sandbox's trace (tests/sandbox/sbx/trace.py).  Each time a
      new incarnation of POD is added, starts
          kubectl wait --for=condition=Ready pod/POD
      and, once it returns, `kubectl get pod POD -o name`, as a script would.
      Writes one line per incarnation to MARKS: uid, launch time, wait exit
      time, wait exit status.  Stops after N incarnations or on SIGTERM.

  readiness.py report TRACE NS POD MARKS SINCE
      Over the Ready transitions after epoch time SINCE, prints, one per line, `name value` pairs that bench/executor.sh turns
      into table rows (times in milliseconds).

Definitions (all times are the sandbox's and this script's clock: the same
machine, time.time()):
  T        the moment the sandbox stores the pod's Ready=True (the watch event
           is sent from it)
  opsplan  the first request with User-Agent "opsplan" after T, minus T.  In
           the plan it is the k8s.get that follows the k8s.wait for Ready, so
           it includes the watch delivery, the executor ending the step
           (journal fsync), starting the next one and sending its request.
           A sample counts only if the executor's watch began after the pod
           was added and before T, and that request is the plain GET of the pod.
  kubectl  (a) `kubectl wait` exiting, minus T: the earliest a script can act;
           no request is included, which favours kubectl.
           (b) the first request of the `kubectl get` that follows, minus T
           (a new kubectl process: the dispatcher's /version call first).
           A sample counts only if kubectl wait's watch began before T.
"""
import os
import signal
import subprocess
import sys
import time


def parse_trace(path):
    reqs, pods = [], []
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 3:
                continue
            t = float(p[0])
            if p[1] == "req" and len(p) >= 5:
                reqs.append((t, p[2], p[3], p[4]))
            elif p[1] == "pod" and len(p) >= 7:
                pods.append((t, p[2], p[3], p[4], p[5] == "ready=true"))
    return reqs, pods


# ---- race ---------------------------------------------------------------------
def race(trace, ns, pod, n, marks):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    key = "%s/%s" % (ns, pod)
    done, seen = 0, set()
    pos = os.path.getsize(trace)   # only what happens from now on
    out = open(marks, "a", buffering=1)
    while not stop and done < n:
        # Read what is new; act only on the newest incarnation that is neither
        # gone nor Ready yet (older lines were overtaken while kubectl ran).
        with open(trace, "rb") as f:
            f.seek(pos)
            chunk = f.read()
        cut = chunk.rfind(b"\n") + 1
        pos += cut
        todo = None
        for line in chunk[:cut].decode("utf-8", "replace").splitlines():
            p = line.split("\t")
            if len(p) >= 7 and p[1] == "pod" and p[3] == key:
                if p[2] == "ADDED" and p[4] not in seen:
                    todo = p[4]
                elif todo == p[4]:
                    todo = None    # already Ready or gone: too late to be fair
        if todo is None:
            time.sleep(0.002)
            continue
        seen.add(todo)
        t_launch = time.time()
        rc = subprocess.call(["kubectl", "wait", "--for=condition=Ready", "pod/" + pod, "-n", ns,
                              "--timeout=60s"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t_exit = time.time()
        subprocess.call(["kubectl", "get", "pod", pod, "-n", ns, "-o", "name"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out.write("%s\t%.3f\t%.3f\t%d\n" % (todo, t_launch, t_exit, rc))
        done += 1
    return 0


# ---- report -------------------------------------------------------------------
def pct(xs, q):
    """Nearest-rank percentile."""
    xs = sorted(xs)
    if not xs:
        return None
    k = max(1, -(-len(xs) * q // 100))
    return xs[int(k) - 1]


def report(trace, ns, pod, marks, since):
    reqs, pods = parse_trace(trace)
    key = "%s/%s" % (ns, pod)
    path = "/api/v1/namespaces/%s/pods/%s" % (ns, pod)
    added = {uid: t for t, typ, k, uid, _ in pods if k == key and typ == "ADDED"}
    readies = [(t, uid) for t, typ, k, uid, ready in pods
               if k == key and typ == "MODIFIED" and ready and t >= since]
    km = {}
    if marks and os.path.exists(marks):
        with open(marks) as f:
            for line in f:
                p = line.split("\t")
                if len(p) == 4:
                    km[p[0]] = (float(p[1]), float(p[2]), int(p[3]))
    ops = [r for r in reqs if r[3].startswith("opsplan")]
    kub = [r for r in reqs if r[3].startswith("kubectl")]

    def first_after(rs, t):
        for r in rs:
            if r[0] >= t:
                return r
        return None

    op_ms, k_exit, k_next = [], [], []
    op_bad = k_bad = 0
    for t, uid in readies:
        t_add = added.get(uid, t)
        watched = any(t_add <= r[0] < t and "watch=" in r[2] and pod in r[2] for r in ops)
        nxt = first_after(ops, t)
        if watched and nxt and nxt[1] == "GET" and nxt[2] == path:
            op_ms.append((nxt[0] - t) * 1000)
        elif watched or nxt:
            op_bad += 1
        m = km.get(uid)
        if m:
            t_launch, t_exit, rc = m
            kw = any(t_launch <= r[0] < t and "watch=" in r[2] for r in kub)
            if kw and rc == 0 and t_exit >= t:
                k_exit.append((t_exit - t) * 1000)
                r = first_after(kub, t_exit)
                if r:
                    k_next.append((r[0] - t) * 1000)
            else:
                k_bad += 1

    def line(name, xs):
        if xs:
            print("%s %d %.1f %.1f %.1f %.1f" % (name, len(xs), pct(xs, 50), pct(xs, 95), min(xs), max(xs)))
        else:
            print("%s 0 - - - -" % name)
    print("ready_events %d" % len(readies))
    line("opsplan", op_ms)
    print("opsplan_excluded %d" % op_bad)
    line("kubectl_wait_exit", k_exit)
    line("kubectl_next_request", k_next)
    print("kubectl_excluded %d" % k_bad)
    return 0


def main(argv):
    if len(argv) == 7 and argv[1] == "race":
        return race(argv[2], argv[3], argv[4], int(argv[5]), argv[6])
    if len(argv) == 7 and argv[1] == "report":
        return report(argv[2], argv[3], argv[4], argv[5], float(argv[6]))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
