#!/usr/bin/python3
"""Watches one pod while it is replaced and checks that no watch event ever
shows an imageID without the version that image declares (issue 9: a reader
saw the new image with the annotation still missing).

  image_watch.py KUBECONFIG NS POD DIGEST VERSION [--timeout S] [--ready-file F]

Watches pods with fieldSelector metadata.name=POD from now (touching
--ready-file once the watch is open) until an event shows a pod of another uid
than the current one Ready with DIGEST in its imageID, or --timeout (default
90 s).  Every event is checked: an imageID containing DIGEST must come with
the annotation sandbox.opsplan.io/image-patroni-version == VERSION.  Prints a
JSON summary; exit 0 when the replacement was seen and no event broke the
rule, 1 otherwise."""

import argparse
import json
import os
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from sbx.client import Client  # noqa: E402

ANNOTATION = "sandbox.opsplan.io/image-patroni-version"


def ready(pod):
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def main():
    ap = argparse.ArgumentParser()
    for a in ("kubeconfig", "ns", "pod", "digest", "version"):
        ap.add_argument(a)
    ap.add_argument("--timeout", type=float, default=90)
    ap.add_argument("--ready-file")
    a = ap.parse_args()
    c = Client(a.kubeconfig)
    code, cur = c.get(c.ns_path("pods", a.pod, ns=a.ns))
    if code != 200:
        print(json.dumps({"error": "GET pod %s: HTTP %s" % (a.pod, code)}))
        return 1
    old_uid = cur["metadata"]["uid"]
    q = urllib.parse.urlencode({"watch": "true", "resourceVersion": cur["metadata"]["resourceVersion"],
                                "fieldSelector": "metadata.name=" + a.pod,
                                "timeoutSeconds": str(int(a.timeout))})
    req = urllib.request.Request(c.server + c.ns_path("pods", ns=a.ns) + "?" + q,
                                 headers={"Authorization": "Bearer " + c.token, "User-Agent": "image-watch"})
    out = {"events": 0, "with_digest": 0, "bad": [], "replaced": False}
    deadline = time.monotonic() + a.timeout
    with urllib.request.urlopen(req, context=c.ctx, timeout=a.timeout + 5) as r:
        if a.ready_file:
            open(a.ready_file, "w").close()
        while time.monotonic() < deadline:
            line = r.readline()
            if not line:
                break
            ev = json.loads(line)
            pod = ev.get("object") or {}
            if ev.get("type") not in ("ADDED", "MODIFIED", "DELETED"):
                continue
            out["events"] += 1
            meta = pod.get("metadata") or {}
            ids = [s.get("imageID", "") for s in (pod.get("status") or {}).get("containerStatuses") or []]
            if any(a.digest in i for i in ids):
                out["with_digest"] += 1
                got = (meta.get("annotations") or {}).get(ANNOTATION)
                if got != a.version:
                    out["bad"].append({"type": ev["type"], "rv": meta.get("resourceVersion"),
                                       "uid": meta.get("uid"), "imageID": ids, "annotation": got})
                if meta.get("uid") != old_uid and ready(pod):
                    out["replaced"] = True
                    break
    print(json.dumps(out))
    return 0 if out["replaced"] and not out["bad"] and out["with_digest"] else 1


if __name__ == "__main__":
    sys.exit(main())
