#!/usr/bin/env bash
# Builds the benchmarks (with the modules they use) and runs the Redis suite: ours beside a bare EVALSHA of a
# minimal "INCRBY if below the limit" script (three counters and a key with three quotas) and Bucket4j's Lettuce
# proxy, over users x shape x threads, on the Redis at 127.0.0.1:6379 (each trial uses a key prefix of its own and deletes its keys with SCAN + DEL; never
# FLUSHALL). Prints a Markdown table with the ratios; the table is also written to
# benchmarks/target/redis-results.md.
#
#   benchmarks/run-redis.sh                      # default: the matrix surveyed in one short round, the two target
#                                                # points in two full rounds (~12.5 min)
#   benchmarks/run-redis.sh -f 3                 # 3 full rounds at every point (hours); any JMH option passes
#                                                # through (-wi, -i, -r, -prof ...) and overrides the defaults
#   BENCH_WHERE="users=10000 threads=32" benchmarks/run-redis.sh   # a subset of the matrix
#   benchmarks/run-redis.sh --write-results      # also replace the generated block in benchmarks/RESULTS.md
#   BENCH_ONLY='ours$|bare' benchmarks/run-redis.sh  # a subset, by regular expression on Class.method
#
# Redis server: -Dbench.redis.uri=redis://HOST:PORT via JAVA_OPTS.
exec "$(dirname "$0")/run-suite.sh" dev.usage.benchmarks.redis.RedisSuite redis "$@"
