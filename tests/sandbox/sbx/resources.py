"""The resource types the sandbox serves, one table for routing and discovery."""

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


class Resource:
    def __init__(self, group, version, plural, kind, namespaced=True, short=(),
                 subresources=(), status=False, columns=None):
        self.group, self.version, self.plural, self.kind = group, version, plural, kind
        self.namespaced = namespaced
        self.short = list(short)
        self.subresources = list(subresources)
        self.has_status = status
        self.singular = kind.lower()

    @property
    def api_version(self):
        return "%s/%s" % (self.group, self.version) if self.group else self.version

    def plural_group(self):
        return "%s.%s" % (self.plural, self.group) if self.group else self.plural

    def discovery(self):
        out = [{"name": self.plural, "singularName": self.singular, "namespaced": self.namespaced,
                "kind": self.kind, "verbs": VERBS, **({"shortNames": self.short} if self.short else {})}]
        for sub in self.subresources:
            verbs = {"status": ["get", "patch", "update"], "scale": ["get", "patch", "update"], "proxy": ["create", "delete", "get", "patch", "update"],
                     "exec": ["create", "get"], "log": ["get"], "instantiate": ["create"]}[sub]
            kind = {"exec": "PodExecOptions", "proxy": "PodProxyOptions", "log": "Pod" if self.kind == "Pod" else "BuildLog",
                    "instantiate": "BuildRequest", "scale": "Scale"}.get(sub, self.kind)
            group = {"scale": {"group": "autoscaling", "version": "v1"}}.get(sub, {})
            out.append({"name": "%s/%s" % (self.plural, sub), "singularName": "", "namespaced": self.namespaced,
                        "kind": kind, "verbs": verbs, **group})
        return out


ALL = [
    Resource("", "v1", "namespaces", "Namespace", namespaced=False, short=["ns"], status=True),
    Resource("", "v1", "pods", "Pod", short=["po"], subresources=["status", "proxy", "exec", "log"], status=True),
    Resource("", "v1", "configmaps", "ConfigMap", short=["cm"]),
    Resource("", "v1", "secrets", "Secret"),
    Resource("", "v1", "services", "Service", short=["svc"], subresources=["status"], status=True),
    Resource("", "v1", "endpoints", "Endpoints", short=["ep"]),
    Resource("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", short=["pvc"],
             subresources=["status"], status=True),
    Resource("", "v1", "events", "Event", short=["ev"]),
    Resource("apps", "v1", "statefulsets", "StatefulSet", short=["sts"], subresources=["status", "scale"],
             status=True),
    Resource("build.openshift.io", "v1", "buildconfigs", "BuildConfig", short=["bc"],
             subresources=["instantiate", "status"], status=True),
    Resource("build.openshift.io", "v1", "builds", "Build", subresources=["log", "status"], status=True),
    Resource("image.openshift.io", "v1", "imagestreams", "ImageStream", short=["is"],
             subresources=["status"], status=True),
    Resource("image.openshift.io", "v1", "imagestreamtags", "ImageStreamTag", short=["istag"]),
    # Stored and watchable, but no controller acts on them (docs/sandbox.md)
    Resource("", "v1", "serviceaccounts", "ServiceAccount", short=["sa"]),
    Resource("apps", "v1", "deployments", "Deployment", short=["deploy"], subresources=["status"], status=True),
    Resource("apps", "v1", "replicasets", "ReplicaSet", short=["rs"], subresources=["status"], status=True),
    Resource("apps", "v1", "daemonsets", "DaemonSet", short=["ds"], subresources=["status"], status=True),
    Resource("batch", "v1", "jobs", "Job", subresources=["status"], status=True),
    Resource("apps.openshift.io", "v1", "deploymentconfigs", "DeploymentConfig", short=["dc"],
             subresources=["status"], status=True),
    Resource("route.openshift.io", "v1", "routes", "Route", subresources=["status"], status=True),
]

BY_PATH = {(r.group, r.version, r.plural): r for r in ALL}
BY_KIND = {r.kind: r for r in ALL}
GROUPS = {}
for _r in ALL:
    GROUPS.setdefault(_r.group, []).append(_r)


def get(group, version, plural):
    return BY_PATH.get((group, version, plural))
