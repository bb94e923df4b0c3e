"""The control-plane process of one sandbox: API server, kubelet and
controllers.  Started detached by `sandbox up`; SIGTERM stops every pod
(waiting until their processes are gone) and then itself."""

import argparse
import base64
import fcntl
import json
import os
import secrets
import signal
import socket
import sys
import threading
import time

from . import apiserver, images, kubelet, pki, podapi, procs, resources, seed, services, statefulset, trace

LOCK_DIR = "/tmp"


class Config:
    def __init__(self, d, octet, namespace, cluster, members):
        self.dir, self.octet = d, octet
        self.namespace, self.cluster, self.members = namespace, cluster, members
        self.api_ip = self.pod_ip(1)
        self.kubeconfig = os.path.join(d, "kubeconfig")

    def pod_ip(self, n):
        return "127.0.%d.%d" % (self.octet, n)


def pick_subnet(want):
    """127.0.N.0/24 for this sandbox, guarded by a lock file held for its
    lifetime so that several sandboxes can share the machine."""
    for octet in ([want] if want else range(1, 250)):
        path = os.path.join(LOCK_DIR, "opsplan-sandbox-net-%d.lock" % octet)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.%d.1" % octet, 6443))
        except OSError:
            os.close(fd)
            continue
        finally:
            s.close()
        return octet, fd
    raise SystemExit("sandbox: no free 127.0.N.0/24 loopback subnet")


def write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def kubeconfig(cfg, token, ca_path):
    ca = base64.b64encode(open(ca_path, "rb").read()).decode()
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "sandbox", "preferences": {},
           "clusters": [{"name": "sandbox", "cluster": {"server": "https://%s:6443" % cfg.api_ip,
                                                         "certificate-authority-data": ca}}],
           "users": [{"name": "sandbox-admin", "user": {"token": token}}],
           "contexts": [{"name": "sandbox", "context": {"cluster": "sandbox", "user": "sandbox-admin",
                                                         "namespace": cfg.namespace}}]}
    write_private(cfg.kubeconfig, json.dumps(doc, indent=1) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--namespace", default="demo")
    ap.add_argument("--cluster", default="patroni-001")
    ap.add_argument("--members", type=int, default=3)
    ap.add_argument("--subnet", type=int, default=0)
    a = ap.parse_args()
    d = os.path.abspath(a.dir)
    os.makedirs(os.path.join(d, "logs"), exist_ok=True)
    logf = open(os.path.join(d, "logs", "controlplane.log"), "a", buffering=1)
    log_lock = threading.Lock()

    def log(msg):
        with log_lock:
            logf.write("%s %s\n" % (time.strftime("%H:%M:%S"), msg))

    octet, lock_fd = pick_subnet(a.subnet)
    cfg = Config(d, octet, a.namespace, a.cluster, a.members)
    procs.become_subreaper()
    paths = pki.make(os.path.join(d, "pki"), cfg.api_ip)
    token = secrets.token_hex(32)
    write_private(os.path.join(d, "token"), token + "\n")
    kubeconfig(cfg, token, paths["ca.crt"])
    os.chmod(d, 0o755)

    from .store import Store
    store = Store()
    server = apiserver.Server((cfg.api_ip, 6443), store, token, paths["server.crt"], paths["server.key"], log)
    server.access = open(os.path.join(d, "logs", "access.log"), "a", buffering=1)
    server.trace = trace.from_env(d)
    if server.trace is not None:
        store.listeners.insert(0, server.trace.store_event)
    kl = kubelet.Kubelet(store, cfg, log)
    sts = statefulset.Controller(store, log)
    svc = services.ServiceController(store, cfg, log)
    server.kubelet = kl
    server.admit["services"] = svc.admit
    server.admit["pods"] = admit_pod
    server.admit["namespaces"] = admit_namespace
    server.virtual["imagestreamtags.image.openshift.io"] = images.ImageStreamTags(store)
    server.subresources[("pods", "proxy")] = podapi.proxy
    server.subresources[("pods", "log")] = podapi.log
    server.subresources[("statefulsets.apps", "scale")] = statefulset.scale
    try:
        from . import wsexec
        server.subresources[("pods", "exec")] = wsexec.handle
    except ImportError:
        pass
    try:
        from . import builds
        builds.register(server, store, log)
    except ImportError:
        pass
    seed.seed(store, server.admit, cfg.namespace, cfg.cluster, cfg.members)
    server.subresources[("namespaces", "finalize")] = lambda name: delete_namespace_contents(store, name)
    server.subresources[("sandbox", "faults")] = lambda body: pod_faults(store, kl, cfg, body, log)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    kl.start()
    sts.start()
    svc.start()
    state = {"pid": os.getpid(), "api": "https://%s:6443" % cfg.api_ip, "subnet": "127.0.%d.0/24" % octet,
             "kubeconfig": cfg.kubeconfig, "namespace": cfg.namespace, "cluster": cfg.cluster,
             "members": cfg.members,
             "master_service": "%s:5432" % store.get(resources.BY_KIND["Service"], cfg.namespace,
                                                     cfg.cluster + "-master")["spec"]["clusterIP"]}
    write_private(os.path.join(d, "state.json.tmp"), json.dumps(state))
    os.rename(os.path.join(d, "state.json.tmp"), os.path.join(d, "state.json"))
    log("control plane up on %s (pid %d)" % (state["api"], os.getpid()))
    while not stop.wait(1.0):
        pass
    log("stopping")
    sts.stopping = True
    kl.stop_all(grace=5)
    svc.stop()
    server.stopping = True
    server.shutdown()
    server.server_close()
    os.close(lock_fd)
    log("stopped")
    os.unlink(os.path.join(d, "state.json"))
    logf.close()
    os._exit(0)


def delete_namespace_contents(store, ns):
    """A deleted namespace takes its objects with it (pods through the
    kubelet's graceful path)."""
    for res in resources.ALL:
        if not res.namespaced:
            continue
        for obj in store.list(res, ns)[0]:
            try:
                store.delete(res, ns, obj["metadata"]["name"])
            except Exception:  # noqa: already gone
                pass


def pod_faults(store, kl, cfg, body, log):
    """Faults below the API: images that fail to pull, a node restart."""
    if "image_fail" in body:
        ref = body["image_fail"]
        if not ref:
            images.FAILING.clear()
        else:
            try:
                images.FAILING.add(images.resolve(store, cfg.namespace, ref)["digest"])
            except Exception as e:  # noqa: report, do not crash the admin call
                log("faults: image_fail %s: %r" % (ref, e))
    for name in body.get("node_restart") or []:
        kl.restart_container(cfg.namespace, name)


def admit_pod(op, obj, old):
    if op == "create":
        obj.setdefault("spec", {}).setdefault("terminationGracePeriodSeconds", 30)
        obj["spec"].setdefault("restartPolicy", "Always")
        obj["spec"].setdefault("nodeName", kubelet.NODE)
        obj["status"] = {"phase": "Pending", "qosClass": "BestEffort",
                         "conditions": [{"type": "PodScheduled", "status": "True"}]}
    return obj


def admit_namespace(op, obj, old):
    if op == "create":
        obj["status"] = {"phase": "Active"}
    return obj


if __name__ == "__main__":
    sys.exit(main())
