"""The StatefulSet controller: one pod per ordinal from the current template
(a new uid each time), one PVC per pod and claim template, kept across pod
restarts; OnDelete leaves existing pods alone, RollingUpdate replaces the
highest out-of-date ordinal once every pod is Ready; the
`image.openshift.io/triggers` annotation rewrites the template's image when
its ImageStreamTag moves (unless paused)."""

import copy
import hashlib
import json
import re
import threading

from . import images, resources
from .errors import ApiError

STS = resources.BY_KIND["StatefulSet"]
PODS = resources.BY_KIND["Pod"]
PVCS = resources.BY_KIND["PersistentVolumeClaim"]
IS = resources.BY_KIND["ImageStream"]


def revision(sts):
    text = json.dumps(sts["spec"].get("template", {}), sort_keys=True)
    return "%s-%s" % (sts["metadata"]["name"], hashlib.sha256(text.encode()).hexdigest()[:10])


def pod_ready(pod):
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions", []) or [])


def scale(h, res, ns, name, rest):
    """statefulsets/NAME/scale (autoscaling/v1 Scale), what `kubectl scale` uses."""
    store = h.server.store
    for _ in range(10):
        sts = store.get(STS, ns, name)

        def view(o):
            sel = ",".join("%s=%s" % kv for kv in sorted(((o["spec"].get("selector") or {})
                                                           .get("matchLabels") or {}).items()))
            return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                    "metadata": {k: o["metadata"][k] for k in ("name", "namespace", "uid", "resourceVersion",
                                                               "creationTimestamp")},
                    "spec": {"replicas": o["spec"].get("replicas", 1)},
                    "status": {"replicas": (o.get("status") or {}).get("replicas", 0), "selector": sel}}
        if h.command == "GET":
            return h.send_json(200, view(sts))
        body = h.json_body(h.raw_body) or {}
        if h.command == "PATCH":
            from . import patch
            body = patch.apply(h.headers.get("Content-Type"), view(sts), body)
        elif h.command != "PUT":
            raise ApiError(405, "MethodNotAllowed", "scale accepts GET, PUT and PATCH")
        want = (body.get("metadata") or {}).get("resourceVersion")
        replicas = (body.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or replicas < 0:
            raise ApiError(422, "Invalid", 'Scale.autoscaling "%s" is invalid: spec.replicas: Invalid value' % name)
        sts["spec"]["replicas"] = replicas
        if want:
            sts["metadata"]["resourceVersion"] = want
        try:
            return h.send_json(200, view(store.update(STS, ns, name, sts, h.dry())))
        except ApiError as e:
            if e.code != 409 or want:
                raise
    raise ApiError(409, "Conflict", "too many concurrent writers")


class Controller:
    def __init__(self, store, log):
        self.store, self.log = store, log
        self.wake = threading.Event()
        self.stopping = False
        store.listeners.append(self._on_event)

    def _on_event(self, ev):
        if ev.res in (STS, PODS, PVCS, IS):
            self.wake.set()

    def start(self):
        threading.Thread(target=self._loop, name="statefulsets", daemon=True).start()

    def _loop(self):
        while not self.stopping:
            self.wake.wait(1.0)
            self.wake.clear()
            try:
                for sts in self.store.list(STS, None)[0]:
                    self._triggers(sts)
                    self.reconcile(sts)
            except ApiError as e:
                self.log("statefulset: %s" % e.message)
            except Exception as e:  # noqa: keep the controller alive, say why
                import traceback
                self.log("statefulset: %r\n%s" % (e, traceback.format_exc()))

    def _triggers(self, sts):
        text = (sts["metadata"].get("annotations") or {}).get("image.openshift.io/triggers")
        if not text:
            return
        try:
            triggers = json.loads(text)
        except ValueError:
            return
        ns = sts["metadata"]["namespace"]
        changed = False
        for t in triggers:
            src = t.get("from") or {}
            if src.get("kind") != "ImageStreamTag" or str(t.get("paused", "false")).lower() == "true":
                continue
            is_name, _, tag = src.get("name", "").partition(":")
            item = images._tag_item(self.store, src.get("namespace") or ns, is_name, tag or "latest")
            if not item:
                continue
            m = re.search(r'containers\[\?\(@\.name==\\?"([^"\\]+)\\?"\)\]\.image', t.get("fieldPath", ""))
            for c in sts["spec"]["template"]["spec"].get("containers", []):
                if (m is None or c.get("name") == m.group(1)) and c.get("image") != item["dockerImageReference"]:
                    c["image"] = item["dockerImageReference"]
                    changed = True
        if changed:
            self.store.update(STS, ns, sts["metadata"]["name"], sts)

    def reconcile(self, sts):
        ns, name = sts["metadata"]["namespace"], sts["metadata"]["name"]
        spec = sts["spec"]
        replicas = spec.get("replicas", 1)
        rev = revision(sts)
        sel = (spec.get("selector") or {}).get("matchLabels") or {}
        pods = {p["metadata"]["name"]: p for p in self.store.list(PODS, ns)[0]
                if all((p["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items())}
        ordered = spec.get("podManagementPolicy", "OrderedReady") == "OrderedReady"
        for i in range(replicas):
            pname = "%s-%d" % (name, i)
            if pname in pods:
                if ordered and not pod_ready(pods[pname]):
                    break
                continue
            self._claims(sts, i)
            self._create_pod(sts, i, rev)
            if ordered:
                break
        for pname, p in pods.items():   # scale down: highest ordinals first
            ordinal = pname.rsplit("-", 1)[-1]
            if ordinal.isdigit() and int(ordinal) >= replicas and not p["metadata"].get("deletionTimestamp"):
                self.store.delete(PODS, ns, pname)
        strategy = (spec.get("updateStrategy") or {}).get("type", "RollingUpdate")
        live = [p for p in pods.values() if not p["metadata"].get("deletionTimestamp")]
        partition = int(((spec.get("updateStrategy") or {}).get("rollingUpdate") or {}).get("partition") or 0)
        if strategy == "RollingUpdate" and len(live) == replicas and all(pod_ready(p) for p in live):
            stale = sorted((p for p in live if p["metadata"]["labels"].get("controller-revision-hash") != rev
                            and int(p["metadata"]["name"].rsplit("-", 1)[-1]) >= partition),
                           key=lambda p: -int(p["metadata"]["name"].rsplit("-", 1)[-1]))
            if stale:
                self.log("statefulset: rolling %s to %s" % (stale[0]["metadata"]["name"], rev))
                self.store.delete(PODS, ns, stale[0]["metadata"]["name"])
        self._status(sts, pods, rev)

    def _claims(self, sts, i):
        ns, name = sts["metadata"]["namespace"], sts["metadata"]["name"]
        for tpl in sts["spec"].get("volumeClaimTemplates", []) or []:
            cname = "%s-%s-%d" % (tpl["metadata"]["name"], name, i)
            if self.store.try_get(PVCS, ns, cname) is None:
                pvc = {"metadata": {"name": cname, "labels": dict(sts["spec"]["selector"].get("matchLabels", {}))},
                       "spec": copy.deepcopy(tpl.get("spec", {}))}
                pvc["spec"].setdefault("storageClassName", "sandbox-local")
                pvc["spec"].setdefault("volumeMode", "Filesystem")
                pvc["spec"]["volumeName"] = "pv-%s-%s" % (ns, cname)
                created = self.store.create(PVCS, ns, pvc)
                created["status"] = {"phase": "Bound", "accessModes": pvc["spec"].get("accessModes", []),
                                     "capacity": (pvc["spec"].get("resources") or {}).get("requests", {})}
                self.store.update(PVCS, ns, cname, created, subresource="status")

    def _create_pod(self, sts, i, rev):
        ns, name = sts["metadata"]["namespace"], sts["metadata"]["name"]
        tpl = copy.deepcopy(sts["spec"]["template"])
        meta = tpl.setdefault("metadata", {})
        pname = "%s-%d" % (name, i)
        meta["name"] = pname
        meta.setdefault("labels", {}).update({"controller-revision-hash": rev,
                                              "statefulset.kubernetes.io/pod-name": pname,
                                              "apps.kubernetes.io/pod-index": str(i)})
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": name,
                                    "uid": sts["metadata"]["uid"], "controller": True,
                                    "blockOwnerDeletion": True}]
        spec = tpl.setdefault("spec", {})
        spec["hostname"] = pname
        spec.setdefault("subdomain", sts["spec"].get("serviceName", ""))
        vols = spec.setdefault("volumes", [])
        for ct in sts["spec"].get("volumeClaimTemplates", []) or []:
            vols[:] = [v for v in vols if v.get("name") != ct["metadata"]["name"]]
            vols.append({"name": ct["metadata"]["name"],
                         "persistentVolumeClaim": {"claimName": "%s-%s-%d" % (ct["metadata"]["name"], name, i)}})
        try:
            self.store.create(PODS, ns, tpl)
            self.log("statefulset: created pod %s/%s (%s)" % (ns, pname, rev))
        except ApiError as e:
            if e.code != 409:
                raise

    def _status(self, sts, pods, rev):
        live = [p for p in pods.values() if not p["metadata"].get("deletionTimestamp")]
        st = dict(sts.get("status") or {})
        new = {"observedGeneration": sts["metadata"].get("generation", 1), "replicas": len(live),
               "readyReplicas": sum(1 for p in live if pod_ready(p)),
               "availableReplicas": sum(1 for p in live if pod_ready(p)),
               "currentReplicas": sum(1 for p in live if p["metadata"]["labels"].get("controller-revision-hash") ==
                                      st.get("currentRevision", rev)),
               "updatedReplicas": sum(1 for p in live if p["metadata"]["labels"].get("controller-revision-hash") ==
                                      rev),
               "currentRevision": st.get("currentRevision", rev), "updateRevision": rev,
               "collisionCount": 0}
        if new["updatedReplicas"] == sts["spec"].get("replicas", 1):
            new["currentRevision"] = rev
            new["currentReplicas"] = new["updatedReplicas"]
        if new != st:
            obj = self.store.try_get(STS, sts["metadata"]["namespace"], sts["metadata"]["name"])
            if obj is None:
                return
            obj["status"] = new
            try:
                self.store.update(STS, sts["metadata"]["namespace"], sts["metadata"]["name"], obj,
                                  subresource="status")
            except ApiError:
                self.wake.set()
