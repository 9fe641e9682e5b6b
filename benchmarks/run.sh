#!/usr/bin/env bash
# Builds the benchmarks once (with the modules they use) and runs every suite in turn: memory, jdbc, redis,
# spring, analytics (see benchmarks/RESULTS.md for what each needs: PostgreSQL and Redis on loopback).
# Options pass through to every suite (--write-results, -f N, any JMH option); BENCH_SUITES picks suites.
# A suite that fails does not stop the others; the exit status says whether any failed.
#
#   benchmarks/run.sh                                  # all suites, their default options (~55-60 min on 2 cores)
#   benchmarks/run.sh --write-results                  # and replace each suite's generated block in RESULTS.md
#   BENCH_SUITES="memory redis" benchmarks/run.sh -f 5 # a subset of the suites, 5 rounds at every point
#   BENCH_WHERE="users=1 threads=1" benchmarks/run.sh -f 1 -wi 0 -i 1 -r 1   # a smoke run of every suite
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."

mvn -B -q -pl benchmarks -am package -DskipTests || exit 1

failed=()
for suite in ${BENCH_SUITES:-memory jdbc redis spring analytics}; do
  echo "=== $suite ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  if ! BENCH_SKIP_BUILD=true "$here/run-$suite.sh" "$@"; then
    failed+=("$suite")
  fi
done
if ((${#failed[@]})); then
  echo "Failed: ${failed[*]}" >&2
  exit 1
fi
