#!/usr/bin/python3
"""Wire semantics of the sandbox API that clients rely on (the opsplan
executor, Patroni, kubectl): auth, Status bodies, optimistic concurrency,
preconditions, dry run, selectors, the three patch types, watch with
timeoutSeconds/bookmarks/410, and fault injection.  Prints one line per check;
exit status 1 if any failed.

  api_check.py SANDBOX_DIR"""

import json
import os
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from sbx.client import Client  # noqa: E402

failed = 0


def check(desc, cond, detail=""):
    global failed
    print("%s %s%s" % ("ok  " if cond else "FAIL", desc, "" if cond else ": %s" % (detail,)))
    if not cond:
        failed += 1


def watch_lines(c, path, timeout=10):
    req = urllib.request.Request(c.server + path, headers={"Authorization": "Bearer " + c.token})
    t0 = time.monotonic()
    with urllib.request.urlopen(req, context=c.ctx, timeout=timeout) as r:
        chunked = r.headers.get("Transfer-Encoding") == "chunked"
        lines = [json.loads(x) for x in r.read().decode().splitlines() if x.strip()]
    return lines, time.monotonic() - t0, chunked


def call(c, method, path, agent, timeout=5):
    """(status, reason) of a request with this User-Agent; status "dropped" when
    the connection closed without an answer."""
    req = urllib.request.Request(c.server + path, method=method,
                                 headers={"Authorization": "Bearer " + c.token, "User-Agent": agent})
    try:
        with urllib.request.urlopen(req, context=c.ctx, timeout=timeout) as r:
            r.read()
            return r.status, None
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read()).get("reason")
        except ValueError:
            return e.code, None
    except Exception as e:  # noqa: RemoteDisconnected, ConnectionResetError, SSL EOF: no answer
        if isinstance(e, urllib.error.URLError) and isinstance(e.reason, socket.timeout):
            return "timeout", None
        return "dropped", type(e).__name__


def watch_after_outage(c, path, agent, mode):
    """Opens a watch, then starts a 2 s outage of that mode for the agent:
    (seconds until the stream ended, how it ended: "clean" or an exception)."""
    req = urllib.request.Request(c.server + path, headers={"Authorization": "Bearer " + c.token,
                                                           "User-Agent": agent})
    with urllib.request.urlopen(req, context=c.ctx, timeout=15) as r:
        c.request("POST", "/sandbox/faults", {"outage": 2, "outage_mode": mode, "agent": agent})
        t0 = time.monotonic()
        try:
            r.read()
            how = "clean"
        except Exception as e:  # noqa: IncompleteRead, reset: the stream was cut
            how = type(e).__name__
    return time.monotonic() - t0, how


def outage_checks(c, d, cm):
    """The time-based outage (`sandbox fault --outage S [--outage-mode 503|drop]`),
    scoped to a User-Agent of our own so that Patroni is not disturbed, and the
    access log's record of it."""
    me, other = "api-check-outage", "opsplan-api-check"
    code, state = c.request("POST", "/sandbox/faults", {"outage": 3, "agent": me})
    check("outage: the fault state shows it (mode 503, until, left_s)",
          (state.get("outage") or {}).get("mode") == "503" and 0 < state["outage"].get("left_s", 0) <= 3, state)
    t0 = time.monotonic()
    got = call(c, "GET", cm, me)
    check("outage 503: a request during it is 503 ServiceUnavailable", got == (503, "ServiceUnavailable"), got)
    got = call(c, "POST", cm, me)
    check("outage 503: a write too (before auth, body or not)", got[0] == 503, got)
    got = call(c, "GET", cm, other)
    check("outage scoped by --agent: another client is served", got == (200, None), got)
    time.sleep(max(0.0, 3.2 - (time.monotonic() - t0)))
    got = call(c, "GET", cm, me)
    check("outage 503: over after its seconds, by itself", got == (200, None), got)
    code, state = c.get("/sandbox/faults")
    check("outage: gone from the fault state when over", "outage" not in state, state)

    c.request("POST", "/sandbox/faults", {"outage": 2, "outage_mode": "drop", "agent": me})
    t0 = time.monotonic()
    got = call(c, "GET", cm, me)
    check("outage drop: the connection is closed without an answer", got[0] == "dropped", got)
    got = call(c, "GET", cm, other)
    check("outage drop scoped by --agent: another client is served", got == (200, None), got)
    time.sleep(max(0.0, 2.2 - (time.monotonic() - t0)))
    got = call(c, "GET", cm, me)
    check("outage drop: over after its seconds", got == (200, None), got)

    took, how = watch_after_outage(c, cm + "?watch=true&timeoutSeconds=12", me, "drop")
    check("outage drop: an open watch is cut at once (no final chunk, %.3f s)" % took,
          took < 1.5 and how != "clean", (took, how))
    time.sleep(2.2)
    took, how = watch_after_outage(c, cm + "?watch=true&timeoutSeconds=12", me, "503")
    check("outage 503: an open watch ends at once (%.3f s)" % took, took < 1.5 and how == "clean", (took, how))
    time.sleep(2.2)

    c.request("POST", "/sandbox/faults", {"outage": 60, "agent": me})
    got1 = call(c, "GET", cm, me)
    code, state = c.request("POST", "/sandbox/faults", {"outage": None})   # what `sandbox fault --clear` sends
    got2 = call(c, "GET", cm, me)
    check("an outage ends with --clear", got1[0] == 503 and got2 == (200, None) and "outage" not in state,
          (got1, got2, state))
    code, e = c.request("POST", "/sandbox/faults", {"outage": 5, "outage_mode": "slow"})
    check("an unknown outage mode is a 400", code == 400, (code, e))
    c.request("POST", "/sandbox/faults", {"match": None, "agent": None})

    # the access log: every request, its arrival time (ms), status, method, path, agent; no token
    time.sleep(0.2)
    text = open(os.path.join(d, "logs", "access.log")).read()
    rows = [x.split("\t") for x in text.splitlines()]
    mine = [r for r in rows if len(r) == 6 and r[5] == me]
    check("access log: 6 tab-separated fields on every line", rows and all(len(r) == 6 for r in rows),
          [r for r in rows if len(r) != 6][:3])
    check("access log: the 503s, the drops and the 200s of the outage client",
          {"503", "drop", "200"} <= {r[1] for r in mine} and all(r[3] in ("GET", "POST") for r in mine),
          mine[:5])
    check("access log: the path with its query, times in ms, non-decreasing per client",
          any(r[4] == cm + "?watch=true&timeoutSeconds=12" for r in mine)
          and all(len(r[0].split(".")[1]) == 3 for r in mine)
          and [float(r[0]) for r in mine] == sorted(float(r[0]) for r in mine), mine[:5])
    token = open(os.path.join(d, "token")).read().strip()
    check("access log: the token never appears", token not in text)
    _, pods = c.get(c.ns_path("pods"))
    pod = pods["items"][0]["metadata"]["name"]
    proxy = c.ns_path("pods", pod + ":8008/proxy/patroni")
    call(c, "GET", proxy, "api-check-proxy")
    call(c, "GET", c.ns_path("pods", pod) + "?access_token=abc&watch=false", "api-check-proxy")
    time.sleep(0.2)
    rows = [x.split("\t") for x in open(os.path.join(d, "logs", "access.log")).read().splitlines()]
    check("access log: pod proxy requests appear with their full path",
          any(r[1] == "200" and r[3:] == ["GET", proxy, "api-check-proxy"] for r in rows), rows[-3:])
    check("access log: secret-looking query values are redacted",
          any(r[4] == c.ns_path("pods", pod) + "?access_token=<redacted>&watch=false" for r in rows)
          and "abc" not in "".join(r[4] for r in rows if r[5] == "api-check-proxy"), rows[-3:])


def main():
    d = sys.argv[1]
    st = json.load(open(os.path.join(d, "state.json")))
    c = Client(st["kubeconfig"])
    cm = c.ns_path("configmaps")
    c.request("POST", "/sandbox/faults", {k: None for k in ("error_5xx", "throttle", "latency_ms", "drop",
                                                            "watch_cut_after", "watch_410", "match", "method",
                                                            "agent", "outage")})

    # auth: no token -> 401 Status
    req = urllib.request.Request(c.server + cm)
    try:
        urllib.request.urlopen(req, context=c.ctx, timeout=5)
        check("no token is refused", False, "200")
    except urllib.error.HTTPError as e:
        body = json.loads(e.read())
        check("no token -> 401 Status Unauthorized", e.code == 401 and body.get("reason") == "Unauthorized", body)

    # discovery
    code, v = c.get("/version")
    check("/version", code == 200 and v.get("major") == "1", v)
    code, apis = c.get("/apis")
    names = {g["name"] for g in apis.get("groups", [])}
    check("/apis lists apps, build and image groups",
          {"apps", "build.openshift.io", "image.openshift.io"} <= names, names)
    code, core = c.get("/api/v1")
    rnames = {r["name"] for r in core.get("resources", [])}
    check("/api/v1 lists pods/exec, pods/proxy, pods/status",
          {"pods", "pods/exec", "pods/proxy", "pods/status", "configmaps", "endpoints"} <= rnames, rnames)

    # create, 409 AlreadyExists, 404 NotFound with Status bodies
    code, a = c.request("POST", cm, {"metadata": {"name": "api-check", "labels": {"t": "api", "n": "1"}},
                                     "data": {"k": "v"}})
    check("create -> 201 with uid and numeric resourceVersion",
          code == 201 and a["metadata"]["uid"] and a["metadata"]["resourceVersion"].isdigit(), (code, a))
    code, e = c.request("POST", cm, {"metadata": {"name": "api-check"}})
    check("create again -> 409 AlreadyExists", code == 409 and e.get("reason") == "AlreadyExists", (code, e))
    code, e = c.get(c.ns_path("configmaps", "no-such"))
    check("get missing -> 404 NotFound Status", code == 404 and e.get("kind") == "Status"
          and e.get("reason") == "NotFound" and e.get("details", {}).get("name") == "no-such", (code, e))

    # optimistic concurrency
    rv = a["metadata"]["resourceVersion"]
    code, b = c.request("PATCH", c.ns_path("configmaps", "api-check"),
                        {"metadata": {"resourceVersion": rv}, "data": {"k": "v2"}},
                        content_type="application/strategic-merge-patch+json")
    check("strategic patch with current resourceVersion -> 200, version increases",
          code == 200 and int(b["metadata"]["resourceVersion"]) > int(rv) and b["data"]["k"] == "v2", (code, b))
    code, e = c.request("PATCH", c.ns_path("configmaps", "api-check"),
                        {"metadata": {"resourceVersion": rv}, "data": {"k": "v3"}},
                        content_type="application/strategic-merge-patch+json")
    check("patch with a stale resourceVersion -> 409 Conflict", code == 409 and e.get("reason") == "Conflict", (code, e))
    stale = dict(a, data={"k": "put"})
    code, e = c.request("PUT", c.ns_path("configmaps", "api-check"), stale)
    check("update with a stale resourceVersion -> 409 Conflict", code == 409 and e.get("reason") == "Conflict", code)

    # patch types
    code, m = c.request("PATCH", c.ns_path("configmaps", "api-check"), {"data": {"k": None, "x": "1"}},
                        content_type="application/merge-patch+json")
    check("merge patch: null deletes, maps merge", code == 200 and m["data"] == {"x": "1"}, m.get("data"))
    code, j = c.request("PATCH", c.ns_path("configmaps", "api-check"),
                        [{"op": "test", "path": "/data/x", "value": "1"},
                         {"op": "add", "path": "/data/y", "value": "2"}], content_type="application/json-patch+json")
    check("json patch: test + add", code == 200 and j["data"] == {"x": "1", "y": "2"}, j.get("data"))
    code, e = c.request("PATCH", c.ns_path("configmaps", "api-check"),
                        [{"op": "test", "path": "/data/x", "value": "nope"}],
                        content_type="application/json-patch+json")
    check("json patch: failed test -> 422", code == 422, (code, e))
    code, e = c.request("PATCH", c.ns_path("configmaps", "api-check"), {"data": {}}, content_type="text/plain")
    check("unknown patch type -> 415", code == 415, code)

    # server-side apply (approximation: create or strategic merge) needs a fieldManager
    path = c.ns_path("configmaps", "api-apply") + "?fieldManager=api-check"
    code, ap = c.request("PATCH", path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "api-apply"},
                                         "data": {"a": "1"}}, content_type="application/apply-patch+yaml")
    code2, ap2 = c.request("PATCH", path, {"apiVersion": "v1", "kind": "ConfigMap",
                                           "metadata": {"name": "api-apply"}, "data": {"a": "2"}},
                           content_type="application/apply-patch+yaml")
    check("apply patch creates (201) then updates (200)", code == 201 and code2 == 200 and ap2["data"]["a"] == "2",
          (code, code2))
    code, e = c.request("PATCH", c.ns_path("configmaps", "api-apply"), {"data": {}},
                        content_type="application/apply-patch+yaml")
    check("apply patch without fieldManager -> 422", code == 422, (code, e))
    c.request("DELETE", c.ns_path("configmaps", "api-apply"))
    code, dep = c.request("POST", c.ns_path("deployments", group="apps"),
                          {"metadata": {"name": "stored"}, "spec": {"replicas": 0}})
    code2, _ = c.get(c.ns_path("deployments", "stored", group="apps"))
    check("kinds without a controller are stored (apps/v1 Deployment)", code == 201 and code2 == 200, (code, code2))
    c.request("DELETE", c.ns_path("deployments", "stored", group="apps"))
    code, oa = c.get("/openapi/v3")
    check("/openapi/v3 indexes every group version", code == 200 and "apis/apps/v1" in oa.get("paths", {}), code)

    # dry run
    code, dr = c.request("POST", cm + "?dryRun=All", {"metadata": {"name": "api-dry"}})
    code2, _ = c.get(c.ns_path("configmaps", "api-dry"))
    check("dryRun=All create is not stored", code == 201 and code2 == 404, (code, code2))

    # selectors
    code, lst = c.get(cm + "?labelSelector=t%3Dapi,n+in+(1,2)")
    check("label selector (= and in)", code == 200 and [i["metadata"]["name"] for i in lst["items"]] == ["api-check"],
          lst)
    code, lst = c.get(cm + "?labelSelector=t!%3Dapi")
    check("label selector (!=)", code == 200 and "api-check" not in [i["metadata"]["name"] for i in lst["items"]])
    code, lst = c.get(cm + "?fieldSelector=metadata.name%3Dapi-check")
    check("field selector metadata.name", code == 200 and len(lst["items"]) == 1, lst)
    code, e = c.get(cm + "?fieldSelector=data.k%3Dv")
    check("unsupported field selector -> 400", code == 400 and e.get("reason") == "BadRequest", (code, e))
    code, pods = c.get(c.ns_path("pods") + "?fieldSelector=status.phase%3DRunning")
    check("pod field selector status.phase", code == 200 and len(pods["items"]) == st["members"], code)

    # delete with preconditions
    code, e = c.request("DELETE", c.ns_path("configmaps", "api-check"),
                        {"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"uid": "wrong"}})
    check("delete with a wrong preconditions.uid -> 409", code == 409 and e.get("reason") == "Conflict", (code, e))

    # watch: chunked, timeoutSeconds, replay from a version, bookmarks
    code, lst = c.get(cm + "?labelSelector=t%3Dapi")
    rv0 = lst["metadata"]["resourceVersion"]
    c.request("PATCH", c.ns_path("configmaps", "api-check"), {"data": {"z": "3"}},
              content_type="application/merge-patch+json")
    lines, took, chunked = watch_lines(c, cm + "?watch=true&labelSelector=t%%3Dapi&resourceVersion=%s"
                                       "&timeoutSeconds=2" % rv0)
    check("watch from a version replays the change, chunked, ends at timeoutSeconds",
          chunked and [x["type"] for x in lines] == ["MODIFIED"] and 1.5 < took < 4, (lines, took, chunked))
    lines, took, _ = watch_lines(c, cm + "?watch=true&allowWatchBookmarks=true&timeoutSeconds=7&resourceVersion="
                                 + rv0 + "&labelSelector=t%3Dnothing")
    check("watch sends BOOKMARK events when allowed", any(x["type"] == "BOOKMARK" for x in lines), lines)
    code, e = c.request("DELETE", c.ns_path("configmaps", "api-check"),
                        {"preconditions": {"uid": a["metadata"]["uid"]}})
    check("delete with the right uid", code == 200, code)

    # faults: 5xx, 429 + Retry-After, 410 (status and in-stream), dropped connection
    c.request("POST", "/sandbox/faults", {"error_5xx": 1, "match": "/configmaps", "agent": "Python-urllib"})
    code, e = c.get(cm)
    check("fault api-5xx: next request 503 ServiceUnavailable", code == 503 and e.get("reason") ==
          "ServiceUnavailable", (code, e))
    code, _ = c.get(cm)
    check("fault api-5xx: counted, then healthy again", code == 200, code)
    c.request("POST", "/sandbox/faults", {"error_5xx": 1, "match": "/configmaps", "agent": "no-such-agent"})
    code, _ = c.get(cm)
    check("a fault scoped to another User-Agent does not fire", code == 200, code)
    c.request("POST", "/sandbox/faults", {"error_5xx": None})
    c.request("POST", "/sandbox/faults", {"throttle": 1, "retry_after": 2, "match": "/configmaps",
                                          "agent": "Python-urllib"})
    req = urllib.request.Request(c.server + cm, headers={"Authorization": "Bearer " + c.token})
    try:
        urllib.request.urlopen(req, context=c.ctx, timeout=5)
        check("fault api-429", False, "200")
    except urllib.error.HTTPError as e:
        check("fault api-429: 429 TooManyRequests with Retry-After",
              e.code == 429 and e.headers.get("Retry-After") == "2", (e.code, dict(e.headers)))
    c.request("POST", "/sandbox/faults", {"compact": True})
    code, e = c.get(cm + "?watch=true&resourceVersion=2")
    check("watch from a compacted version -> 410 Expired", code == 410 and e.get("reason") == "Expired", (code, e))
    code, lst = c.get(cm)
    c.request("POST", "/sandbox/faults", {"watch_410": 1, "match": "/configmaps", "agent": "Python-urllib"})
    lines, _, _ = watch_lines(c, cm + "?watch=true&resourceVersion=%s" % lst["metadata"]["resourceVersion"])
    check("fault watch-410: in-stream ERROR with code 410",
          lines and lines[0]["type"] == "ERROR" and lines[0]["object"]["code"] == 410, lines)
    c.request("POST", "/sandbox/faults", {"drop": 1, "match": "/configmaps", "agent": "Python-urllib"})
    try:
        c.get(cm)
        check("fault drop: connection dropped", False, "got an answer")
    except (OSError, ssl.SSLError, urllib.error.URLError, ConnectionError):
        check("fault drop: connection dropped", True)
    except Exception as e:  # http.client.RemoteDisconnected and friends
        check("fault drop: connection dropped", "Disconnected" in type(e).__name__ or "BadStatus" in type(e).__name__,
              repr(e))
    code, _ = c.get(cm)
    check("after faults, healthy", code == 200, code)
    c.request("POST", "/sandbox/faults", {"match": None, "agent": None})
    outage_checks(c, d, cm)
    _ = socket
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
