#!/usr/bin/env python3
"""Checks of readiness.py's report on a made-up trace: which request is
"next", which samples are excluded, percentiles.  bench/executor.sh runs it
before measuring, so a wrong analysis cannot print plausible figures."""
import contextlib
import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import readiness  # noqa: E402

P = "/api/v1/namespaces/demo/pods/db-1"
W = "/api/v1/namespaces/demo/pods?fieldSelector=metadata.name%3Ddb-1&watch=1"
KW = "/api/v1/namespaces/demo/pods?fieldSelector=metadata.name%3Ddb-1&watch=true"
PAT = "Patroni/3.0.2 Python/3.11.2 Linux"
KUA = "kubectl/v1.31.9 (linux/amd64)"


def req(t, m, path, ua):
    return "%.3f\treq\t%s\t%s\t%s\n" % (t, m, path, ua)


def pod(t, typ, uid, ready, name="db-1"):
    return "%.3f\tpod\t%s\tdemo/%s\t%s\tready=%s\trv=1\n" % (t, typ, name, uid, "true" if ready else "false")


class Report(unittest.TestCase):
    def run_report(self, lines, marks, since=0.0):
        with tempfile.TemporaryDirectory() as d:
            tr, mk = os.path.join(d, "trace"), os.path.join(d, "marks")
            with open(tr, "w") as f:
                f.write("".join(lines))
            with open(mk, "w") as f:
                f.write("".join("%s\t%.3f\t%.3f\t%d\n" % m for m in marks))
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                readiness.report(tr, "demo", "db-1", mk, since)
        return {ln.split(" ", 1)[0]: ln.split(" ", 1)[1] for ln in out.getvalue().splitlines()}

    def test_next_request_and_exclusions(self):
        lines = [
            # u1: both clients watching before Ready; Patroni's request in between is ignored
            pod(100.000, "ADDED", "u1", False),
            req(100.010, "GET", W, "opsplan"),
            req(100.100, "GET", KW, KUA),
            pod(101.000, "MODIFIED", "u1", True),
            req(101.001, "PATCH", "/api/v1/namespaces/demo/configmaps/x", PAT),
            req(101.005, "GET", P, "opsplan"),
            req(101.050, "GET", "/version", "kubectl-dispatcher/v1.0"),
            # another pod's Ready is not an event of db-1
            pod(101.500, "MODIFIED", "o1", True, name="db-2"),
            # u2: opsplan's watch only after Ready (it listed a Ready pod): excluded;
            # kubectl's watch after Ready too: excluded
            pod(102.000, "ADDED", "u2", False),
            pod(102.300, "MODIFIED", "u2", True),
            req(102.310, "GET", W, "opsplan"),
            req(102.320, "GET", KW, KUA),
            req(102.330, "GET", P, "opsplan"),
        ]
        marks = [("u1", 100.050, 101.008, 0), ("u2", 102.200, 102.400, 0)]
        f = self.run_report(lines, marks)
        self.assertEqual(f["ready_events"], "2")
        self.assertEqual(f["opsplan"], "1 5.0 5.0 5.0 5.0")
        self.assertEqual(f["opsplan_excluded"], "1")
        self.assertEqual(f["kubectl_wait_exit"], "1 8.0 8.0 8.0 8.0")
        self.assertEqual(f["kubectl_next_request"], "1 50.0 50.0 50.0 50.0")
        self.assertEqual(f["kubectl_excluded"], "1")
        # since: only the Ready transitions after it count
        f = self.run_report(lines, marks, since=102.0)
        self.assertEqual((f["ready_events"], f["opsplan"].split()[0]), ("1", "0"))

    def test_next_request_must_be_the_get(self):
        lines = [pod(100.0, "ADDED", "u1", False), req(100.01, "GET", W, "opsplan"),
                 pod(101.0, "MODIFIED", "u1", True), req(101.02, "DELETE", P, "opsplan")]
        f = self.run_report(lines, [])
        self.assertEqual((f["opsplan"].split()[0], f["opsplan_excluded"]), ("0", "1"))

    def test_percentiles_nearest_rank(self):
        xs = list(range(1, 101))
        self.assertEqual((readiness.pct(xs, 50), readiness.pct(xs, 95)), (50, 95))
        self.assertEqual((readiness.pct([7], 50), readiness.pct([7], 95)), (7, 7))
        self.assertEqual(readiness.pct([3, 1, 2], 50), 2)


if __name__ == "__main__":
    unittest.main(verbosity=1)
