#!/usr/bin/env bash
# `rbx lint` on 1,000 generated runbooks of 50 steps each (without --shellcheck), side by side
# with yamllint on the same files. Needs hyperfine and yamllint (Debian packages); without
# hyperfine each command is timed once with `time`, without yamllint only rbx is timed.
# Usage: bench/lint.sh        (writes the runbooks to bench/out/lint/)
# Targets (issue 8): under 1 s, and at most a tenth of yamllint's time.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/lint
cargo build --release --locked -p rbx >&2
rbx="${CARGO_TARGET_DIR:-target}/release/rbx"
export NO_COLOR=1

rm -rf "$out" && mkdir -p "$out"
python3 - "$out" <<'PY'
import sys
out = sys.argv[1]
for n in range(1000):
    lines = [
        "rbx: 1", f"id: generated-{n:04d}", f"title: Generated runbook {n}",
        "summary: A generated runbook for the lint benchmark.", "severity: SEV3",
        f"triggers: [GeneratedAlert{n}]",
        "inputs:", "  host: { default: web-1, pattern: \"^[a-z0-9-]+$\" }", "  limit: { type: integer, default: 90 }",
        "secrets:", "  token: { env: API_TOKEN }",
        "connections:", "  api: { http: { base_url: \"https://api.example.com/v1\", headers: { Authorization: \"Bearer {{secrets.token}}\" } } }",
        "defaults: { timeout: 30s }", "steps:",
    ]
    for s in range(50):
        kind = s % 3
        lines += [f"  - id: step_{s}", f"    title: Step {s} of the generated runbook", "    phase: diagnose"]
        if kind == 0:
            lines += [f"    shell: df -P /srv/{s} | awk 'NR==2 {{ print $5 }}' && echo {{{{inputs.host}}}}",
                      "    expect: { path: $.exit_code, equals: 0 }", f"    capture: {{ used_{s}: $.stdout }}"]
        elif kind == 1:
            lines += [f"    http: {{ connection: api, path: \"/hosts/{{{{inputs.host}}}}/checks/{s}\", query: {{ limit: \"10\" }} }}",
                      "    expect: [ { path: $.status, lt: 400 }, { path: $.json.items, type: array } ]"]
        else:
            lines += [f"    assert: {{ path: $.vars.used_{s - 2}, lt: \"{{{{inputs.limit}}}}\", message: above the limit }}"]
    with open(f"{out}/rb-{n:04d}.yaml", "w") as f:
        f.write("\n".join(lines) + "\n")
PY
echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
echo "== $(ls "$out" | wc -l) runbooks, $(du -sh "$out" | cut -f1), $(cat "$out"/*.yaml | wc -l) lines"
echo "rbx lint says: $("$rbx" lint "$out" 2>&1 >/dev/null | tail -n 1)"

commands=("$rbx lint $out")
if command -v yamllint >/dev/null; then
  echo "yamllint $(yamllint --version | awk '{print $2}')"
  commands+=("yamllint $out")
else
  echo "yamllint is not installed: timing rbx only"
fi
if command -v hyperfine >/dev/null; then
  hyperfine -N -i --warmup 1 --min-runs 5 --export-markdown "$out/../lint.md" "${commands[@]}"
else
  for command in "${commands[@]}"; do
    echo "== $command"
    ( time $command >/dev/null 2>&1 ) 2>&1 | grep real || true
  done
fi
