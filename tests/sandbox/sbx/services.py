"""Services: a TCP forwarder on the Service's own loopback address (its
clusterIP) to a Ready, non-terminating pod matching the selector, plus the
Endpoints object.  For `<cluster>-master` (selector role=master) that is what
an application sees of the database during a switchover."""

import select
import socket
import threading

from . import resources
from .errors import ApiError
from .statefulset import pod_ready

SVC = resources.BY_KIND["Service"]
PODS = resources.BY_KIND["Pod"]
EPS = resources.BY_KIND["Endpoints"]


class Forwarder:
    def __init__(self, ctl, ns, name, ip, port, target_port):
        self.ctl, self.ns, self.name, self.ip, self.port, self.target_port = ctl, ns, name, ip, port, target_port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((ip, port))
        self.sock.listen(128)
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        target = self.ctl.target(self.ns, self.name)
        if target is None:
            client.close()   # no endpoint: like kube-proxy's REJECT, the client sees a refused/closed connection
            return
        try:
            upstream = socket.create_connection((target, self.target_port), timeout=2)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        pipe(client, upstream)


def pipe(a, b):
    socks = [a, b]
    try:
        while True:
            r, _, _ = select.select(socks, [], [], 60)
            for s in r:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        pass
    finally:
        for s in socks:
            try:
                s.close()
            except OSError:
                pass


class ServiceController:
    def __init__(self, store, cfg, log):
        self.store, self.cfg, self.log = store, cfg, log
        self.forwarders = {}     # (ns, name, port) -> Forwarder
        self.targets = {}        # (ns, name) -> pod ip
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = False
        store.listeners.append(lambda ev: self.wake.set() if ev.res in (SVC, PODS) else None)

    def allocate_ip(self):
        used = {s.get("spec", {}).get("clusterIP") for s in self.store.list(SVC, None)[0]}
        for n in range(2, 10):
            ip = self.cfg.pod_ip(n)
            if ip not in used:
                return ip
        raise ApiError(500, "InternalError", "the sandbox has no free service address (8 services at most)")

    def admit(self, op, obj, old):
        spec = obj.setdefault("spec", {})
        if op == "create":
            if spec.get("clusterIP") != "None":
                spec["clusterIP"] = self.allocate_ip()
                spec["clusterIPs"] = [spec["clusterIP"]]
            spec.setdefault("type", "ClusterIP")
            spec.setdefault("sessionAffinity", "None")
            for p in spec.get("ports", []) or []:
                p.setdefault("protocol", "TCP")
                p.setdefault("targetPort", p.get("port"))
        elif old is not None:
            spec["clusterIP"] = old["spec"].get("clusterIP")
            spec["clusterIPs"] = old["spec"].get("clusterIPs")
        return obj

    def target(self, ns, name):
        with self.lock:
            return self.targets.get((ns, name))

    def start(self):
        threading.Thread(target=self._loop, name="services", daemon=True).start()

    def stop(self):
        self.stopping = True
        for f in list(self.forwarders.values()):
            f.close()

    def _loop(self):
        while not self.stopping:
            self.wake.wait(1.0)
            self.wake.clear()
            try:
                self.sync()
            except Exception as e:  # noqa: keep forwarding, say why
                self.log("services: %r" % e)

    def sync(self):
        svcs = self.store.list(SVC, None)[0]
        pods = self.store.list(PODS, None)[0]
        want = set()
        for svc in svcs:
            ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
            spec = svc.get("spec", {})
            sel = spec.get("selector") or {}
            if not sel:
                continue
            ready_ok = spec.get("publishNotReadyAddresses", False)
            match = sorted((p for p in pods if p["metadata"]["namespace"] == ns
                            and all((p["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items())
                            and not p["metadata"].get("deletionTimestamp")
                            and (p.get("status") or {}).get("podIP")),
                           key=lambda p: p["metadata"]["name"])
            ready = [p for p in match if ready_ok or pod_ready(p)]
            with self.lock:
                self.targets[(ns, name)] = ready[0]["status"]["podIP"] if ready else None
            self._endpoints(ns, name, spec, ready, [p for p in match if p not in ready])
            ip = spec.get("clusterIP")
            if not ip or ip == "None":
                continue
            for p in spec.get("ports", []) or []:
                key = (ns, name, int(p["port"]))
                want.add(key)
                if key not in self.forwarders:
                    tp = p.get("targetPort", p["port"])
                    try:
                        self.forwarders[key] = Forwarder(self, ns, name, ip, int(p["port"]),
                                                         int(tp) if str(tp).isdigit() else int(p["port"]))
                        self.log("services: %s/%s listening on %s:%s" % (ns, name, ip, p["port"]))
                    except OSError as e:
                        self.log("services: cannot listen on %s:%s: %s" % (ip, p["port"], e))
        for key in set(self.forwarders) - want:
            self.forwarders.pop(key).close()

    def _endpoints(self, ns, name, spec, ready, not_ready):
        def addr(p):
            return {"ip": p["status"]["podIP"], "nodeName": p["spec"].get("nodeName"),
                    "targetRef": {"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"],
                                  "uid": p["metadata"]["uid"]}}
        subset = {}
        if ready:
            subset["addresses"] = [addr(p) for p in ready]
        if not_ready:
            subset["notReadyAddresses"] = [addr(p) for p in not_ready]
        ports = [{"name": p.get("name"), "port": int(p.get("targetPort", p["port"])) if
                  str(p.get("targetPort", p["port"])).isdigit() else p["port"], "protocol": p.get("protocol", "TCP")}
                 for p in spec.get("ports", []) or []]
        for p in ports:
            if p["name"] is None:
                del p["name"]
        subsets = [dict(subset, ports=ports)] if subset else []
        cur = self.store.try_get(EPS, ns, name)
        if cur is None:
            try:
                self.store.create(EPS, ns, {"metadata": {"name": name, "labels": {}}, "subsets": subsets})
            except ApiError:
                pass
        elif cur.get("subsets", []) != subsets:
            cur["subsets"] = subsets
            try:
                self.store.update(EPS, ns, name, cur)
            except ApiError:
                self.wake.set()
