"""The kubelet: runs each pod as a real Patroni + PostgreSQL on its own
loopback address, reports its status and readiness, and kills every process
of a deleted pod before the pod object goes away (so a StatefulSet
replacement never meets its predecessor's postmaster)."""

import base64
import json
import os
import pwd
import shutil
import socket
import threading
import time
import urllib.request

from . import images, procs, resources
from .errors import ApiError
from .store import now_iso

PODS = resources.BY_KIND["Pod"]
PVCS = resources.BY_KIND["PersistentVolumeClaim"]
SECRETS = resources.BY_KIND["Secret"]
CMS = resources.BY_KIND["ConfigMap"]
EVENTS = resources.BY_KIND["Event"]
MARK = "OPSPLAN_SANDBOX_POD"
MARK_ALL = "OPSPLAN_SANDBOX"
NODE = "sandbox-node"
VERSION_ANNOTATION = "sandbox.opsplan.io/image-patroni-version"

# Timings in bootstrap.dcs only: changing ttl at runtime demoted the leader (lab notes)
PATRONI_DCS = {
    "ttl": 20, "loop_wait": 1, "retry_timeout": 5, "maximum_lag_on_failover": 1048576,
    "postgresql": {"use_pg_rewind": True, "use_slots": True, "parameters": {
        "wal_level": "replica", "hot_standby": "on", "wal_log_hints": "on", "max_connections": 50,
        "max_wal_senders": 10, "max_replication_slots": 10, "wal_keep_size": "64MB",
        "wal_retrieve_retry_interval": "1s"}},
}


class PodRuntime:
    def __init__(self, uid, ns, name, ip, root):
        self.uid, self.ns, self.name, self.ip, self.root = uid, ns, name, ip, root
        self.proc = None
        self.started_at = None
        self.restarts = 0
        self.ready = None
        self.terminating = False
        self.image_error = None
        self.next_start = 0.0


class Kubelet:
    def __init__(self, store, cfg, log):
        self.store, self.cfg, self.log = store, cfg, log
        self.runtimes = {}            # uid -> PodRuntime
        self.ips = {}                 # ip -> uid
        self.last_ip = {}             # (ns, name) -> ip, so a recreated pod keeps its address when free
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = False
        store.listeners.append(self._on_event)

    def _on_event(self, ev):
        if ev.res is PODS or ev.res.kind in ("ImageStream", "Secret"):
            self.wake.set()

    def start(self):
        threading.Thread(target=self._loop, name="kubelet", daemon=True).start()
        threading.Thread(target=self._probe_loop, name="probes", daemon=True).start()

    # -- main loop -----------------------------------------------------------
    def _loop(self):
        while not self.stopping:
            self.wake.wait(0.5)
            self.wake.clear()
            try:
                self.sync()
            except Exception as e:  # noqa: keep the kubelet alive, say why
                import traceback
                self.log("kubelet: sync failed: %r\n%s" % (e, traceback.format_exc()))

    def sync(self):
        pods, _ = self.store.list(PODS, None)
        seen = set()
        for pod in pods:
            uid = pod["metadata"]["uid"]
            seen.add(uid)
            rt = self.runtimes.get(uid)
            if pod["metadata"].get("deletionTimestamp"):
                if rt is None:
                    rt = self._adopt(pod)
                if not rt.terminating:
                    rt.terminating = True
                    grace = pod["metadata"].get("deletionGracePeriodSeconds") or 0
                    threading.Thread(target=self._terminate, args=(rt, grace), daemon=True).start()
                continue
            if rt is None:
                rt = self._adopt(pod)
                if rt is None:
                    continue
            if rt.proc is None or not procs.alive(rt.proc.pid):
                if time.monotonic() >= rt.next_start:
                    self._start(rt, pod)
        for uid, rt in list(self.runtimes.items()):
            if uid not in seen and not rt.terminating:   # removed without the graceful path
                rt.terminating = True
                threading.Thread(target=self._terminate, args=(rt, 0), daemon=True).start()

    def _adopt(self, pod):
        meta = pod["metadata"]
        with self.lock:
            ip = self.last_ip.get((meta["namespace"], meta["name"]))
            if ip is None or ip in self.ips:
                ip = next((self.cfg.pod_ip(n) for n in range(10, 250) if self.cfg.pod_ip(n) not in self.ips), None)
            if ip is None:
                self.log("kubelet: no free pod address for %s" % meta["name"])
                return None
            self.ips[ip] = meta["uid"]
            self.last_ip[(meta["namespace"], meta["name"])] = ip
        root = os.path.join(self.cfg.dir, "pods", "%s_%s_%s" % (meta["namespace"], meta["name"], meta["uid"][:8]))
        os.makedirs(os.path.join(root, "run"), exist_ok=True)
        rt = PodRuntime(meta["uid"], meta["namespace"], meta["name"], ip, root)
        self.runtimes[meta["uid"]] = rt
        if not pod.get("spec", {}).get("nodeName"):
            self._patch(rt, lambda p: p["spec"].__setitem__("nodeName", NODE), main=True)
        return rt

    # -- starting a container ------------------------------------------------------
    def _start(self, rt, pod):
        first = rt.proc is None and rt.started_at is None
        if not first and rt.proc is not None:
            procs.kill_all(MARK, rt.uid, 0, self.log)   # leftovers of the crashed container
            code = procs.wait_exit(rt.proc.pid, 0.5)
            code = 128 - code if code is not None and code < 0 else code
            rt.last_state = {"terminated": {"exitCode": code if code is not None else 137,
                                            "reason": "Completed" if code == 0 else "Error",
                                            "startedAt": rt.started_at, "finishedAt": now_iso(),
                                            "containerID": "sandbox://%d" % rt.proc.pid}}
            rt.restarts += 1
            rt.proc = None
        try:
            image = images.resolve(self.store, rt.ns, pod["spec"]["containers"][0].get("image", ""))
            env = self._env(rt, pod)
            data_dir = self._data_dir(rt, pod)
        except ApiError as e:
            rt.image_error = e.message
            rt.next_start = time.monotonic() + 5
            reason = "ImagePullBackOff" if "image" in e.message else "CreateContainerConfigError"
            self._event(rt, "Failed", e.message, "Warning")
            self._set_status(rt, pod, waiting=(reason, e.message))
            return
        rt.image_error = None
        self._write_config(rt, env, data_dir)
        env.update({"KUBECONFIG": os.path.join(rt.root, "kubeconfig"), "HOME": rt.root,
                    "PATRONICTL_CONFIG_FILE": os.path.join(rt.root, "patroni.yml"),
                    "PATH": "/usr/lib/postgresql/15/bin:/usr/local/bin:/usr/bin:/bin",
                    "HOSTNAME": rt.name, "LANG": "C.UTF-8", "PGHOST": os.path.join(rt.root, "run"),
                    "PATRONI_IMAGE_VERSION": image.get("patroni", ""),
                    MARK_ALL: self.cfg.dir, MARK: rt.uid})
        rt.env = env
        rt.image = image
        logf = open(os.path.join(rt.root, "container.log"), "ab")
        try:
            rt.proc = procs.spawn(["/usr/bin/python3", "/usr/bin/patroni", os.path.join(rt.root, "patroni.yml")],
                                  env, rt.root, logf)
        finally:
            logf.close()
        rt.started_at = now_iso()
        rt.next_start = time.monotonic() + min(2 ** min(rt.restarts, 5), 30)
        rt.ready = False
        self.log("kubelet: started %s/%s on %s (pid %d, image %s)" % (rt.ns, rt.name, rt.ip, rt.proc.pid,
                                                                     image.get("ref")))
        self._event(rt, "Started", "Started container postgresql (image %s)" % image.get("id"))
        self._set_status(rt, pod)

    def _env(self, rt, pod):
        env = {}
        for item in pod["spec"]["containers"][0].get("env", []) or []:
            name = item.get("name")
            if "value" in item:
                env[name] = str(item["value"])
                continue
            src = item.get("valueFrom") or {}
            if "fieldRef" in src:
                path = src["fieldRef"].get("fieldPath")
                env[name] = {"metadata.name": rt.name, "metadata.namespace": rt.ns, "metadata.uid": rt.uid,
                             "status.podIP": rt.ip, "spec.nodeName": NODE, "status.hostIP": self.cfg.api_ip
                             }.get(path, "")
            elif "secretKeyRef" in src or "configMapKeyRef" in src:
                ref = src.get("secretKeyRef") or src.get("configMapKeyRef")
                res = SECRETS if "secretKeyRef" in src else CMS
                obj = self.store.try_get(res, rt.ns, ref.get("name"))
                if obj is None:
                    if ref.get("optional"):
                        continue
                    raise ApiError(400, "CreateContainerConfigError",
                                   '%s "%s" not found' % (res.singular, ref.get("name")))
                data = obj.get("data") or {}
                if ref.get("key") not in data:
                    raise ApiError(400, "CreateContainerConfigError",
                                   "couldn't find key %s in %s %s" % (ref.get("key"), res.kind, ref.get("name")))
                value = data[ref["key"]]
                env[name] = base64.b64decode(value).decode() if res is SECRETS else value
        return env

    def _data_dir(self, rt, pod):
        """The PVC's directory survives the pod; without a claim, an emptyDir."""
        for vol in pod["spec"].get("volumes", []) or []:
            claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
            if claim:
                pvc = self.store.try_get(PVCS, rt.ns, claim)
                if pvc is None:
                    raise ApiError(400, "CreateContainerConfigError",
                                   'persistentvolumeclaim "%s" not found' % claim)
                path = os.path.join(self.cfg.dir, "pvc", rt.ns, claim)
                break
        else:
            path = os.path.join(rt.root, "emptydir")
        os.makedirs(path, exist_ok=True)
        pw = pwd.getpwnam("postgres")
        for d in (path, rt.root, os.path.join(rt.root, "run")):
            os.chown(d, pw.pw_uid, pw.pw_gid)
        return os.path.join(path, "pgdata")

    def _write_config(self, rt, env, data_dir):
        """What the BC Gov image's entrypoint does: a patroni.yml from the
        environment (here also with the sandbox's addresses and timings)."""
        labels = json.loads(env.get("PATRONI_KUBERNETES_LABELS") or "{}")
        scope = env.get("PATRONI_SCOPE", rt.name.rsplit("-", 1)[0])
        su = env.get("PATRONI_SUPERUSER_USERNAME", "postgres")
        cfg = {
            "scope": scope, "name": env.get("PATRONI_NAME", rt.name),
            "log": {"level": env.get("PATRONI_LOG_LEVEL", "INFO"),
                    "format": "%(asctime)s %(levelname)s: %(message)s"},
            "restapi": {"listen": "%s:8008" % rt.ip, "connect_address": "%s:8008" % rt.ip},
            "kubernetes": {"namespace": env.get("PATRONI_KUBERNETES_NAMESPACE", rt.ns), "labels": labels,
                           "scope_label": "cluster-name", "role_label": "role", "use_endpoints": False,
                           "bypass_api_service": False, "context": "sandbox", "pod_ip": rt.ip},
            "bootstrap": {"dcs": PATRONI_DCS,
                          "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, {"auth-local": "trust"},
                                     {"auth-host": "scram-sha-256"}]},
            "postgresql": {
                "listen": "%s:5432" % rt.ip, "connect_address": "%s:5432" % rt.ip, "data_dir": data_dir,
                "bin_dir": "/usr/lib/postgresql/15/bin", "pgpass": os.path.join(rt.root, "pgpass"),
                "authentication": {
                    "superuser": {"username": su, "password": env.get("PATRONI_SUPERUSER_PASSWORD", "")},
                    "replication": {"username": env.get("PATRONI_REPLICATION_USERNAME", "replication"),
                                    "password": env.get("PATRONI_REPLICATION_PASSWORD", "")},
                    "rewind": {"username": su, "password": env.get("PATRONI_SUPERUSER_PASSWORD", "")}},
                "parameters": {"unix_socket_directories": os.path.join(rt.root, "run"),
                               "shared_buffers": "32MB", "logging_collector": "off"},
                "pg_hba": ["local all all trust",
                           "host replication %s 127.0.0.0/8 scram-sha-256" %
                           env.get("PATRONI_REPLICATION_USERNAME", "replication"),
                           "host all all 127.0.0.0/8 scram-sha-256"]},
            "watchdog": {"mode": "off"},
            "tags": {"nofailover": False, "noloadbalance": False, "clonefrom": False, "nosync": False},
        }
        pw = pwd.getpwnam("postgres")
        for name, text in (("patroni.yml", json.dumps(cfg, indent=1)),
                           ("kubeconfig", open(self.cfg.kubeconfig).read())):
            path = os.path.join(rt.root, name)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.chown(path, pw.pw_uid, pw.pw_gid)
        for k in [k for k in env if k.startswith("PATRONI_") and k not in ("PATRONI_NAME", "PATRONI_SCOPE")]:
            env.pop(k)   # the config file says it all; env would override it

    # -- termination ---------------------------------------------------------------------
    def _terminate(self, rt, grace):
        self._event(rt, "Killing", "Stopping container postgresql")
        ok = procs.kill_all(MARK, rt.uid, grace, self.log, main=rt.proc.pid if rt.proc else None)
        self.log("kubelet: %s/%s stopped (grace %ss, clean=%s)" % (rt.ns, rt.name, grace, ok))
        self.store.finalize(PODS, rt.ns, rt.name, rt.uid)
        with self.lock:
            self.runtimes.pop(rt.uid, None)
            self.ips.pop(rt.ip, None)
        shutil.rmtree(rt.root, ignore_errors=True)
        self.wake.set()

    def restart_container(self, ns, name):
        """A node restart, seen from one pod: every process dies at once
        (SIGKILL) and the kubelet starts the container again (restartCount+1)."""
        rt = next((r for r in self.runtimes.values() if r.ns == ns and r.name == name and not r.terminating), None)
        if rt is None:
            return False
        procs.kill_all(MARK, rt.uid, 0, self.log)
        rt.ready = False
        rt.next_start = time.monotonic() + 1
        self.log("kubelet: %s/%s killed (node restart)" % (ns, name))
        self.wake.set()
        return True

    def stop_all(self, grace=5):
        """Shutdown: stop every pod (a paused Patroni leaves PostgreSQL up,
        so the marker sweep is what guarantees nothing survives)."""
        self.stopping = True
        threads = []
        for rt in list(self.runtimes.values()):
            t = threading.Thread(target=procs.kill_all, args=(MARK, rt.uid, grace, self.log,
                                                              rt.proc.pid if rt.proc else None), daemon=True)
            t.start()
            threads.append(t)
        for t in threads:
            t.join(grace + 12)
        procs.kill_all(MARK_ALL, self.cfg.dir, 0, self.log)

    def _event(self, rt, reason, message, type_="Normal"):
        now = now_iso()
        try:
            self.store.create(EVENTS, rt.ns, {
                "metadata": {"generateName": rt.name + "."}, "type": type_, "reason": reason, "message": message,
                "involvedObject": {"kind": "Pod", "namespace": rt.ns, "name": rt.name, "uid": rt.uid,
                                   "apiVersion": "v1", "fieldPath": "spec.containers{postgresql}"},
                "source": {"component": "kubelet", "host": NODE}, "firstTimestamp": now, "lastTimestamp": now,
                "count": 1, "reportingComponent": "kubelet", "reportingInstance": NODE})
        except ApiError:
            pass

    # -- status and readiness --------------------------------------------------------------
    def _patch(self, rt, fn, main=False, both=False):
        """Read-modify-write of our pod: the main resource (main), the status
        subresource (default), or both in one write, one watch event (both)."""
        for _ in range(10):
            pod = self.store.try_get(PODS, rt.ns, rt.name)
            if pod is None or pod["metadata"]["uid"] != rt.uid:
                return
            fn(pod)
            try:
                if both:
                    self.store.update(PODS, rt.ns, rt.name, pod, force=True)
                else:
                    self.store.update(PODS, rt.ns, rt.name, pod, subresource=None if main else "status")
                return
            except ApiError as e:
                if e.code != 409:
                    raise

    def _set_status(self, rt, pod, waiting=None):
        ready = bool(rt.ready) and waiting is None
        now = now_iso()
        image = getattr(rt, "image", None) or {}

        def fn(p):
            st = p.setdefault("status", {})
            old = {c["type"]: c for c in st.get("conditions", []) or []}

            def cond(t, v):
                v = "True" if v else "False"
                c = old.get(t)
                if c and c["status"] == v:
                    return c
                return {"type": t, "status": v, "lastProbeTime": None, "lastTransitionTime": now}
            cspec = p["spec"]["containers"][0]
            cs = {"name": cspec.get("name", "postgresql"), "ready": ready, "restartCount": rt.restarts,
                  "image": cspec.get("image", ""), "imageID": image.get("id", ""),
                  "started": waiting is None}
            if getattr(rt, "last_state", None):
                cs["lastState"] = rt.last_state
            if waiting:
                cs["state"] = {"waiting": {"reason": waiting[0], "message": waiting[1]}}
            else:
                cs["state"] = {"running": {"startedAt": rt.started_at}}
                cs["containerID"] = "sandbox://%s" % rt.proc.pid
            st.update({"phase": "Pending" if waiting else "Running", "hostIP": self.cfg.api_ip,
                       "podIP": rt.ip, "podIPs": [{"ip": rt.ip}], "qosClass": "BestEffort",
                       "startTime": st.get("startTime") or now, "containerStatuses": [cs],
                       "conditions": [cond("Initialized", True), cond("Ready", ready),
                                      cond("ContainersReady", ready), cond("PodScheduled", True)]})
            # What is derived from the image goes in the same write as the status showing it, so
            # that no reader or watcher ever sees the new imageID without its declared version.
            if image:
                ann = p["metadata"].setdefault("annotations", {})
                if image.get("patroni"):
                    ann[VERSION_ANNOTATION] = image["patroni"]
                else:
                    ann.pop(VERSION_ANNOTATION, None)
        self._patch(rt, fn, both=True)

    def _probe_loop(self):
        while not self.stopping:
            time.sleep(1.0)
            for rt in list(self.runtimes.values()):
                if rt.terminating or rt.proc is None or rt.image_error:
                    continue
                ready = probe(rt.ip)
                if ready != rt.ready:
                    rt.ready = ready
                    pod = self.store.try_get(PODS, rt.ns, rt.name)
                    if pod is not None and pod["metadata"]["uid"] == rt.uid:
                        if not ready:
                            self._event(rt, "Unhealthy", "Readiness probe failed", "Warning")
                        self._set_status(rt, pod)


def probe(ip):
    """The BC template's readiness: PostgreSQL accepts connections and this
    member's Patroni says `running`."""
    try:
        with urllib.request.urlopen("http://%s:8008/patroni" % ip, timeout=1) as r:
            state = json.loads(r.read()).get("state")
    except Exception:  # noqa: any failure is "not ready"
        return False
    if state != "running":
        return False
    try:
        with socket.create_connection((ip, 5432), timeout=1):
            return True
    except OSError:
        return False
