"""The objects a fresh sandbox namespace starts with, shaped like the BC Gov
Patroni templates (StatefulSet, Secret, Services, ImageStreams, BuildConfig)."""

import base64
import json
import secrets

from . import images, resources

R = resources.BY_KIND
REG = images.REGISTRY_HOST


def _b64(s):
    return base64.b64encode(s.encode()).decode()


def seed(store, admit, ns, cluster, members, base_patroni="1.6.5"):
    """admit: plural -> admission hook, applied as the API server would."""
    def create(res, ns_, obj):
        fn = admit.get(res.plural_group())
        return store.create(res, ns_, fn("create", obj, None) if fn else obj)

    for name in ("default", ns):
        if store.try_get(R["Namespace"], None, name) is None:
            create(R["Namespace"], None, {"metadata": {"name": name}, "spec": {"finalizers": ["kubernetes"]},
                                                "status": {"phase": "Active"}})
    labels = {"cluster-name": cluster, "app.kubernetes.io/name": "patroni"}
    create(R["Secret"], ns, {"metadata": {"name": cluster, "labels": dict(labels)}, "type": "Opaque", "data": {
        "superuser-username": _b64("postgres"), "superuser-password": _b64(secrets.token_urlsafe(18)),
        "replication-username": _b64("replication"), "replication-password": _b64(secrets.token_urlsafe(18)),
        "app-db-username": _b64("app"), "app-db-password": _b64(secrets.token_urlsafe(18)),
        "app-db-name": _b64("app")}})

    base = images.new_image("", note="postgres:15 base")
    images.push(store, ns, "postgres", "15", base)
    first = images.new_image(base_patroni, note="initial")
    for tag in ("15-latest", "15-stable"):
        images.push(store, ns, "patroni-postgres", tag, first)

    create(R["BuildConfig"], ns, {"metadata": {"name": "patroni-postgres", "labels": dict(labels)}, "spec": {
        "runPolicy": "Serial",
        "source": {"type": "Git", "git": {"uri": "https://github.com/bcgov/patroni-postgres-container.git",
                                          "ref": "main"}},
        "strategy": {"type": "Docker", "dockerStrategy": {
            "from": {"kind": "ImageStreamTag", "name": "postgres:15"},
            "buildArgs": [{"name": "patroniv", "value": base_patroni}]}},
        "output": {"to": {"kind": "ImageStreamTag", "name": "patroni-postgres:15-latest"}},
        "triggers": []}, "status": {"lastVersion": 0}})

    def secret_env(name, key):
        return {"name": name, "valueFrom": {"secretKeyRef": {"name": cluster, "key": key}}}

    create(R["StatefulSet"], ns, {
        "metadata": {"name": cluster, "labels": dict(labels, app=cluster)},
        "spec": {
            "replicas": members, "serviceName": cluster, "podManagementPolicy": "Parallel",
            "updateStrategy": {"type": "OnDelete"},
            "selector": {"matchLabels": {"statefulset": cluster}},
            "template": {
                "metadata": {"labels": dict(labels, statefulset=cluster, app=cluster)},
                "spec": {
                    "terminationGracePeriodSeconds": 10,
                    "containers": [{
                        "name": "postgresql", "imagePullPolicy": "Always",
                        "image": "%s/%s/patroni-postgres:15-stable" % (REG, ns),
                        "ports": [{"containerPort": 8008, "protocol": "TCP"},
                                  {"containerPort": 5432, "protocol": "TCP"}],
                        "env": [
                            {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                            {"name": "PATRONI_KUBERNETES_NAMESPACE",
                             "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                            {"name": "PATRONI_KUBERNETES_LABELS", "value": json.dumps(labels)},
                            {"name": "PATRONI_KUBERNETES_POD_IP",
                             "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                            {"name": "PATRONI_KUBERNETES_USE_ENDPOINTS", "value": "false"},
                            secret_env("PATRONI_SUPERUSER_USERNAME", "superuser-username"),
                            secret_env("PATRONI_SUPERUSER_PASSWORD", "superuser-password"),
                            secret_env("PATRONI_REPLICATION_USERNAME", "replication-username"),
                            secret_env("PATRONI_REPLICATION_PASSWORD", "replication-password"),
                            secret_env("APP_USER", "app-db-username"),
                            secret_env("APP_PASSWORD", "app-db-password"),
                            secret_env("APP_DATABASE", "app-db-name"),
                            {"name": "PATRONI_SCOPE", "value": cluster},
                            {"name": "PATRONI_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                            {"name": "PATRONI_LOG_LEVEL", "value": "INFO"}],
                        "readinessProbe": {"exec": {"command": ["/usr/share/scripts/patroni/health_check.sh"]},
                                           "initialDelaySeconds": 5, "periodSeconds": 1, "timeoutSeconds": 1,
                                           "failureThreshold": 1},
                        "volumeMounts": [{"name": "postgresql", "mountPath": "/home/postgres/pgdata"}]}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "postgresql", "labels": {"app": cluster}},
                                      "spec": {"accessModes": ["ReadWriteOnce"],
                                               "resources": {"requests": {"storage": "1Gi"}}}}]}})

    create(R["Service"], ns, {"metadata": {"name": cluster + "-master", "labels": dict(labels)}, "spec": {
        "selector": {"cluster-name": cluster, "role": "master", "app.kubernetes.io/name": "patroni"},
        "ports": [{"name": "postgresql", "port": 5432, "targetPort": 5432, "protocol": "TCP"}],
        "type": "ClusterIP", "sessionAffinity": "None"}})
    create(R["Service"], ns, {"metadata": {"name": cluster, "labels": dict(labels)}, "spec": {
        "clusterIP": "None", "selector": {"statefulset": cluster},
        "ports": [{"name": "postgresql", "port": 5432, "targetPort": 5432, "protocol": "TCP"}]}})
