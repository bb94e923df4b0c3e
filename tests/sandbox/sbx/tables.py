"""Server-side printing (`as=Table`), which kubectl asks for on `get`."""

import datetime


def _age(ts):
    if not ts:
        return "<unknown>"
    try:
        t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return "<unknown>"
    s = int((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds())
    if s < 120:
        return "%ds" % max(s, 0)
    if s < 600:
        return "%dm%ds" % (s // 60, s % 60) if s % 60 else "%dm" % (s // 60)
    if s < 3 * 3600:
        return "%dm" % (s // 60)
    if s < 48 * 3600:
        return "%dh" % (s // 3600)
    return "%dd" % (s // 86400)


def _col(name, typ="string", priority=0, fmt=""):
    return {"name": name, "type": typ, "format": fmt, "description": name, "priority": priority}


def _pod_status(pod):
    if pod["metadata"].get("deletionTimestamp"):
        return "Terminating"
    for cs in pod.get("status", {}).get("containerStatuses", []) or []:
        waiting = cs.get("state", {}).get("waiting")
        if waiting and waiting.get("reason"):
            return waiting["reason"]
    return pod.get("status", {}).get("phase", "Pending")


def _pod_row(pod):
    st = pod.get("status", {})
    css = st.get("containerStatuses", []) or []
    ready = sum(1 for c in css if c.get("ready"))
    total = len(pod.get("spec", {}).get("containers", []) or [])
    restarts = sum(c.get("restartCount", 0) for c in css)
    return [pod["metadata"]["name"], "%d/%d" % (ready, total), _pod_status(pod), restarts,
            _age(pod["metadata"].get("creationTimestamp")), st.get("podIP") or "<none>",
            pod.get("spec", {}).get("nodeName") or "<none>", "<none>", "<none>"]


POD_COLS = [_col("Name", fmt="name"), _col("Ready"), _col("Status"), _col("Restarts", "integer"), _col("Age"),
            _col("IP", priority=1), _col("Node", priority=1), _col("Nominated Node", priority=1),
            _col("Readiness Gates", priority=1)]


def _sts_row(o):
    st = o.get("status", {})
    return [o["metadata"]["name"], "%d/%d" % (st.get("readyReplicas", 0), o.get("spec", {}).get("replicas", 1)),
            _age(o["metadata"].get("creationTimestamp"))]


def _build_row(o):
    st = o.get("status", {})
    return [o["metadata"]["name"], o.get("spec", {}).get("strategy", {}).get("type", "Docker"),
            st.get("phase", "New"), _age(o["metadata"].get("creationTimestamp"))]


def _svc_row(o):
    spec = o.get("spec", {})
    ports = ",".join("%s/%s" % (p.get("port"), p.get("protocol", "TCP")) for p in spec.get("ports", []) or [])
    return [o["metadata"]["name"], spec.get("type", "ClusterIP"), spec.get("clusterIP", "<none>"),
            "<none>", ports or "<none>", _age(o["metadata"].get("creationTimestamp"))]


def _generic_row(o):
    return [o["metadata"]["name"], _age(o["metadata"].get("creationTimestamp"))]


def _event_row(o):
    inv = o.get("involvedObject") or {}
    return [_age(o.get("lastTimestamp") or o["metadata"].get("creationTimestamp")), o.get("type", ""),
            o.get("reason", ""), "%s/%s" % (inv.get("kind", "").lower(), inv.get("name", "")), o.get("message", "")]


KINDS = {
    "Event": ([_col("Last Seen"), _col("Type"), _col("Reason"), _col("Object"), _col("Message")], _event_row),
    "Pod": (POD_COLS, _pod_row),
    "StatefulSet": ([_col("Name", fmt="name"), _col("Ready"), _col("Age")], _sts_row),
    "Build": ([_col("Name", fmt="name"), _col("Type"), _col("Status"), _col("Started")], _build_row),
    "Service": ([_col("Name", fmt="name"), _col("Type"), _col("Cluster-IP"), _col("External-IP"),
                 _col("Port(s)"), _col("Age")], _svc_row),
}


def wants_table(accept):
    return "as=Table" in (accept or "")


def table(kind, objs, rv, with_columns=True):
    cols, rowfn = KINDS.get(kind, ([_col("Name", fmt="name"), _col("Age")], _generic_row))
    out = {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": str(rv)},
           "columnDefinitions": cols if with_columns else [],
           "rows": [{"cells": rowfn(o), "object": o} for o in objs]}
    return out
