/** JMH benchmarks of the Redis storage beside a bare Lua script (and Bucket4j) on the same kind of Lettuce connection, and the suite that compares them. */
package dev.usage.benchmarks.redis;
