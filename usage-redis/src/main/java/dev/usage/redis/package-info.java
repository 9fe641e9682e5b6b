/**
 * Storage on Redis, standalone and Cluster, through Lettuce: {@link dev.usage.redis.RedisUsageStorage} is
 * the entry point. The quota hot path is one Lua script per decision on the keys of one user (one hash tag,
 * one Cluster slot); the event log, settings, audit trail and history may live here or in a SQL store.
 */
package dev.usage.redis;
