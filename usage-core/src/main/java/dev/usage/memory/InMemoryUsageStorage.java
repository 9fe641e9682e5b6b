package dev.usage.memory;

import dev.usage.spi.CounterStore;
import dev.usage.spi.EventStore;
import dev.usage.spi.NotificationLedger;
import dev.usage.spi.PeriodHistoryStore;
import dev.usage.spi.StorageCapability;
import dev.usage.spi.UsageStorage;
import dev.usage.spi.UserQuotaStore;
import java.util.Set;

/**
 * Everything in this JVM's heap: the embedded default. Exact and thread-safe within one process; not
 * shared with other processes and not durable.
 */
public final class InMemoryUsageStorage implements UsageStorage {

  /** Events kept by {@link #create()}. */
  public static final int DEFAULT_EVENT_CAPACITY = 1_000_000;

  private final InMemoryCounterStore counters = new InMemoryCounterStore();
  private final InMemoryEventStore events;
  private final InMemoryUserQuotaStore userQuotas = new InMemoryUserQuotaStore();
  private final InMemoryPeriodHistoryStore history = new InMemoryPeriodHistoryStore();
  private final InMemoryNotificationLedger notifications = new InMemoryNotificationLedger();

  private InMemoryUsageStorage(int eventCapacity) {
    this.events = new InMemoryEventStore(eventCapacity, userQuotas);
  }

  /** A storage keeping up to {@value #DEFAULT_EVENT_CAPACITY} events. */
  public static InMemoryUsageStorage create() {
    return new InMemoryUsageStorage(DEFAULT_EVENT_CAPACITY);
  }

  /** A storage keeping up to {@code eventCapacity} events, forgetting the oldest past that. */
  public static InMemoryUsageStorage withEventCapacity(int eventCapacity) {
    return new InMemoryUsageStorage(eventCapacity);
  }

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
    return Set.of();
  }
}
