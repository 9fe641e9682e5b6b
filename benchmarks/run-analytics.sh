#!/usr/bin/env bash
# Builds the benchmarks (with the modules they use) and runs the analytics suite of issue 6 on PostgreSQL
# (127.0.0.1:5432, database test, schema "bench_analytics"): getUserUsage, a user's current-month totals and
# report, and getSystemAnalytics beside the best hand-written single statement for the same figures. Prints a
# Markdown table with the ratio and the bounds; the table is also written to benchmarks/target/analytics-results.md.
#
# The data set (10,000,000 events by default) is loaded on the first run and reused by later runs with the same
# size and seed (a marker row in bench_analytics.bench_dataset says so).
#
#   benchmarks/run-analytics.sh                         # default: 10,000,000 events, 2 interleaved rounds (forks)
#   JAVA_OPTS=-Dbench.analytics.events=1000000 benchmarks/run-analytics.sh   # a quick run on 1,000,000 events
#   JAVA_OPTS=-Dbench.analytics.reload=true benchmarks/run-analytics.sh      # load the data set again
#   benchmarks/run-analytics.sh --explain               # first write EXPLAIN ANALYZE of getSystemAnalytics's statements
#                                                       # and of the hand query to benchmarks/target/analytics-explain.txt
#   benchmarks/run-analytics.sh --explain-only          # only that (and the load and checks)
#   benchmarks/run-analytics.sh -f 5 --write-results    # more rounds; replace the generated block in RESULTS.md
#   BENCH_ONLY=system benchmarks/run-analytics.sh       # a subset, by regular expression on Class.method
#
# Other properties (JAVA_OPTS): bench.analytics.seed (42), bench.analytics.schema (bench_analytics),
# bench.pg.url / bench.pg.user / bench.pg.password. JMH forks inherit them.
exec "$(dirname "$0")/run-suite.sh" dev.usage.benchmarks.analytics.AnalyticsSuite analytics "$@"
