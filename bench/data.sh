#!/usr/bin/env bash
# Data-step benchmarks (issue 7), side by side in one run where hurl is installed:
#   - 1,000 pooled PostgreSQL selects in one runbook (target: under 1 s);
#   - 1,000 sequential GETs with a JSONPath check against the fake MaintainX API, and the same
#     requests with hurl 8.0.1 when `hurl` is on PATH (target: rbx at most hurl's time);
#   - one GET with 1,000 expectations (target: at most hurl's);
#   - a one-GET runbook's cold start (target: at most hurl's).
# rbx runs with `--no-journal` (hurl writes nothing to disk either) and, beside it, with its
# journal on, so the journal's cost is visible. Before timing, each command runs once and the
# fake says how many requests it received, so both tools are seen making the same requests.
# Needs hyperfine, curl and PostgreSQL (RBX_TEST_PG_URL, default
# postgres://postgres@127.0.0.1:5432/test). hurl 8.0.1: apt-get install libcurl4-openssl-dev
# libxml2-dev pkg-config libclang-dev clang, then cargo install hurl --version 8.0.1 --locked.
# Usage: bench/data.sh        (writes its inputs and hyperfine's JSON to bench/out/data/)
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/data
target="${CARGO_TARGET_DIR:-target}"
# Two builds: built together, rbx would get the fake server's extra dependency features and not
# be the binary `cargo build --release -p rbx` makes.
cargo build --release --locked -p rbx >&2
cargo build --release --locked -p rbx_fake >&2
rbx="$target/release/rbx"
fake="$target/release/rbx-fake-maintainx"
pg="${RBX_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
export NO_COLOR=1
rm -rf "$out" && mkdir -p "$out"
# The journal of the journal-on runs stays under bench/out, not in the user's state directory.
export RBX_JOURNAL_DIR="$PWD/$out/journal"

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

# The same checks on both sides: status 200 and the body's `$.status` equal to "ok". An
# `expect` replaces rbx's default expectation (status < 400), so rbx checks the status itself.
cat > "$out/get-1000.yaml" <<YAML
rbx: 1
id: get-1000
title: 1,000 GETs with a JSONPath check
steps:
  - id: gets
    for_each: "{{range 0 1000}}"
    http: { url: "$base/health" }
    expect:
      - { path: "\$.status", equals: 200 }
      - { path: "\$.json.status", equals: ok }
YAML

cat > "$out/get-1.yaml" <<YAML
rbx: 1
id: get-1
title: one GET
steps:
  - id: get
    http: { url: "$base/health" }
    expect:
      - { path: "\$.status", equals: 200 }
      - { path: "\$.json.status", equals: ok }
YAML

{
  printf 'rbx: 1\nid: get-1000-checks\ntitle: one GET, 1,000 expectations\nsteps:\n'
  printf '  - id: get\n    http: { url: "%s/health" }\n    expect:\n' "$base"
  printf '      - { path: "$.status", equals: 200 }\n'
  for _ in $(seq 1000); do printf '      - { path: "$.json.status", equals: ok }\n'; done
} > "$out/get-1000-checks.yaml"

hurl_entry() { printf 'GET %s/health\nHTTP 200\n[Asserts]\njsonpath "$.status" == "ok"\n' "$base"; }
for _ in $(seq 1000); do hurl_entry; echo; done > "$out/get-1000.hurl"
hurl_entry > "$out/get-1.hurl"
{
  printf 'GET %s/health\nHTTP 200\n[Asserts]\n' "$base"
  for _ in $(seq 1000); do echo 'jsonpath "$.status" == "ok"'; done
} > "$out/get-1000-checks.hurl"

has_hurl() { command -v hurl >/dev/null; }

# How many requests the fake recorded since the last call (the call clears them).
requests_since_last() { curl -sf -X DELETE "$base/__fake/requests" | sed 's/.*"cleared":\([0-9]*\).*/\1/'; }

# The requests one run of a command makes; a failing command stops the benchmark.
requests_of() {
  requests_since_last >/dev/null
  $1 >/dev/null 2>&1 || { echo "failed: $1" >&2; exit 1; }
  requests_since_last
}

# One comparison: rbx without and with its journal, then hurl when installed.
compare() {
  local title=$1 name=$2 warmup=$3 runs=$4
  local commands=("$rbx run $out/$name.yaml --format json --no-journal" "$rbx run $out/$name.yaml --format json")
  if has_hurl; then commands+=("hurl --test $out/$name.hurl"); fi
  echo "== $title"
  local command count
  for command in "${commands[@]}"; do
    count=$(requests_of "$command")
    echo "requests made by \`$command\`: $count"
  done
  hyperfine -N --warmup "$warmup" --min-runs "$runs" --export-json "$out/$name.json" "${commands[@]}"
}

echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
if has_hurl; then hurl --version | head -n 1; else echo "hurl is not on PATH: rbx alone"; fi

echo "== 1,000 pooled PostgreSQL selects in one runbook (target < 1 s)"
hyperfine -N --warmup 1 --min-runs 5 --export-json "$out/pg-1000.json" \
  "$rbx run $out/pg-1000.yaml --format json --no-journal" "$rbx run $out/pg-1000.yaml --format json"

compare "1,000 sequential GETs with a JSONPath check (target: rbx at most hurl)" get-1000 1 10
compare "one GET with 1,000 expectations (target: rbx at most hurl)" get-1000-checks 3 20
compare "one GET, cold start (target: rbx at most hurl)" get-1 5 40
