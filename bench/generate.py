#!/usr/bin/env python3
"""Generates the runbooks the benchmarks measure. Usage: generate.py OUT_DIR"""
import os
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

HEADER = """rbx: 1
id: {id}
title: {title}
summary: Generated for benchmarks.
severity: SEV3
triggers: [Bench]
inputs:
  threshold: {{ type: integer, default: 1000 }}
steps:
"""


def write(name, text):
    with open(os.path.join(out, name), "w") as f:
        f.write(text)


# 10,000 steps of every common shape, for load + validate.
steps = []
for i in range(10_000):
    if i % 4 == 0:
        steps.append(f"""  - id: s{i}
    title: Step {i} measures something
    phase: diagnose
    shell: echo {{{{inputs.threshold}}}} {i}
    timeout: 10s
    expect: {{ path: $.stdout, matches: "^1000" }}
    capture: {{ v{i}: $.stdout }}
""")
    elif i % 4 == 1:
        steps.append(f"""  - id: s{i}
    title: Step {i} checks the previous one
    when: {{ path: $.steps.s{i-1}.outcome, equals: passed }}
    assert:
      - {{ path: $.vars.v{i-1}, exists: true, message: the value was captured }}
""")
    elif i % 4 == 2:
        steps.append(f"""  - id: s{i}
    title: Step {i} notes
    note: "value {{{{vars.v{i-2}}}}} at step {i}"
    retry: {{ attempts: 3, delay: 1s, backoff: exponential }}
""")
    else:
        steps.append(f"""  - id: s{i}
    title: Step {i} waits
    wait: 10ms
    on_failure: continue
""")
write("load-10k.yaml", HEADER.format(id="load-10k", title="10,000 steps to load") + "".join(steps))

# 10,000 assert-only steps, for engine overhead per step.
asserts = "".join(
    f"""  - id: a{i}
    assert: {{ path: $.inputs.threshold, lt: 2000 }}
"""
    for i in range(10_000)
)
write("assert-10k.yaml", HEADER.format(id="assert-10k", title="10,000 asserts") + asserts)

# 100 shell steps running `true`.
shells = "".join(f"  - id: t{i}\n    shell: \"true\"\n" for i in range(100))
write("shell-100.yaml", HEADER.format(id="shell-100", title="100 shell steps") + shells)

# One step, for cold start.
write(
    "for-each-200.yaml",
    HEADER.format(id="for-each-200", title="200 items, 50 at a time")
    + "  - id: items\n    for_each: \"{{range 0 200}}\"\n    parallel: 50\n    shell: sleep 0.1\n",
)
write("one-step.yaml", HEADER.format(id="one-step", title="one step") + "  - id: only\n    note: hello\n")
