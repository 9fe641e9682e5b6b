package dev.usage.benchmarks.memory;

/**
 * One side of the in-memory consume comparison. Thread-safe; {@link #consume} throws when a consume is not
 * admitted, so a benchmark can only measure the success path.
 */
interface LocalSide extends AutoCloseable {

  /** One consume for user number {@code user}; {@code key} is the idempotency key (null for one quota). */
  void consume(int user, String key);

  /**
   * Checks the counters against what was measured: every admitted consume is counted exactly once, every
   * user has its counters, and (three quotas) a key sent again counts nothing. Throws when not.
   */
  void verify();

  @Override
  void close();
}
