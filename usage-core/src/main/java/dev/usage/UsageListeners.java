package dev.usage;

/** The listeners of one engine ({@link UsageEngine#listeners()}). Thread-safe. */
public interface UsageListeners {

  /**
   * Adds a listener; it receives what is published from now on. Registering the same listener twice makes
   * it receive everything twice.
   *
   * @return a handle whose {@link Registration#close()} removes this registration
   */
  Registration register(UsageListener listener);

  /** Dispatch counters. */
  ListenerStats stats();

  /** One registration; closing it removes it (idempotent). */
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
