#!/usr/bin/env bash
# What the journal costs a run: the engine benchmarks of bench/run.sh with the journal on (the
# default) and off (--no-journal), side by side in one hyperfine run, plus the in-process
# figure per step from `cargo bench -p rbx_journal --bench write`.
# The journal goes to bench/out/journal (on disk: a tmpfs would make fsync free).
# Usage: bench/journal.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
cargo build --release --locked -p rbx >&2
rbx="${CARGO_TARGET_DIR:-target}/release/rbx"
python3 bench/generate.py "$out"
export NO_COLOR=1
journal="$PWD/$out/journal"
mkdir -p "$journal"

echo "== machine"
echo "$(nproc) cores, $(uptime | sed 's/.*load average/load average/')"

echo "== 10,000 assert steps: journal on vs off"
hyperfine -N --warmup 2 --min-runs 10 --export-markdown "$out/journal-assert.md" \
  "$rbx run $out/assert-10k.yaml --format json --journal $journal" \
  "$rbx run $out/assert-10k.yaml --format json --no-journal"

echo "== 100 shell steps (each fsynced before it starts): journal on vs off"
hyperfine --warmup 2 --min-runs 10 --export-markdown "$out/journal-shell.md" \
  "$rbx run $out/shell-100.yaml --format json --journal $journal > /dev/null" \
  "$rbx run $out/shell-100.yaml --format json --no-journal > /dev/null"

echo "== one-step runbook: journal on vs off"
hyperfine -N --warmup 5 --min-runs 30 --export-markdown "$out/journal-cold.md" \
  "$rbx run $out/one-step.yaml --format json --journal $journal" \
  "$rbx run $out/one-step.yaml --format json --no-journal"

echo "== the writer alone, per step"
RBX_BENCH_DIR="$journal" cargo bench -q -p rbx_journal --bench write
rm -rf "$journal"
