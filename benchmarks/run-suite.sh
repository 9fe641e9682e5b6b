#!/usr/bin/env bash
# Shared by the run-<suite>.sh scripts: builds the benchmarks (with the modules they use) and runs one
# suite's main class, writing its Markdown table to benchmarks/target/<name>-results.md.
#
#   benchmarks/run-suite.sh MAIN_CLASS NAME [--write-results] [JMH options...]
#
# BENCH_ONLY=REGEX picks benchmarks by Class.method; BENCH_WHERE="users=1 threads=8" picks points of the suites'
# matrices (JMH parameters and threads). BENCH_SKIP_BUILD=true skips the build (benchmarks/run.sh builds once
# for all suites).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

main="$1"
name="$2"
shift 2
write_results=false
args=()
for a in "$@"; do
  if [[ "$a" == "--write-results" ]]; then write_results=true; else args+=("$a"); fi
done

if [[ "${BENCH_SKIP_BUILD:-false}" != "true" ]]; then
  mvn -B -q -pl benchmarks -am package -DskipTests
fi

props=(-Dbench.out="$root/benchmarks/target/$name-results.md" -Dbench.only="${BENCH_ONLY:-.*}"
  -Dbench.where="${BENCH_WHERE:-}")
if $write_results; then props+=(-Dbench.results="$root/benchmarks/RESULTS.md"); fi
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} "${props[@]}" -cp "$root/benchmarks/target/benchmarks.jar" "$main" "${args[@]}"
