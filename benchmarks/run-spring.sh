#!/usr/bin/env bash
# Builds the benchmarks (with the modules they use) and runs the Spring suite: a @QuotaGuard'ed Spring MVC
# endpoint (in-memory store) beside the same endpoint unguarded, served over loopback HTTP by embedded Tomcat
# (the target) and called in-process through MockMvc (a diagnostic).
# Prints a Markdown table with the ratio; the table is also written to benchmarks/target/spring-results.md.
#
#   benchmarks/run-spring.sh                     # default: 2 interleaved rounds (forks) over HTTP, 1 in-process (~3.5 min)
#   benchmarks/run-spring.sh --write-results     # also replace the generated block in benchmarks/RESULTS.md
exec "$(dirname "$0")/run-suite.sh" dev.usage.benchmarks.spring.SpringSuite spring "$@"
