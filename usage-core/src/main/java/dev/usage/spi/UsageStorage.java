package dev.usage.spi;

import dev.usage.UsageListener;
import dev.usage.memory.InMemoryNotificationLedger;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A complete backend: counters, event log, user settings and period history. One technology may provide all three, or
 * a composite may take the hot path from one (Redis) and the rest from another (PostgreSQL).
 * {@link #close()} is called by the engine after it has flushed its buffered events.
 */
public interface UsageStorage extends AutoCloseable {

  CounterStore counters();

  EventStore events();

  UserQuotaStore userQuotas();

  PeriodHistoryStore history();

  /** The notifications sent, so that each goes out once. */
  NotificationLedger notifications();

  /** What this storage offers beyond the required contract. */
  Set<StorageCapability> capabilities();

  /**
   * Listeners that an engine built over this storage registers from the start: parts of the storage that follow
   * what the engine does, such as a live feed publishing every quota change to other instances. They are told
   * what the engine's own listeners are ({@link dev.usage.UsageListener}), on the engine's listener thread.
   * None by default.
   */
  default List<UsageListener> listeners() {
    return List.of();
  }

  /** Releases what the storage itself opened; never what the host application passed in. */
  @Override
  default void close() {}

  /**
   * A storage made of parts, which may come from different backends. Its capabilities are those given: give
   * {@link StorageCapability#CHECKS_SETTINGS_VERSION} only when {@code counters} checks versions against this
   * {@code userQuotas} (the counters and settings of one storage), or the engine would trust cached settings the
   * counter store cannot vouch for. Closing it closes nothing (the parts belong to the caller). Notifications are
   * recorded in this process only ({@link InMemoryNotificationLedger}). It has no {@link #listeners()}: register
   * those of the storages the parts come from with the engine ({@code UsageEngine.Builder.listener}).
   */
  static UsageStorage composite(CounterStore counters, EventStore events, UserQuotaStore userQuotas,
      PeriodHistoryStore history, Set<StorageCapability> capabilities) {
    return composite(counters, events, userQuotas, history, new InMemoryNotificationLedger(), capabilities);
  }

  /**
   * A storage made of parts, which may come from different backends, with its notification ledger. Its
   * capabilities are those given; closing it closes nothing (the parts belong to the caller). It has no
   * {@link #listeners()}: register those of the storages the parts come from with the engine
   * ({@code UsageEngine.Builder.listener}).
   */
  static UsageStorage composite(CounterStore counters, EventStore events, UserQuotaStore userQuotas,
      PeriodHistoryStore history, NotificationLedger notifications, Set<StorageCapability> capabilities) {
    Objects.requireNonNull(counters, "counters");
    Objects.requireNonNull(notifications, "notifications");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(userQuotas, "userQuotas");
    Objects.requireNonNull(history, "history");
    Set<StorageCapability> caps = capabilities.isEmpty()
        ? EnumSet.noneOf(StorageCapability.class) : EnumSet.copyOf(capabilities);
    return new UsageStorage() {
      @Override
      public CounterStore counters() {
        return counters;
      }

      @Override
      public EventStore events() {
        return events;
      }

      @Override
      public UserQuotaStore userQuotas() {
        return userQuotas;
      }

      @Override
      public PeriodHistoryStore history() {
        return history;
      }

      @Override
      public NotificationLedger notifications() {
        return notifications;
      }

      @Override
      public Set<StorageCapability> capabilities() {
        return java.util.Collections.unmodifiableSet(caps);
      }
    };
  }
}
