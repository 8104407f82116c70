#!/usr/bin/env bash
# Data-step benchmarks (issue 7), side by side in one run where the other tool is installed:
#   - 1,000 pooled PostgreSQL selects in one runbook (target: under 1 s);
#   - 1,000 sequential GETs with a JSONPath check against the fake MaintainX API, and the same
#     requests with hurl 8.0.1 when `hurl` is on PATH (target: rbx at most hurl's time);
#   - a one-GET runbook's cold start (and hurl's).
# Needs hyperfine and PostgreSQL (RBX_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/test).
# Usage: bench/data.sh        (writes its inputs to bench/out/data/)
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/data
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --locked -p rbx -p rbx_fake >&2
rbx="$target/release/rbx"
fake="$target/release/rbx-fake-maintainx"
pg="${RBX_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
export NO_COLOR=1
rm -rf "$out" && mkdir -p "$out"

"$fake" > "$out/fake.log" &
fake_pid=$!
trap 'kill $fake_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q listening "$out/fake.log" && break; sleep 0.05; done
base=$(sed -n 's/^listening on //p' "$out/fake.log")

cat > "$out/pg-1000.yaml" <<YAML
rbx: 1
id: pg-1000
title: 1,000 pooled PostgreSQL selects
steps:
  - id: selects
    for_each: "{{range 0 1000}}"
    sql: { url: "$pg", query: "SELECT \$1::int AS n", params: ["{{item}}"] }
    expect: { path: "\$.rows[0].n", equals: "{{item}}" }
YAML

cat > "$out/get-1000.yaml" <<YAML
rbx: 1
id: get-1000
title: 1,000 GETs with a JSONPath check
steps:
  - id: gets
    for_each: "{{range 0 1000}}"
    http: { url: "$base/health" }
    expect: { path: "\$.json.status", equals: ok }
YAML

cat > "$out/get-1.yaml" <<YAML
rbx: 1
id: get-1
title: one GET
steps:
  - id: get
    http: { url: "$base/health" }
    expect: { path: "\$.json.status", equals: ok }
YAML

python3 - "$out/get-1000-checks.yaml" "$base" <<'PY'
import sys
path, base = sys.argv[1], sys.argv[2]
checks = "".join(f'      - {{ path: "$.json.status", equals: ok }}\n' for _ in range(1000))
open(path, "w").write(
    "rbx: 1\nid: get-1000-checks\ntitle: one GET, 1,000 expectations\nsteps:\n"
    f"  - id: get\n    http: {{ url: \"{base}/health\" }}\n    expect:\n" + checks
)
PY

echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== 1,000 pooled PostgreSQL selects in one runbook (target < 1 s)"
hyperfine -N --warmup 1 --min-runs 5 "$rbx run $out/pg-1000.yaml --format json --no-journal"

if command -v hurl >/dev/null; then
  for _ in $(seq 1000); do printf 'GET %s/health\nHTTP 200\n[Asserts]\njsonpath "$.status" == "ok"\n\n' "$base"; done > "$out/get-1000.hurl"
  printf 'GET %s/health\nHTTP 200\n[Asserts]\njsonpath "$.status" == "ok"\n' "$base" > "$out/get-1.hurl"
  echo "== 1,000 sequential GETs with a JSONPath check: rbx vs hurl"
  hyperfine -N --warmup 1 --min-runs 5 "$rbx run $out/get-1000.yaml --format json --no-journal" "hurl --test $out/get-1000.hurl"
  { printf 'GET %s/health\nHTTP 200\n[Asserts]\n' "$base"; for _ in $(seq 1000); do echo 'jsonpath "$.status" == "ok"'; done; } > "$out/get-1000-checks.hurl"
  echo "== one GET with 1,000 expectations: rbx vs hurl"
  hyperfine -N --warmup 2 --min-runs 10 "$rbx run $out/get-1000-checks.yaml --format json --no-journal" "hurl --test $out/get-1000-checks.hurl"
  echo "== one GET, cold start: rbx vs hurl"
  hyperfine -N --warmup 3 --min-runs 20 "$rbx run $out/get-1.yaml --format json --no-journal" "hurl --test $out/get-1.hurl"
else
  echo "== 1,000 sequential GETs with a JSONPath check (hurl not installed: rbx alone)"
  hyperfine -N --warmup 1 --min-runs 5 "$rbx run $out/get-1000.yaml --format json --no-journal"
  echo "== one GET with 1,000 expectations (hurl not installed: rbx alone)"
  hyperfine -N --warmup 2 --min-runs 10 "$rbx run $out/get-1000-checks.yaml --format json --no-journal"
  echo "== one GET, cold start (hurl not installed: rbx alone)"
  hyperfine -N --warmup 3 --min-runs 20 "$rbx run $out/get-1.yaml --format json --no-journal"
fi
