#!/usr/bin/env bash
# Builds the benchmarks (with the modules they use) and runs the Redis suite: ours beside a bare EVALSHA of a
# minimal "INCRBY if below the limit" script, and Bucket4j's Lettuce proxy as a diagnostic, on the Redis at
# 127.0.0.1:6379 (each trial uses a key prefix of its own and deletes its keys with SCAN + DEL; never
# FLUSHALL). Prints a Markdown table with the ratios; the table is also written to
# benchmarks/target/redis-results.md.
#
#   benchmarks/run-redis.sh                      # default: 3 interleaved rounds (forks) per benchmark
#   benchmarks/run-redis.sh -f 5                 # more rounds; any JMH option passes through (-wi, -i, -r, -prof ...)
#   benchmarks/run-redis.sh --write-results      # also replace the generated block in benchmarks/RESULTS.md
#   BENCH_ONLY='ours$|bare' benchmarks/run-redis.sh  # a subset, by regular expression on Class.method
#
# Redis server: -Dbench.redis.uri=redis://HOST:PORT via JAVA_OPTS.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

write_results=false
args=()
for a in "$@"; do
  if [[ "$a" == "--write-results" ]]; then write_results=true; else args+=("$a"); fi
done

mvn -B -q -pl benchmarks -am package -DskipTests

props=(-Dbench.out="$root/benchmarks/target/redis-results.md" -Dbench.only="${BENCH_ONLY:-.*}")
if $write_results; then props+=(-Dbench.results="$root/benchmarks/RESULTS.md"); fi
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} "${props[@]}" -cp "$root/benchmarks/target/benchmarks.jar" \
  dev.usage.benchmarks.redis.RedisSuite "${args[@]}"
