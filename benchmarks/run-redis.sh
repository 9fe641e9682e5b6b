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
exec "$(dirname "$0")/run-suite.sh" dev.usage.benchmarks.redis.RedisSuite redis "$@"
