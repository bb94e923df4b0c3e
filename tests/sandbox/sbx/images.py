"""Images: a tiny registry (digest -> what the image declares), ImageStream
tags pointing at digests, and the virtual ImageStreamTag resource `oc tag`
talks to.

The sandbox runs no containers: whatever an image says, the process is
Debian's Patroni.  An image records the Patroni version it was built for
(`patroniv`) so that both versions stay visible: the declared one in
ImageStreamTag labels and the pod annotation
`sandbox.opsplan.io/image-patroni-version`, the real one in Patroni's REST
API and `patronictl version`."""

import copy
import hashlib
import threading
import time

from . import errors, resources
from .errors import ApiError
from .store import now_iso

REGISTRY_HOST = "image-registry.openshift-image-registry.svc:5000"
IS = resources.BY_KIND["ImageStream"]
ISTAG = resources.BY_KIND["ImageStreamTag"]

_lock = threading.Lock()
REGISTRY = {}      # "sha256:..." -> {"patroni": "2.0.1", "postgres": "15", "fail": False, "created": iso}
FAILING = set()    # digests that fail to start (fault injection)


def new_image(patroni, postgres="15", note=""):
    digest = "sha256:" + hashlib.sha256(("%s/%s/%s/%f" % (patroni, postgres, note, time.time())).encode()
                                        ).hexdigest()
    with _lock:
        REGISTRY[digest] = {"patroni": patroni, "postgres": postgres, "created": now_iso()}
    return digest


def _tag_item(store, ns, is_name, tag):
    obj = store.try_get(IS, ns, is_name)
    if obj is None:
        return None
    for t in (obj.get("status") or {}).get("tags") or []:
        if t.get("tag") == tag and t.get("items"):
            return t["items"][0]
    return None


def parse_ref(ref, ns):
    """(namespace, imagestream, tag, digest) of an image reference."""
    name = ref
    if name.startswith(REGISTRY_HOST + "/"):
        name = name[len(REGISTRY_HOST) + 1:]
        if "/" in name:
            ns, name = name.split("/", 1)
    elif "/" in name:
        ns, name = name.rsplit("/", 1)
    digest = None
    if "@" in name:
        name, digest = name.split("@", 1)
        return ns, name, None, digest
    tag = "latest"
    if ":" in name:
        name, tag = name.rsplit(":", 1)
    return ns, name, tag, digest


def resolve(store, ns, ref):
    """What a kubelet pull finds: {"ref", "id", "patroni", ...}; ApiError
    when there is nothing to pull or the image fails to start."""
    ins, is_name, tag, digest = parse_ref(ref, ns)
    if digest is None:
        item = _tag_item(store, ins, is_name, tag)
        if item is None:
            raise ApiError(400, "ErrImagePull", 'image "%s" not found: manifest unknown' % ref)
        digest = item["image"]
    with _lock:
        meta = REGISTRY.get(digest)
        failing = digest in FAILING
    if meta is None:
        raise ApiError(400, "ErrImagePull", 'image "%s" not found: manifest unknown' % ref)
    if failing:
        raise ApiError(400, "ErrImagePull", 'image "%s" cannot be pulled (fault injected)' % ref)
    return {"ref": ref, "id": "%s/%s/%s@%s" % (REGISTRY_HOST, ins, is_name, digest), "digest": digest, **meta}


def push(store, ns, is_name, tag, digest, from_ref=None):
    """Point is_name:tag at digest (a build push or a tag update)."""
    for _ in range(10):
        obj = store.try_get(IS, ns, is_name)
        if obj is None:
            obj = store.create(IS, ns, {"metadata": {"name": is_name}, "spec": {"lookupPolicy": {"local": False}}})
        spec_tags = obj.setdefault("spec", {}).setdefault("tags", [])
        st = obj.setdefault("status", {})
        st["dockerImageRepository"] = "%s/%s/%s" % (REGISTRY_HOST, ns, is_name)
        tags = st.setdefault("tags", [])
        if from_ref:
            spec_tags[:] = [t for t in spec_tags if t.get("name") != tag] + [
                {"name": tag, "from": from_ref, "generation": obj["metadata"].get("generation", 1),
                 "importPolicy": {}, "referencePolicy": {"type": "Source"}}]
        entry = next((t for t in tags if t.get("tag") == tag), None)
        if entry is None:
            entry = {"tag": tag, "items": []}
            tags.append(entry)
        if entry["items"] and entry["items"][0]["image"] == digest:
            return obj
        entry["items"].insert(0, {"created": now_iso(), "image": digest, "generation": 1,
                                  "dockerImageReference": "%s/%s/%s@%s" % (REGISTRY_HOST, ns, is_name, digest)})
        del entry["items"][10:]
        try:
            obj = store.update(IS, ns, is_name, obj, force=True)
            return obj
        except ApiError as e:
            if e.code != 409:
                raise
    raise errors.conflict(IS, is_name, "too many concurrent writers")


class ImageStreamTags:
    """The virtual `imagestreamtags` resource: views of ImageStream tags."""

    def __init__(self, store):
        self.store = store

    def _view(self, ns, is_obj, tag):
        st_tags = {t["tag"]: t for t in (is_obj.get("status") or {}).get("tags") or []}
        spec_tag = next((t for t in (is_obj.get("spec") or {}).get("tags") or [] if t.get("name") == tag), None)
        entry = st_tags.get(tag)
        if not entry or not entry.get("items"):
            return None
        item = entry["items"][0]
        with _lock:
            meta = copy.deepcopy(REGISTRY.get(item["image"], {}))
        name = "%s:%s" % (is_obj["metadata"]["name"], tag)
        labels = {"io.opsplan.patroni-version": meta.get("patroni", ""),
                  "io.opsplan.postgres-version": meta.get("postgres", "")}
        return {"kind": "ImageStreamTag", "apiVersion": "image.openshift.io/v1",
                "metadata": {"name": name, "namespace": ns, "uid": is_obj["metadata"]["uid"],
                             "resourceVersion": is_obj["metadata"]["resourceVersion"],
                             "creationTimestamp": item.get("created")},
                "tag": spec_tag, "generation": is_obj["metadata"].get("generation", 1),
                "lookupPolicy": (is_obj.get("spec") or {}).get("lookupPolicy", {"local": False}),
                "image": {"metadata": {"name": item["image"], "creationTimestamp": item.get("created")},
                          "dockerImageReference": item["dockerImageReference"],
                          "dockerImageMetadata": {"kind": "DockerImage", "apiVersion": "image.openshift.io/1.0",
                                                  "Config": {"Labels": labels,
                                                             "Env": ["PATRONI_VERSION=%s" % meta.get("patroni", "")]}},
                          "dockerImageMetadataVersion": "1.0"}}

    def _split(self, name):
        if ":" not in name:
            raise errors.bad_request('imagestreamtag name "%s" must be of the form <stream>:<tag>' % name)
        return name.split(":", 1)

    def get(self, ns, name):
        is_name, tag = self._split(name)
        obj = self.store.try_get(IS, ns, is_name)
        view = obj and self._view(ns, obj, tag)
        if not view:
            raise errors.not_found(ISTAG, name)
        return view

    def list(self, ns, labels, fields):
        items = []
        streams, rv = self.store.list(IS, ns)
        for obj in streams:
            for t in (obj.get("status") or {}).get("tags") or []:
                v = self._view(obj["metadata"]["namespace"], obj, t["tag"])
                if v:
                    items.append(v)
        return items, rv

    def _source_digest(self, ns, src):
        kind, name = src.get("kind"), src.get("name", "")
        sns = src.get("namespace") or ns
        if kind == "ImageStreamTag":
            is_name, tag = self._split(name)
            item = _tag_item(self.store, sns, is_name, tag)
            if not item:
                raise errors.not_found(ISTAG, name)
            return item["image"]
        if kind in ("ImageStreamImage", "DockerImage"):
            _, _, tag, digest = parse_ref(name, sns)
            if digest is None and kind == "DockerImage":
                i2 = parse_ref(name, sns)
                item = _tag_item(self.store, i2[0], i2[1], i2[2])
                if item:
                    return item["image"]
            if digest and digest in REGISTRY:
                return digest
            raise ApiError(404, "NotFound", 'image "%s" not found' % name)
        raise errors.invalid(ISTAG, name, 'tag.from.kind: Unsupported value: "%s"' % kind)

    def update(self, ns, name, obj, dry=False, create=False):
        is_name, tag = self._split(name)
        src = (obj.get("tag") or {}).get("from")
        if not src:
            raise errors.invalid(ISTAG, name, "tag.from: Required value")
        existing = self.store.try_get(IS, ns, is_name)
        if not create and (existing is None or self._view(ns, existing, tag) is None):
            raise errors.not_found(ISTAG, name)
        digest = self._source_digest(ns, src)
        if dry:
            return obj
        push(self.store, ns, is_name, tag, digest, from_ref=src)
        return self.get(ns, name)

    def create(self, ns, obj, dry=False):
        name = (obj.get("metadata") or {}).get("name", "")
        is_name, tag = self._split(name)
        existing = self.store.try_get(IS, ns, is_name)
        if existing is not None and self._view(ns, existing, tag) is not None:
            raise errors.already_exists(ISTAG, name)
        return self.update(ns, name, obj, dry, create=True)

    def delete(self, ns, name, dry=False):
        view = self.get(ns, name)
        if dry:
            return view
        is_name, tag = self._split(name)
        for _ in range(10):
            obj = self.store.get(IS, ns, is_name)
            obj["spec"]["tags"] = [t for t in obj["spec"].get("tags", []) if t.get("name") != tag]
            obj["status"]["tags"] = [t for t in obj["status"].get("tags", []) if t.get("tag") != tag]
            try:
                self.store.update(IS, ns, is_name, obj, force=True)
                return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
            except ApiError as e:
                if e.code != 409:
                    raise
        raise errors.conflict(ISTAG, name, "too many concurrent writers")
