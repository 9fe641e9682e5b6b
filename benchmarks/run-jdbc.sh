#!/usr/bin/env bash
# Builds the benchmarks (with the modules they use) and runs the JDBC suite: ours beside bare JDBC (and
# Bucket4j's PostgreSQL proxy) on PostgreSQL (127.0.0.1:5432, database test, schema "bench", dropped and
# re-created per trial) and on embedded H2, consume over users x shape x threads, and ingestion on both.
# Prints a Markdown table with the ratios; the table is also written to benchmarks/target/jdbc-results.md.
#
#   benchmarks/run-jdbc.sh                      # default: the matrix surveyed in one short round, the target
#                                               # points in two full rounds, ingestion two rounds (~22 min)
#   benchmarks/run-jdbc.sh -f 3                 # 3 full rounds at every point (hours); any JMH option passes
#                                               # through (-wi, -i, -r, -prof ...) and overrides the defaults
#   BENCH_WHERE="users=10000 threads=32" benchmarks/run-jdbc.sh   # a subset of the matrix
#   benchmarks/run-jdbc.sh --write-results      # also replace the generated block in benchmarks/RESULTS.md
#   BENCH_ONLY=Postgres benchmarks/run-jdbc.sh  # a subset, by regular expression on Class.method
#
# PostgreSQL connection: -Dbench.pg.url / bench.pg.user / bench.pg.password / bench.pg.schema via JAVA_OPTS.
exec "$(dirname "$0")/run-suite.sh" dev.usage.benchmarks.jdbc.JdbcSuite jdbc "$@"
