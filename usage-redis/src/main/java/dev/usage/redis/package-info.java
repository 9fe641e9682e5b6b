/**
 * Redis storage (standalone and Cluster) for the quota hot path. Placeholder until the Redis storage
 * work lands: the module compiles and resolves its dependencies, and holds no storage yet.
 */
package dev.usage.redis;
