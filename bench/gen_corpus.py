#!/usr/bin/env python3
"""Write N plans into DIR for the benchmark.

With a TEMPLATE (the shipped plans/patroni-hotfix.yaml once it exists) each
plan is that file with its name changed, so the corpus is exactly what users
lint.  Without one, each plan is a realistic Patroni-style runbook of 6-10 KB
built from the plan language in DESIGN.md: params with match:, defaults,
guarded steps with require:/expect: expressions, loops, windows, gates and
finally.  Deterministic for a given seed.
usage: gen_corpus.py DIR N [TEMPLATE]
"""
import os
import random
import re
import sys


def step_block(r, i):
    kind = r.choice(["cluster", "get", "wait", "list", "log", "patch", "pause-resume"])
    sid = f"check-{i}"
    if kind == "cluster":
        return f"""  - id: {sid}
    title: Every member of ${{{{ params.cluster }}}} is running and caught up ({i})
    do: patroni.cluster
    with: {{pod: "${{{{ params.cluster }}}}-0"}}
    timeout: {r.choice(["30s", "1m", "2m"])}
    retry: {{attempts: {r.randint(2, 5)}, delay: {r.choice(["2s", "5s"])}}}
    expect:
      - that: all(result.members, m => m.state in ["running", "streaming"])
        else: "a member of ${{{{ params.cluster }}}} is not running"
      - that: len(result.members) >= params.min_members
        else: "fewer members than ${{{{ params.min_members }}}}"
      - that: all(result.members, m => m.lag_mb == null || m.lag_mb <= params.max_lag_mb)
        else: "a replica lags more than ${{{{ params.max_lag_mb }}}} MB"
"""
    if kind == "get":
        return f"""  - id: {sid}
    title: The StatefulSet will not redeploy on an image change ({i})
    do: k8s.get
    with: {{kind: StatefulSet, name: "${{{{ params.cluster }}}}"}}
    expect:
      - that: result.spec.updateStrategy.type == "OnDelete"
        else: "updateStrategy is ${{{{ result.spec.updateStrategy.type }}}}, not OnDelete"
      - that: result.metadata.name == params.cluster
"""
    if kind == "wait":
        return f"""  - id: {sid}
    title: Pod {i} of the cluster is ready again
    do: k8s.wait
    with: {{kind: Pod, name: "${{{{ params.cluster }}}}-{i % 3}", for: "ready"}}
    timeout: {r.choice(["2m", "5m"])}
    expect:
      - that: result.elapsed < duration("5m")
"""
    if kind == "list":
        return f"""  - id: {sid}
    title: List the pods of the cluster ({i})
    do: k8s.list
    with: {{kind: Pod, selector: "cluster-name=${{{{ params.cluster }}}},app=patroni"}}
    expect:
      - that: result.count >= params.min_members
        else: "only ${{{{ result.count }}}} pods match"
      - that: all(result.items, p => p.status.phase == "Running")
"""
    if kind == "log":
        return f"""  - id: {sid}
    title: Record the plan's progress ({i})
    do: log
    with: {{message: "step {i} of ${{{{ params.cluster }}}}: versions ${{{{ params.patroni_version }}}}"}}
"""
    if kind == "patch":
        return f"""  - id: {sid}
    title: Annotate the StatefulSet with the target version ({i})
    do: k8s.patch
    with:
      kind: StatefulSet
      name: "${{{{ params.cluster }}}}"
      patch: {{metadata: {{annotations: {{opsplan/target: "${{{{ params.patroni_version }}}}"}}}}}}
    require:
      - that: params.patroni_version =~ "^2\\\\."
        else: "only 2.x targets are annotated"
"""
    return f"""  - id: {sid}
    title: Confirm the maintenance window with the operator ({i})
    do: confirm
    with: {{prompt: "Continue with ${{{{ params.cluster }}}} (step {i})?"}}
"""


def synthetic(r, n):
    head = f"""# yaml-language-server: $schema=../schema/plan.schema.json
opsplan: 1
name: bench-plan-{n:04d}
summary: Upgrade Patroni on a cluster without an outage (generated plan {n})

params:
  cluster:          {{type: string, required: true, doc: "Patroni scope = StatefulSet name"}}
  patroni_version:  {{type: string, default: "2.0.1", match: '^\\d+\\.\\d+\\.\\d+$'}}
  max_lag_mb:       {{type: number, default: {r.randint(0, 16)}}}
  min_members:      {{type: number, default: 3}}

defaults: {{timeout: 2m, retry: {{attempts: 3, delay: 2s}}}}

steps:
"""
    body = []
    i = 0
    size = len(head)
    target = r.randint(6000, 10000)
    while size < target - 400:
        s = step_block(r, i)
        body.append(s)
        size += len(s)
        i += 1
    tail = """
finally:
  - id: done
    do: log
    with: {message: "plan finished for ${{ params.cluster }}"}
"""
    return head + "".join(body) + tail


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    template = sys.argv[3] if len(sys.argv) > 3 else None
    os.makedirs(out, exist_ok=True)
    text = open(template).read() if template and os.path.exists(template) else None
    r = random.Random(1508)
    for k in range(n):
        if text is not None:
            plan = re.sub(r"(?m)^name:.*$", f"name: bench-plan-{k:04d}", text, count=1)
        else:
            plan = synthetic(r, k)
        with open(os.path.join(out, f"plan-{k:04d}.yaml"), "w") as f:
            f.write(plan)


if __name__ == "__main__":
    main()
