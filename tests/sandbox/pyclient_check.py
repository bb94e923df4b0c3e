#!/usr/bin/python3
"""Python's `kubernetes` client (Debian python3-kubernetes) against the
sandbox: list pods, watch them, and see a change made during the watch.

  pyclient_check.py KUBECONFIG NAMESPACE EXPECTED_PODS"""

import sys
import threading
import time

from kubernetes import client, config, watch


def main():
    kubeconfig, ns, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
    config.load_kube_config(config_file=kubeconfig)
    v1 = client.CoreV1Api()
    pods = v1.list_namespaced_pod(ns)
    names = sorted(p.metadata.name for p in pods.items)
    assert len(names) == want, "expected %d pods, listed %s" % (want, names)
    assert all(p.status.pod_ip and p.status.pod_ip.startswith("127.0.") for p in pods.items), "pod IPs"
    rv = pods.metadata.resource_version

    cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="pyclient-check", labels={"check": "py"}),
                            data={"n": "0"})
    v1.create_namespaced_config_map(ns, cm)

    def touch():
        time.sleep(0.5)
        v1.patch_namespaced_config_map("pyclient-check", ns, {"data": {"n": "1"}})
        v1.patch_namespaced_pod(names[0], ns, {"metadata": {"annotations": {"pyclient-check": "seen"}}})

    threading.Thread(target=touch, daemon=True).start()
    seen = []
    w = watch.Watch()
    for ev in w.stream(v1.list_namespaced_pod, ns, resource_version=rv, timeout_seconds=5):
        seen.append((ev["type"], ev["object"].metadata.name,
                     (ev["object"].metadata.annotations or {}).get("pyclient-check")))
        if seen[-1][2] == "seen":
            w.stop()
    assert ("MODIFIED", names[0], "seen") in seen, "watch did not see the pod patch: %s" % seen[-5:]
    cms = [e for e in watch.Watch().stream(v1.list_namespaced_config_map, ns, label_selector="check=py",
                                            timeout_seconds=1)]
    assert [e["object"].data["n"] for e in cms] == ["1"], "configmap watch replay: %s" % cms
    v1.delete_namespaced_config_map("pyclient-check", ns)
    try:
        v1.read_namespaced_config_map("pyclient-check", ns)
        raise AssertionError("configmap still there after delete")
    except client.exceptions.ApiException as e:
        assert e.status == 404, e.status
    print("pyclient: listed %d pods, watched %d events, configmap create/patch/watch/delete ok" %
          (len(names), len(seen)))


if __name__ == "__main__":
    main()
