package dev.usage.benchmarks.jdbc;

/**
 * One side of a consume comparison: 1 request for one of {@code users} pre-created users, admitted.
 * Thread-safe; {@link #consume} throws when a consume is not admitted, so a benchmark can only measure
 * the success path.
 */
interface ConsumeSide extends AutoCloseable {

  /** Consumes 1 request for user number {@code user}. */
  void consume(int user);

  /**
   * Checks the database against what was measured: every admitted consume is in the counters, exactly
   * once. Throws when not.
   */
  void verify();

  @Override
  void close();
}
