/** Analytics benchmarks of issue 6 on PostgreSQL: user usage, user reports and system analytics against a hand-written statement. */
package dev.usage.benchmarks.analytics;
