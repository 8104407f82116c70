#!/usr/bin/env bash
# Whole-command benchmarks, side by side in one run. Needs hyperfine (Debian package) and
# PyYAML with libyaml (pip install pyyaml) for the parse comparison.
# Usage: bench/run.sh            (writes its inputs to bench/out/)
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
cargo build --release --locked -p rbx >&2
rbx=target/release/rbx
python3 bench/generate.py "$out"
export NO_COLOR=1

echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"

echo "== load + validate a 10,000-step runbook ($(du -h $out/load-10k.yaml | cut -f1)), vs PyYAML's C loader parsing it"
# `rbx list` loads and validates; `rbx lint` also runs every lint rule over the result.
hyperfine -N --warmup 3 --min-runs 30 --export-markdown "$out/load.md" \
  "$rbx list $out/load-10k.yaml" \
  "$rbx lint $out/load-10k.yaml" \
  "python3 -c 'import yaml,sys; yaml.load(open(sys.argv[1]), Loader=yaml.CSafeLoader)' $out/load-10k.yaml"
echo "peak memory (KiB): rbx list $(/usr/bin/time -f %M $rbx list $out/load-10k.yaml 2>&1 >/dev/null | tail -n 1)," \
  "rbx lint $(/usr/bin/time -f %M $rbx lint $out/load-10k.yaml 2>&1 >/dev/null | tail -n 1)"

echo "== run 10,000 assert steps (JSON output to /dev/null)"
hyperfine -N --warmup 2 --min-runs 10 --export-markdown "$out/assert.md" \
  "$rbx run $out/assert-10k.yaml --format json"

echo "== 100 shell steps running true, vs a bash loop of sh -c true"
hyperfine --warmup 2 --min-runs 10 --export-markdown "$out/shell.md" \
  "$rbx run $out/shell-100.yaml --format json > /dev/null" \
  "bash -c 'for i in \$(seq 100); do sh -c true; done'"

echo "== for_each: 200 items of \`sleep 0.1\`, parallel: 50 (the floor is 4 waves of 100 ms)"
hyperfine -N --warmup 1 --min-runs 10 --export-markdown "$out/for-each.md" \
  "$rbx run $out/for-each-200.yaml --format json"

echo "== one-step runbook, process start to exit"
hyperfine -N --warmup 5 --min-runs 30 --export-markdown "$out/cold.md" \
  "$rbx run $out/one-step.yaml --format json"
