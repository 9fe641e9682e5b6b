package dev.usage.spi;

/** Optional properties of a storage; the contract kit runs the tests of those declared. */
public enum StorageCapability {
  /** Several processes may share the store; they see each other's counters at once (two-JVM tests). */
  SHARED_ACROSS_PROCESSES,
  /** What is written survives a restart of the application. */
  DURABLE
}
