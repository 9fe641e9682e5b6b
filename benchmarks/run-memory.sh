#!/usr/bin/env bash
# Builds the benchmarks (with the modules they use) and runs the in-memory suite: ours (the engine over the
# in-memory storage) beside Bucket4j 8.14's local buckets and a bare ConcurrentHashMap of AtomicLong, over
# users 1 and 10,000, one quota and three quotas with an idempotency key, and 1, 2, 8 and 32 threads; the
# caller-side cost of trackUsage in ASYNC mode (sample mode: mean and percentiles); then, in a fresh JVM, the
# heap per tracked user with 100,000 active users. No server is needed. Prints a Markdown table with the
# ratios; the table is also written to benchmarks/target/memory-results.md.
#
#   benchmarks/run-memory.sh                      # default: the matrix surveyed in one short round, the target
#                                                 # point in three full rounds, trackUsage two (~8 min)
#   benchmarks/run-memory.sh -f 2 -wi 2 -w 1 -i 3 -r 1   # shorter; any JMH option passes through (-prof ...)
#   benchmarks/run-memory.sh --write-results      # also replace the generated block in benchmarks/RESULTS.md
#   BENCH_ONLY='MemoryConsume' benchmarks/run-memory.sh   # a subset, by regular expression on Class.method
#   JAVA_OPTS=-Dbench.memory.heap=false benchmarks/run-memory.sh   # without the heap measurement
exec "$(dirname "$0")/run-suite.sh" dev.usage.benchmarks.memory.MemorySuite memory "$@"
