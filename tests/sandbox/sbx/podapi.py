"""Pod subresources over HTTP: `proxy` (to the pod's address, Authorization
stripped) and `log` (with follow, tailLines, limitBytes)."""

import http.client
import os
import time

from . import errors, resources
from .errors import ApiError

PODS = resources.BY_KIND["Pod"]
HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
       "transfer-encoding", "upgrade", "authorization", "host", "content-length"}


def _pod(h, ns, name):
    return h.server.store.get(PODS, ns, name)


def proxy(h, res, ns, name, rest):
    scheme, port = "http", None
    parts = name.split(":")
    if len(parts) == 3:
        scheme, name, port = parts
    elif len(parts) == 2:
        name, port = parts
    pod = _pod(h, ns, name)
    ip = (pod.get("status") or {}).get("podIP")
    if not ip or (pod.get("status") or {}).get("phase") != "Running":
        raise ApiError(503, "ServiceUnavailable", 'pod "%s" is not running' % name)
    if port is None:
        ports = [p.get("containerPort") for c in pod["spec"].get("containers", []) for p in c.get("ports", []) or []]
        port = ports[0] if ports else 80
    if scheme != "http":
        raise errors.bad_request("the sandbox proxies plain http only")
    path = "/" + rest
    q = h.path.split("?", 1)
    if len(q) == 2:
        path += "?" + q[1]
    headers = {k: v for k, v in h.headers.items() if k.lower() not in HOP}
    try:
        conn = http.client.HTTPConnection(ip, int(port), timeout=30)
        conn.request(h.command, path, body=h.raw_body or None, headers=headers)
        r = conn.getresponse()
        data = r.read(64 << 20)
    except (OSError, http.client.HTTPException) as e:
        raise ApiError(503, "ServiceUnavailable", "error trying to reach service: dial tcp %s:%s: %s"
                       % (ip, port, getattr(e, "strerror", None) or e))
    h.send_response(r.status)
    for k, v in r.getheaders():
        if k.lower() not in HOP:
            h.send_header(k, v)
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)
    conn.close()


def stream_file(h, path, follow, tail, limit, alive):
    """Writes a log file (chunked), following it while alive() is true."""
    h.start_chunked("text/plain")
    sent = 0
    with open(path, "rb") as f:
        data = f.read()
        if tail is not None:
            lines = data.splitlines(keepends=True)
            data = b"".join(lines[-tail:]) if tail > 0 else b""
        if limit is not None:
            data = data[:limit]
        h.chunk(data)
        sent += len(data)
        while follow and (limit is None or sent < limit):
            more = f.read(65536)
            if more:
                h.chunk(more)
                sent += len(more)
                continue
            if not alive():
                more = f.read()
                h.chunk(more)
                break
            if h.cut_by_outage():   # an API outage ends a followed log like a watch
                return
            time.sleep(0.2)
    h.end_chunked()


def log(h, res, ns, name, rest):
    pod = _pod(h, ns, name)
    kubelet = h.server.kubelet
    rt = next((r for r in kubelet.runtimes.values() if r.uid == pod["metadata"]["uid"]), None)
    path = rt and os.path.join(rt.root, "container.log")
    if not path or not os.path.exists(path):
        raise errors.bad_request('container "postgresql" in pod "%s" is waiting to start: ContainerCreating' % name)
    q = h.query
    tail = int(q["tailLines"]) if q.get("tailLines") else None
    limit = int(q["limitBytes"]) if q.get("limitBytes") else None
    follow = q.get("follow") in ("true", "1", "True")
    uid = pod["metadata"]["uid"]
    stream_file(h, path, follow, tail, limit, lambda: uid in kubelet.runtimes and not kubelet.runtimes[uid].terminating)
