#!/usr/bin/env python3
"""Write one plan of about N steps to stdout: the scaling benchmark of the
compiler (plan_scope, graph, proofs, IR) on a plan far larger than any real
runbook.  Every step reads earlier steps' results (so the scope of each step
is the whole prefix), every tenth is a group of three, every 25th a loop,
every 40th has `needs:` on a step 30 back, some are skipped by `when:`; a
pause ... resume bracket with a finally and a `within:` window.  The plan
is clean (no findings), so the whole compiler runs on it.
usage: big_plan.py N
"""
import sys


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    out = ["opsplan: 1", f"name: big-{n}", f"summary: {n} steps for the scaling benchmark",
           "params:", "  cluster: {type: string, default: patroni-001}",
           "  max_lag_mb: {type: number, default: 0}", "defaults:", "  timeout: 30s", "steps:"]
    ids = []
    plain = []   # top-level steps that always run: safe to read
    i = 0
    while len(ids) < n:
        sid = f"s{i}"
        prev = plain[-1] if plain else None
        lines = [f"  - id: {sid}"]
        if i % 10 == 9:
            lines += ["    steps:"]
            for k in range(3):
                lines += [f"      - id: {sid}-{k}", "        do: patroni.cluster",
                          "        with: {pod: \"${{ params.cluster }}-0\"}",
                          "        expect:",
                          "          - that: all(result.members, m => m.lag_mb == null || m.lag_mb <= params.max_lag_mb)"]
                ids.append(f"{sid}-{k}")
        elif i % 25 == 24:
            lines += ["    for_each: '[\"a\", \"b\", \"c\"]'", "    as: pod", "    do: k8s.get",
                      "    with: {kind: Pod, name: \"${{ params.cluster }}-${{ pod }}\"}",
                      "    expect:", "      - that: result.metadata.name != \"\""]
        else:
            lines += ["    do: k8s.get", "    with: {kind: StatefulSet, name: \"${{ params.cluster }}\"}",
                      "    expect:", "      - that: result.metadata.name == params.cluster"]
            if prev and i % 10 != 0:
                lines += [f"      - that: result.spec.replicas == steps.{prev}.result.spec.replicas",
                          f"        else: \"replicas changed since {prev}: ${{{{ steps.{prev}.result.spec.replicas }}}}\""]
            if i % 7 == 3:
                lines += ["    when: params.max_lag_mb >= 0"]
            else:
                plain.append(sid)
            if i % 40 == 39 and len(ids) > 30:
                lines += [f"    needs: [{ids[-30]}]"]
        ids.append(sid)
        out += lines
        i += 1
    out += ["  - id: pause", "    do: patroni.pause", "    with: {pod: \"${{ params.cluster }}-0\"}",
            "  - id: resume", "    do: patroni.resume", "    with: {pod: \"${{ params.cluster }}-0\"}",
            "finally:", "  - id: always-resume", "    do: patroni.resume",
            "    with: {pod: \"${{ params.cluster }}-0\"}"]
    print("\n".join(out))


main()
