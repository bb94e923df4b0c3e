"""A minimal API client for the sandbox's own tools (CLI, writer): reads the
kubeconfig the control plane wrote."""

import base64
import json
import ssl
import tempfile
import urllib.error
import urllib.request


class Client:
    def __init__(self, kubeconfig_path):
        doc = json.load(open(kubeconfig_path))
        self.server = doc["clusters"][0]["cluster"]["server"]
        self.token = doc["users"][0]["user"]["token"]
        self.namespace = doc["contexts"][0]["context"].get("namespace", "default")
        ca = base64.b64decode(doc["clusters"][0]["cluster"]["certificate-authority-data"]).decode()
        self.ctx = ssl.create_default_context(cadata=ca)

    def request(self, method, path, body=None, content_type="application/json", timeout=10, raw=False):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.server + path, data=data, method=method,
                                     headers={"Authorization": "Bearer " + self.token,
                                              "Content-Type": content_type, "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=timeout) as r:
                out = r.read()
                return r.status, (out if raw else json.loads(out or b"null"))
        except urllib.error.HTTPError as e:
            out = e.read()
            try:
                return e.code, (out if raw else json.loads(out))
            except ValueError:
                return e.code, out

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def ns_path(self, plural, name="", ns=None, group=""):
        base = "/apis/%s/v1" % group if group else "/api/v1"
        return "%s/namespaces/%s/%s%s" % (base, ns or self.namespace, plural, "/" + name if name else "")


def cluster_health(c, cluster, members):
    """(healthy, summary): one leader, members-1 replicas streaming from it,
    every pod Ready."""
    code, pods = c.get(c.ns_path("pods") + "?labelSelector=cluster-name%3D" + cluster)
    if code != 200:
        return False, "pods: HTTP %s" % code
    items = [p for p in pods["items"] if not p["metadata"].get("deletionTimestamp")]
    ready = [p["metadata"]["name"] for p in items
             if any(x["type"] == "Ready" and x["status"] == "True" for x in p.get("status", {}).get("conditions", []))]
    leaders = [p["metadata"]["name"] for p in items if p["metadata"].get("labels", {}).get("role") == "master"]
    summary = {"pods": len(items), "ready": len(ready), "leader": leaders[0] if leaders else None, "streaming": 0}
    if len(leaders) != 1 or len(ready) != members or len(items) != members:
        return False, summary
    code, st = c.get(c.ns_path("pods", leaders[0] + ":8008/proxy/patroni"))
    if code != 200 or not isinstance(st, dict):
        return False, summary
    streaming = [r for r in st.get("replication", []) if r.get("state") == "streaming"]
    summary["streaming"] = len(streaming)
    return len(streaming) == members - 1, summary
