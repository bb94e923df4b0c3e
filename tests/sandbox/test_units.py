#!/usr/bin/python3
"""Unit tests of the sandbox's pure parts (no processes): patches, selectors,
the store's versions, preconditions and watch log.  Run: test_units.py"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from sbx import patch, resources, selectors  # noqa: E402
from sbx.errors import ApiError  # noqa: E402
from sbx.store import Store  # noqa: E402

CM = resources.BY_KIND["ConfigMap"]
NS = resources.BY_KIND["Namespace"]
POD = resources.BY_KIND["Pod"]


class Patches(unittest.TestCase):
    def test_merge_null_deletes_and_maps_merge(self):
        self.assertEqual(patch.merge({"a": {"b": 1, "c": 2}, "d": [1]}, {"a": {"b": None, "e": 3}, "d": [2]}),
                         {"a": {"c": 2, "e": 3}, "d": [2]})

    def test_strategic_named_lists_merge_by_name(self):
        old = {"containers": [{"name": "a", "image": "x", "env": [{"name": "E", "value": "1"}]},
                              {"name": "b", "image": "y"}]}
        new = patch.strategic(old, {"containers": [{"name": "a", "image": "z"}, {"name": "c", "image": "w"}]})
        self.assertEqual([(c["name"], c["image"]) for c in new["containers"]], [("a", "z"), ("b", "y"), ("c", "w")])
        self.assertEqual(new["containers"][0]["env"], [{"name": "E", "value": "1"}])

    def test_strategic_delete_directive_and_plain_lists(self):
        old = {"c": [{"name": "a"}, {"name": "b"}], "args": ["1", "2"]}
        new = patch.strategic(old, {"c": [{"name": "a", "$patch": "delete"}], "args": ["3"]})
        self.assertEqual(new, {"c": [{"name": "b"}], "args": ["3"]})

    def test_strategic_label_null_removes_it(self):   # what Patroni's touch_member sends for role None
        old = {"metadata": {"labels": {"role": "master", "app": "x"}}}
        self.assertEqual(patch.strategic(old, {"metadata": {"labels": {"role": None}}}),
                         {"metadata": {"labels": {"app": "x"}}})

    def test_json_patch_ops(self):
        doc = {"a": [1, 2], "b": {"c": 1}}
        out = patch.json_patch(doc, [{"op": "add", "path": "/a/-", "value": 3},
                                     {"op": "remove", "path": "/b/c"},
                                     {"op": "move", "from": "/a/0", "path": "/m"},
                                     {"op": "replace", "path": "/a/0", "value": 9},
                                     {"op": "copy", "from": "/m", "path": "/n"}])
        self.assertEqual(out, {"a": [9, 3], "b": {}, "m": 1, "n": 1})
        self.assertEqual(doc, {"a": [1, 2], "b": {"c": 1}})

    def test_json_patch_failures_are_422(self):
        with self.assertRaises(ApiError) as e:
            patch.json_patch({"a": 1}, [{"op": "test", "path": "/a", "value": 2}])
        self.assertEqual(e.exception.code, 422)
        with self.assertRaises(ApiError) as e:
            patch.json_patch({"a": 1}, [{"op": "replace", "path": "/nope", "value": 2}])
        self.assertEqual(e.exception.code, 422)

    def test_unknown_content_type_is_415(self):
        with self.assertRaises(ApiError) as e:
            patch.apply("text/plain", {}, {})
        self.assertEqual(e.exception.code, 415)


class Selectors(unittest.TestCase):
    def test_labels(self):
        r = selectors.parse_labels("app=db,role!=replica,tier in (a, b),!gone,env")
        self.assertTrue(selectors.match_labels(r, {"app": "db", "role": "master", "tier": "b", "env": ""}))
        self.assertFalse(selectors.match_labels(r, {"app": "db", "role": "replica", "tier": "b", "env": ""}))
        self.assertFalse(selectors.match_labels(r, {"app": "db", "tier": "c", "env": ""}))
        self.assertFalse(selectors.match_labels(r, {"app": "db", "tier": "a", "env": "", "gone": "1"}))
        self.assertTrue(selectors.match_labels(selectors.parse_labels("x notin (1)"), {}))

    def test_bad_label_selector_is_400(self):
        with self.assertRaises(ApiError) as e:
            selectors.parse_labels("a in b")
        self.assertEqual(e.exception.code, 400)

    def test_fields(self):
        r = selectors.parse_fields("metadata.name=p,status.phase!=Failed", "Pod")
        self.assertTrue(selectors.match_fields(r, {"metadata": {"name": "p"}, "status": {"phase": "Running"}}))
        self.assertFalse(selectors.match_fields(r, {"metadata": {"name": "q"}, "status": {"phase": "Running"}}))
        with self.assertRaises(ApiError) as e:
            selectors.parse_fields("status.phase=Running", "ConfigMap")
        self.assertEqual(e.exception.code, 400)


class Stores(unittest.TestCase):
    def setUp(self):
        self.s = Store()
        self.s.create(NS, None, {"metadata": {"name": "n"}})

    def test_versions_increase_and_noop_keeps_version(self):
        a = self.s.create(CM, "n", {"metadata": {"name": "c"}, "data": {"k": "1"}})
        b = self.s.update(CM, "n", "c", dict(a, data={"k": "2"}))
        self.assertGreater(int(b["metadata"]["resourceVersion"]), int(a["metadata"]["resourceVersion"]))
        c = self.s.update(CM, "n", "c", b)
        self.assertEqual(c["metadata"]["resourceVersion"], b["metadata"]["resourceVersion"])

    def test_stale_version_and_wrong_uid_conflict(self):
        a = self.s.create(CM, "n", {"metadata": {"name": "c"}})
        self.s.update(CM, "n", "c", dict(a, data={"k": "2"}))
        with self.assertRaises(ApiError) as e:
            self.s.update(CM, "n", "c", dict(a, data={"k": "3"}))
        self.assertEqual((e.exception.code, e.exception.reason), (409, "Conflict"))
        with self.assertRaises(ApiError) as e:
            self.s.delete(CM, "n", "c", uid="other")
        self.assertEqual(e.exception.code, 409)

    def test_create_in_missing_namespace_is_404(self):
        with self.assertRaises(ApiError) as e:
            self.s.create(CM, "nope", {"metadata": {"name": "c"}})
        self.assertEqual(e.exception.code, 404)

    def test_pod_delete_is_graceful_then_finalized(self):
        p = self.s.create(POD, "n", {"metadata": {"name": "p"}, "spec": {}})
        marked = self.s.delete(POD, "n", "p", grace=5)
        self.assertIn("deletionTimestamp", marked["metadata"])
        self.assertIsNotNone(self.s.try_get(POD, "n", "p"))
        self.s.finalize(POD, "n", "p", p["metadata"]["uid"])
        self.assertIsNone(self.s.try_get(POD, "n", "p"))

    def test_status_subresource_and_main_resource_split(self):
        p = self.s.create(POD, "n", {"metadata": {"name": "p"}, "spec": {"a": 1}, "status": {"phase": "Pending"}})
        q = self.s.update(POD, "n", "p", dict(p, status={"phase": "Hacked"}))
        self.assertEqual(q["status"]["phase"], "Pending")
        r = self.s.update(POD, "n", "p", dict(q, spec={"a": 2}, status={"phase": "Running"}), subresource="status")
        self.assertEqual((r["spec"], r["status"]["phase"]), ({"a": 1}, "Running"))

    def test_watch_log_and_compaction(self):
        a = self.s.create(CM, "n", {"metadata": {"name": "c"}})
        rv = int(a["metadata"]["resourceVersion"])
        self.s.update(CM, "n", "c", dict(a, data={"k": "2"}))
        evs, _ = self.s.events_since(rv, 0)
        self.assertEqual([e.type for e in evs], ["MODIFIED"])
        self.s.compact()
        with self.assertRaises(ApiError) as e:
            self.s.events_since(rv, 0)
        self.assertEqual((e.exception.code, e.exception.reason), (410, "Expired"))


class KubeletStatus(unittest.TestCase):
    """Issue 9's rehearsal flake: a reader saw the replacement's new imageID
    while the declared-version annotation was still missing.  Every watch
    event must show an imageID together with the version that image declares."""
    def test_image_and_declared_version_change_in_one_event(self):
        import types
        from sbx import kubelet
        s = Store()
        s.create(NS, None, {"metadata": {"name": "n"}})
        kl = kubelet.Kubelet(s, types.SimpleNamespace(api_ip="127.0.0.1"), lambda msg: None)
        pod = s.create(POD, "n", {"metadata": {"name": "p"}, "spec": {"containers": [
            {"name": "postgresql", "image": "is:tag"}]}, "status": {"phase": "Pending"}})
        rt = kubelet.PodRuntime(pod["metadata"]["uid"], "n", "p", "127.0.0.10", "/nonexistent")
        rt.proc, rt.started_at = types.SimpleNamespace(pid=1), "2026-01-01T00:00:00Z"
        declared = {"sha256:aaa": "2.0.1", "sha256:bbb": "2.1.0", "sha256:ccc": None}
        seen = []
        s.listeners.append(lambda ev: seen.append(ev.obj) if ev.res is POD else None)
        for image, ready in (("sha256:aaa", False), ("sha256:aaa", True),   # start, then Ready
                             ("sha256:bbb", False),                         # restarted on a moved tag
                             ("sha256:ccc", False)):                        # an image declaring nothing
            rt.image = {"id": image, "patroni": declared[image]}
            rt.ready = ready
            kl._set_status(rt, s.get(POD, "n", "p"))
        shown = [(o["status"]["containerStatuses"][0]["imageID"],
                  o["metadata"].get("annotations", {}).get(kubelet.VERSION_ANNOTATION)) for o in seen]
        for image, version in shown:
            self.assertEqual(version, declared[image], "an event shows %s with version %r" % (image, version))
        self.assertEqual([x[0] for x in shown], ["sha256:aaa", "sha256:aaa", "sha256:bbb", "sha256:ccc"])


class Traces(unittest.TestCase):
    """The timing trace make bench reads: pod lines only on Ready transitions."""
    def test_pod_lines_on_ready_changes_only(self):
        import tempfile
        from sbx import trace
        with tempfile.TemporaryDirectory() as d:
            t = trace.Trace(os.path.join(d, "t.log"))
            s = Store()
            s.listeners.append(t.store_event)
            s.create(NS, None, {"metadata": {"name": "n"}})
            s.create(CM, "n", {"metadata": {"name": "c"}})
            p = s.create(POD, "n", {"metadata": {"name": "p"}, "spec": {}, "status": {"phase": "Pending"}})

            def ready(v, phase="Running"):
                cur = s.get(POD, "n", "p")
                return s.update(POD, "n", "p", dict(cur, status={"phase": phase, "conditions": [
                    {"type": "Ready", "status": v}]}), subresource="status")
            ready("False")                     # not a transition: no line
            ready("True")
            ready("True", phase="Running2")    # still Ready: no line
            ready("False")
            t.request("GET", "/api/v1/x?watch=1", "opsplan")
            t.f.close()
            rows = [line.rstrip("\n").split("\t") for line in open(os.path.join(d, "t.log"))]
        uid = p["metadata"]["uid"]
        self.assertEqual([(r[2], r[5]) for r in rows if r[1] == "pod"],
                         [("ADDED", "ready=false"), ("MODIFIED", "ready=true"), ("MODIFIED", "ready=false")])
        self.assertTrue(all(r[4] == uid for r in rows if r[1] == "pod"))
        self.assertEqual(rows[-1][1:], ["req", "GET", "/api/v1/x?watch=1", "opsplan"])
        times = [float(r[0]) for r in rows]
        self.assertEqual(times, sorted(times))


if __name__ == "__main__":
    unittest.main(verbosity=1)
