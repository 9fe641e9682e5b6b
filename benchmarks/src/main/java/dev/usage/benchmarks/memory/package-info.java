/** The in-memory suite: ours beside Bucket4j's local buckets and a bare map of counters, the caller-side cost of async tracking, and the heap per tracked user. */
package dev.usage.benchmarks.memory;
