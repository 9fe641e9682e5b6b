/** JMH benchmarks of the library, and the suite machinery that runs the per-backend comparisons and reports their ratios. */
package dev.usage.benchmarks;
