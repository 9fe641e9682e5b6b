/** JMH benchmarks of the JDBC storage beside bare JDBC statements on the same pool, and the suite that compares them. */
package dev.usage.benchmarks.jdbc;
