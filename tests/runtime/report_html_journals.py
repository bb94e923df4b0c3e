#!/usr/bin/env python3
"""report_html_journals.py DIR [ITEMS]: synthetic journals for the HTML report
(tests/suites.d/47-report-html.sh, bench/report_html.sh), written from the
format documented in runtime/journal.h by an independent writer:

  failed.jsonl       a default-plan-like run that fails: a retried attempt, a
                     failed expect, maintenance left open, a window exceeded
  interrupted.jsonl  Ctrl-C during a wait: a signal, an intent without outcome
  incomplete.jsonl   the process died: no run-end, a step still running
  hostile.jsonl      every string a journal can carry made of HTML and
                     script, and parameters whose names look secret
  loop.jsonl         a loop of ITEMS items (default 200), two of them failed
"""
import json, os, sys, time

T0 = 1795685412000


def crc32c(b):
    c = 0xFFFFFFFF
    for x in b:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    return c ^ 0xFFFFFFFF


def write(d, name, recs):
    out = []
    for i, (kind, at, data) in enumerate(recs, 1):
        t = T0 + at
        iso = "%s.%03dZ" % (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t // 1000)), t % 1000)
        head = '{"seq":%d,"kind":"%s","time":"%s","ms":%d,"data":%s' % (
            i, kind, iso, t, json.dumps(data, separators=(",", ":")))
        out.append(head + ',"crc32c":"%08x"}\n' % crc32c(head.encode()))
    with open(os.path.join(d, name + ".jsonl"), "w") as f:
        f.write("".join(out))


def start(rid, dry=False, params=None):
    return ("run-start", 0, {"run_id": rid, "plan": "patroni-hotfix", "ir_hash": "sha256:" + "ab" * 32,
                             "params": params or {"cluster": "patroni-001", "replica_window": 600},
                             "namespace": "demo", "cluster": "patroni-001", "context": "lab",
                             "dry_run": dry, "version": "0.1.0", "user": "alice", "host": "h1", "pid": 7})


def step(name, t0, t1, status="ok", item=None, label=None, attempt=1, **extra):
    s = {"step": name, "attempt": attempt, "action": extra.pop("action", "k8s.get")}
    e = {"step": name, "status": status, "attempts": attempt, "duration_ms": t1 - t0}
    if item is not None:
        s["item_index"] = e["item_index"] = item
        s["item_label"] = e["item_label"] = label
    e.update(extra)
    return [("step-start", t0, s), ("step-end", t1, e)]


def ok_expect(that, value=True):
    return {"kind": "expect", "that": that, "value": value, "verdict": "pass"}


def failed(d):
    r = [start("20261126T093012Z-patroni-hotfix-fail")]
    r += step("healthy", 100, 1300, summary="3 members, leader patroni-001-1",
              assertions=[ok_expect("len(result.members) == 3")])
    r += step("build", 1400, 61000, summary="patroni-postgres-2 Complete")
    r.append(("gate", 61100, {"step": "pause", "question": "Go on?", "state": "asked"}))
    r.append(("gate", 75000, {"step": "pause", "question": "Go on?", "state": "answered", "answer": True, "by": "user"}))
    r.append(("step-start", 75100, {"step": "pause", "attempt": 1, "action": "patroni.pause"}))
    r.append(("intent", 75200, {"step": "pause", "attempt": 1, "action": "patroni.pause",
                                "request": {"method": "PATCH", "path": "/config"},
                                "precondition": {"pause_before": False}, "idempotent": True}))
    r.append(("outcome", 75400, {"step": "pause", "attempt": 1, "ok": True, "http_status": 200,
                                 "summary": "pause requested"}))
    r.append(("bracket-open", 75500, {"bracket": "maintenance", "step": "pause"}))
    r.append(("step-end", 75600, {"step": "pause", "status": "ok", "attempts": 1, "duration_ms": 500}))
    r.append(("window-open", 76000, {"window": "upgrade-replicas", "within_ms": 120000}))
    r.append(("step-start", 76000, {"step": "replicas", "attempt": 1, "action": "k8s.delete",
                                    "loop": True, "items": ["patroni-001-0", "patroni-001-2"]}))
    r += step("replicas", 76010, 140000, item=0, label="patroni-001-0", action="k8s.delete")
    r.append(("step-start", 140100, {"step": "replicas", "item_index": 1, "item_label": "patroni-001-2",
                                     "attempt": 1, "action": "k8s.delete"}))
    r.append(("intent", 140200, {"step": "replicas", "item_index": 1, "attempt": 1, "action": "k8s.delete",
                                 "precondition": {"uid": "u-1"}}))
    r.append(("outcome", 140300, {"step": "replicas", "item_index": 1, "attempt": 1, "ok": False,
                                  "http_status": 409, "error": "uid precondition failed"}))
    r.append(("step-start", 150300, {"step": "replicas", "item_index": 1, "item_label": "patroni-001-2",
                                     "attempt": 2, "action": "k8s.delete"}))
    r.append(("step-end", 215000, {"step": "replicas", "item_index": 1, "item_label": "patroni-001-2",
                                   "status": "failed", "attempts": 2, "duration_ms": 74900,
                                   "error": "expect result.status.phase == \"Running\" failed: ImagePullBackOff",
                                   "assertions": [{"kind": "expect", "that": "result.status.phase == \"Running\"",
                                                   "value": "Pending", "verdict": "fail",
                                                   "message": "the new pod did not start"}]}))
    r.append(("step-end", 215100, {"step": "replicas", "status": "failed", "attempts": 1, "duration_ms": 139100,
                                   "error": "an item failed"}))
    r.append(("window-close", 215200, {"window": "upgrade-replicas", "elapsed_ms": 139200, "exceeded": True}))
    r += step("resume-on-exit", 215300, 215300, status="skipped")
    r.append(("run-end", 215400, {"state": "failed", "exit_code": 1,
                                  "error": "step 'replicas' failed: ImagePullBackOff"}))
    write(d, "failed", r)


def interrupted(d):
    r = [start("20261126T093012Z-patroni-hotfix-intr")]
    r += step("healthy", 100, 900)
    r.append(("bracket-open", 1000, {"bracket": "maintenance", "step": "pause"}))
    r.append(("step-start", 1100, {"step": "delete-leader", "attempt": 1, "action": "k8s.delete"}))
    r.append(("intent", 1200, {"step": "delete-leader", "attempt": 1, "action": "k8s.delete",
                               "precondition": {"uid": "u-9"}}))
    r.append(("signal", 30000, {"signal": "SIGINT", "count": 1}))
    r.append(("run-end", 30500, {"state": "interrupted", "exit_code": 4, "error": "interrupted by SIGINT"}))
    write(d, "interrupted", r)


def incomplete(d):
    r = [start("20261126T093012Z-patroni-hotfix-dead")]
    r += step("healthy", 100, 900)
    r.append(("step-start", 1000, {"step": "build", "attempt": 1, "action": "openshift.build"}))
    write(d, "incomplete", r)


def hostile(d):
    x = '</script><script>alert(1)</script><img src=x onerror="alert(2)">\'"&amp;'
    params = {"cluster": x, "db_password": "hunter2-SECRET", "api_token": "tok-SECRET-123",
              "note": "see https://example.com/evil"}
    r = [start(x, params=params)]
    r[0][2]["plan"] = x
    r[0][2]["user"] = x
    r += step(x, 100, 900, status="failed", label=x, error=x, summary=x,
              assertions=[{"kind": "expect", "that": x, "value": x, "verdict": "fail", "message": x}])
    r.append(("intent", 950, {"step": x, "attempt": 1, "action": x, "request": {"method": x, "path": x},
                              "precondition": {"uid": x}}))
    r.append(("outcome", 960, {"step": x, "attempt": 1, "ok": False, "error": x}))
    r.append(("gate", 970, {"step": x, "question": x, "state": "answered", "answer": False, "by": x}))
    r.append(("bracket-open", 980, {"bracket": x, "step": x}))
    r.append(("window-open", 980, {"window": x, "within_ms": 10}))
    r.append(("window-close", 990, {"window": x, "elapsed_ms": 10, "exceeded": True}))
    r.append(("run-end", 1000, {"state": "failed", "exit_code": 1, "error": x}))
    write(d, "hostile", r)


def loop(d, n):
    r = [start("20261126T093012Z-patroni-hotfix-loop")]
    r.append(("step-start", 100, {"step": "pods", "attempt": 1, "action": "k8s.delete", "loop": True,
                                  "items": ["pod-%d" % i for i in range(n)]}))
    t = 200
    for i in range(n):
        bad = i in (57, 133)
        r += step("pods", t, t + 400, item=i, label="pod-%d" % i, action="k8s.delete",
                  status="failed" if bad else "ok", error="pod did not come back" if bad else None,
                  assertions=[ok_expect("result.status.phase == \"Running\"", "Running")])
        r.append(("intent", t + 10, {"step": "pods", "item_index": i, "attempt": 1, "action": "k8s.delete",
                                     "precondition": {"uid": "u-%d" % i}}))
        r.append(("outcome", t + 20, {"step": "pods", "item_index": i, "attempt": 1, "ok": True,
                                      "http_status": 200}))
        t += 450
    r.append(("step-end", t, {"step": "pods", "status": "failed", "attempts": 1, "duration_ms": t - 100}))
    r.append(("run-end", t + 10, {"state": "failed", "exit_code": 1, "error": "2 items failed"}))
    write(d, "loop", r)


if __name__ == "__main__":
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    failed(d)
    interrupted(d)
    incomplete(d)
    hostile(d)
    loop(d, int(sys.argv[2]) if len(sys.argv) > 2 else 200)
