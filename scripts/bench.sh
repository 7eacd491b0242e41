#!/usr/bin/env bash
# Runs the HTTP benchmarks (cmd/latch/bench_test.go) and prints each
# endpoint's median throughput as a ratio of the trivial JSON handler's,
# measured in the same run. BENCHMARKS.md records the results.
#
#   BENCH_COUNT=5 BENCH_TIME=3s ./scripts/bench.sh
#   LATCH_BENCH_POSTGRES=1 LATCH_TEST_POSTGRES_URL=postgres://… ./scripts/bench.sh   # on PostgreSQL
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -bench . -benchtime "${BENCH_TIME:-3s}" -count "${BENCH_COUNT:-5}" ./cmd/latch/ | tee "$out"
echo
echo "machine: $(nproc) cores, $(grep -m1 '^cpu:' "$out" | cut -d: -f2- | xargs), $(go version | cut -d' ' -f3)"
printf "%-32s %12s %10s\n" "benchmark" "median req/s" "vs baseline"
awk '
  /^Benchmark/ {
    name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
    for (i = 2; i < NF; i++) if ($(i+1) == "req/s") v[name] = v[name] " " $i
  }
  function median(s,   a, n, i, j, t) {
    n = split(s, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    base = median(v["BaselineJSON"])
    for (k in v) printf "%-32s %12.0f %10.2f\n", k, median(v[k]), median(v[k]) / base
  }' "$out" | sort
