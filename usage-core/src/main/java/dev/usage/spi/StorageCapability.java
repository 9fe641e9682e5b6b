package dev.usage.spi;

/** Optional properties of a storage; the contract kit runs the tests of those declared. */
public enum StorageCapability {
  /** Several processes may share the store; they see each other's counters at once (two-JVM tests). */
  SHARED_ACROSS_PROCESSES,
  /** What is written survives a restart of the application. */
  DURABLE,
  /**
   * The counter store checks {@link ConsumeCommand#settingsVersion()} against the user settings store in the
   * same atomic step as the consume. The engine then caches users' settings and still applies a change made
   * by any process to the next consume.
   */
  CHECKS_SETTINGS_VERSION
}
