package dev.usage.benchmarks;

/**
 * One side of a consume comparison: one consume (1 request, or what the side's benchmark says) for one of
 * {@code users} pre-created users, admitted. Thread-safe; {@link #consume} throws when a consume is not
 * admitted, so a benchmark can only measure the success path. Shared by the JDBC and Redis suites.
 */
public interface ConsumeSide extends AutoCloseable {

  /** One consume for user number {@code user}. */
  void consume(int user);

  /**
   * Checks the store against what was measured: every admitted consume is in the counters, exactly
   * once. Throws when not.
   */
  void verify();

  @Override
  void close();
}
