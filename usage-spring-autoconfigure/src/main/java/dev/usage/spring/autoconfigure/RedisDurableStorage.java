package dev.usage.spring.autoconfigure;

import dev.usage.spi.UsageStorage;
import java.util.Optional;

/**
 * The stores beside a Redis store's counters, chosen by {@code usage.redis.durable-store}: none (everything on
 * Redis), or a SQL storage over the host's DataSource that holds the event log (which counters Redis lost are
 * rebuilt from), the closed periods and, with {@code usage.redis.durable-settings=true}, users' settings with
 * their audit trail. A bean of its own so that Spring closes it after the engine that writes to it and before
 * the DataSource under it.
 */
public final class RedisDurableStorage implements AutoCloseable {

  private static final RedisDurableStorage NONE = new RedisDurableStorage(Optional.empty(), false);

  private final Optional<UsageStorage> storage;
  private final boolean settings;

  private RedisDurableStorage(Optional<UsageStorage> storage, boolean settings) {
    this.storage = storage;
    this.settings = settings;
  }

  /** Everything on Redis. */
  public static RedisDurableStorage none() {
    return NONE;
  }

  /**
   * The event log, closed periods and (if {@code settings}) users' settings with their audit trail from
   * {@code storage}, which this object closes.
   */
  public static RedisDurableStorage of(UsageStorage storage, boolean settings) {
    return new RedisDurableStorage(Optional.of(storage), settings);
  }

  /** The durable storage, if any. */
  public Optional<UsageStorage> storage() {
    return storage;
  }

  /** Whether users' settings and their audit trail are kept in the durable storage too. */
  public boolean settings() {
    return settings;
  }

  /** Closes the durable storage (never the DataSource under it). */
  @Override
  public void close() {
    storage.ifPresent(UsageStorage::close);
  }
}
