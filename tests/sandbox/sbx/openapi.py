"""A minimal OpenAPI v3 index: enough for kubectl to see that the server
validates fields itself (`fieldValidation` on PATCH), so `kubectl create -f`
and `apply` work without a schema.  No schemas are served and the sandbox
does not validate fields (docs/sandbox.md)."""

import hashlib

from . import resources

PARAMS = [{"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
          for n in ("dryRun", "fieldManager", "fieldValidation", "force", "pretty")]


def _gv_path(group):
    return "apis/%s/v1" % group if group else "api/v1"


def _hash(group):
    return hashlib.sha256(_gv_path(group).encode()).hexdigest()[:16].upper()


def root():
    return {"paths": {_gv_path(g): {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (_gv_path(g), _hash(g))}
                      for g in resources.GROUPS}}


def group_doc(gv_path):
    group = next((g for g in resources.GROUPS if _gv_path(g) == gv_path), None)
    if group is None:
        return None
    paths = {}
    for r in resources.GROUPS[group]:
        gvk = {"group": r.group, "version": r.version, "kind": r.kind}
        base = "/" + gv_path + ("/namespaces/{namespace}" if r.namespaced else "")
        op = {"x-kubernetes-group-version-kind": gvk, "parameters": PARAMS,
              "responses": {"200": {"description": "OK"}}}
        paths["%s/%s/{name}" % (base, r.plural)] = {"get": dict(op), "put": dict(op), "patch": dict(op),
                                                    "delete": dict(op)}
        paths["%s/%s" % (base, r.plural)] = {"get": dict(op), "post": dict(op)}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes (opsplan sandbox)", "version": "v1.31.0"},
            "paths": paths, "components": {"schemas": {}}}
