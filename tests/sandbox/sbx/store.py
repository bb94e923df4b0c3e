"""The object store: every object, one resourceVersion counter, an event log
for watches.

resourceVersion is a single increasing integer across all kinds (etcd's
revision), which Patroni relies on: it compares versions as integers.  The
event log is bounded; a watch from a version older than the log is answered
410 Expired, as etcd compaction makes a real API server do."""

import collections
import copy
import datetime
import threading
import uuid

from . import errors
from .selectors import match_fields, match_labels

HISTORY = 4000


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso_micro():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Event:
    __slots__ = ("rv", "res", "ns", "type", "obj", "old")

    def __init__(self, rv, res, ns, type_, obj, old):
        self.rv, self.res, self.ns, self.type, self.obj, self.old = rv, res, ns, type_, obj, old


class Store:
    def __init__(self):
        self.cond = threading.Condition(threading.RLock())
        self.rv = 1
        self.objs = {}       # (plural_group, ns, name) -> obj
        self.log = collections.deque(maxlen=HISTORY)
        self.compacted = 1   # events at or below this rv are gone
        self.listeners = []  # callables(event), run outside the lock by controllers' own threads

    # -- helpers -----------------------------------------------------------
    @staticmethod
    def key(res, ns, name):
        return (res.plural_group(), ns if res.namespaced else "", name)

    def _bump(self):
        self.rv += 1
        return self.rv

    def _emit(self, res, ns, type_, obj, old):
        if len(self.log) == self.log.maxlen:
            self.compacted = self.log[0].rv
        ev = Event(self.rv, res, ns, type_, copy.deepcopy(obj), old)
        self.log.append(ev)
        self.cond.notify_all()
        for fn in self.listeners:
            fn(ev)

    def compact(self):
        """Forget all history (fault injection: every watch resuming gets 410)."""
        with self.cond:
            self.log.clear()
            self.compacted = self.rv
            self.cond.notify_all()

    # -- reads ---------------------------------------------------------------
    def get(self, res, ns, name):
        with self.cond:
            obj = self.objs.get(self.key(res, ns, name))
            if obj is None:
                raise errors.not_found(res, name)
            return copy.deepcopy(obj)

    def try_get(self, res, ns, name):
        with self.cond:
            obj = self.objs.get(self.key(res, ns, name))
            return copy.deepcopy(obj) if obj is not None else None

    def list(self, res, ns, labels=None, fields=None):
        with self.cond:
            pg = res.plural_group()
            items = [copy.deepcopy(o) for (g, n, _), o in sorted(self.objs.items())
                     if g == pg and (ns is None or n == ns)
                     and match_labels(labels or [], o["metadata"].get("labels"))
                     and match_fields(fields or [], o)]
            return items, self.rv

    # -- writes --------------------------------------------------------------
    def create(self, res, ns, obj, dry=False):
        with self.cond:
            meta = obj.setdefault("metadata", {})
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
            name = meta.get("name")
            if not name:
                raise errors.invalid(res, "", "metadata.name: Required value: name or generateName is required")
            if res.namespaced:
                if meta.get("namespace") not in (None, "", ns):
                    raise errors.bad_request("the namespace of the provided object does not match the "
                                             "namespace sent on the request")
                meta["namespace"] = ns
                if res.kind != "Event" and self.objs.get(("namespaces", "", ns)) is None:
                    raise errors.ApiError(404, "NotFound", 'namespaces "%s" not found' % ns,
                                          {"name": ns, "kind": "namespaces"})
            else:
                meta.pop("namespace", None)
            k = self.key(res, ns, name)
            if k in self.objs:
                raise errors.already_exists(res, name)
            obj["kind"], obj["apiVersion"] = res.kind, res.api_version
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now_iso()
            meta.setdefault("generation", 1)
            for drop in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"):
                meta.pop(drop, None)
            if dry:
                meta["resourceVersion"] = str(self.rv)
                return copy.deepcopy(obj)
            meta["resourceVersion"] = str(self._bump())
            self.objs[k] = copy.deepcopy(obj)
            self._emit(res, ns, "ADDED", obj, None)
            return copy.deepcopy(obj)

    def update(self, res, ns, name, obj, dry=False, subresource=None, force=False):
        """Replace an object.  A resourceVersion in obj is a precondition.
        The main resource cannot change status; the status subresource
        changes only status (as on a real API server)."""
        with self.cond:
            k = self.key(res, ns, name)
            old = self.objs.get(k)
            if old is None:
                raise errors.not_found(res, name)
            meta = obj.setdefault("metadata", {})
            if meta.get("name", name) != name:
                raise errors.bad_request('the name of the object (%s) does not match the name on the URL (%s)'
                                         % (meta.get("name"), name))
            want = meta.get("resourceVersion")
            if want not in (None, "") and str(want) != old["metadata"]["resourceVersion"]:
                raise errors.conflict(res, name, "the object has been modified; please apply your changes "
                                      "to the latest version and try again")
            new = copy.deepcopy(obj)
            if subresource == "status":
                status = new.get("status")
                new = copy.deepcopy(old)
                if status is not None:
                    new["status"] = status
            elif res.has_status and not force:
                if "status" in old:
                    new["status"] = copy.deepcopy(old["status"])
                else:
                    new.pop("status", None)
            nm = new["metadata"]
            om = old["metadata"]
            for keep in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace"):
                if keep in om:
                    nm[keep] = om[keep]
                else:
                    nm.pop(keep, None)
            nm["name"] = name
            new["kind"], new["apiVersion"] = res.kind, res.api_version
            nm["generation"] = om.get("generation", 1)
            if new.get("spec") != old.get("spec") and subresource != "status":
                nm["generation"] += 1
            nm["resourceVersion"] = om["resourceVersion"]
            if new == old:
                return copy.deepcopy(old)   # a no-op write keeps the version, as on a real server
            if dry:
                return new
            nm["resourceVersion"] = str(self._bump())
            self.objs[k] = copy.deepcopy(new)
            self._emit(res, ns, "MODIFIED", new, old)
            return copy.deepcopy(new)

    def delete(self, res, ns, name, uid=None, rv=None, grace=None, dry=False):
        """Delete; a pod with a grace period is only marked (the kubelet
        finishes the deletion once its processes are gone)."""
        with self.cond:
            k = self.key(res, ns, name)
            old = self.objs.get(k)
            if old is None:
                raise errors.not_found(res, name)
            om = old["metadata"]
            if uid and uid != om["uid"]:
                raise errors.conflict(res, name, "Precondition failed: UID in precondition: %s, UID in object "
                                      "meta: %s" % (uid, om["uid"]))
            if rv and str(rv) != om["resourceVersion"]:
                raise errors.conflict(res, name, "Precondition failed: ResourceVersion in precondition: %s, "
                                      "ResourceVersion in object meta: %s" % (rv, om["resourceVersion"]))
            if dry:
                return copy.deepcopy(old)
            if res.kind == "Pod":
                if grace is None:
                    grace = old.get("spec", {}).get("terminationGracePeriodSeconds", 30)
                cur = om.get("deletionGracePeriodSeconds")
                if grace > 0 or cur is not None:
                    if cur is not None and grace >= cur:
                        return copy.deepcopy(old)
                    new = copy.deepcopy(old)
                    new["metadata"]["deletionTimestamp"] = now_iso()
                    new["metadata"]["deletionGracePeriodSeconds"] = grace
                    new["metadata"]["resourceVersion"] = str(self._bump())
                    self.objs[k] = new
                    self._emit(res, ns, "MODIFIED", new, old)
                    return copy.deepcopy(new)
            return self._remove(res, ns, k, old)

    def finalize(self, res, ns, name, uid):
        """Remove a terminating object once its owner (the kubelet) is done."""
        with self.cond:
            k = self.key(res, ns, name)
            old = self.objs.get(k)
            if old is None or old["metadata"]["uid"] != uid:
                return None
            return self._remove(res, ns, k, old)

    def _remove(self, res, ns, k, old):
        del self.objs[k]
        gone = copy.deepcopy(old)
        gone["metadata"]["resourceVersion"] = str(self._bump())
        self._emit(res, ns, "DELETED", gone, old)
        return gone

    # -- watch ---------------------------------------------------------------
    def events_since(self, rv, timeout):
        """Events after rv (waits up to timeout for some); raises 410 when the
        log no longer reaches back to rv."""
        with self.cond:
            if rv < self.compacted:
                raise errors.gone("too old resource version: %d (%d)" % (rv, self.compacted))
            if self.rv <= rv:
                self.cond.wait(timeout)
            if rv < self.compacted:
                raise errors.gone("too old resource version: %d (%d)" % (rv, self.compacted))
            out = []
            for e in reversed(self.log):   # the log is in version order: read back only what is new
                if e.rv <= rv:
                    break
                out.append(e)
            out.reverse()
            return out, self.rv
