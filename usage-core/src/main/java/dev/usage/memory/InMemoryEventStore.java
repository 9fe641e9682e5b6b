package dev.usage.memory;

import dev.usage.QuotaType;
import dev.usage.SystemUsage;
import dev.usage.UsageEvent;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventStore;
import dev.usage.spi.UserQuotaStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The event log in this JVM's heap, bounded: past {@code capacity} events the oldest stored are
 * forgotten (and their ids with them). Thread-safe. Queries scan every event; fine for a laptop, not
 * for history of production size.
 */
public final class InMemoryEventStore implements EventStore {

  private record Key(String userId, String eventId) {}

  private final int capacity;
  private final ConcurrentHashMap<Key, UsageEvent> events = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Key> order = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();

  private final InMemoryEventAnalytics analytics;

  /** A log of up to {@code capacity} events; its analytics count every user in the query's default tier. */
  public InMemoryEventStore(int capacity) {
    this(capacity, Optional.empty());
  }

  /** As {@link #InMemoryEventStore(int)}, with users' tiers taken from {@code settings}. */
  public InMemoryEventStore(int capacity, UserQuotaStore settings) {
    this(capacity, Optional.of(settings));
  }

  private InMemoryEventStore(int capacity, Optional<UserQuotaStore> settings) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, was " + capacity);
    }
    this.capacity = capacity;
    this.analytics = new InMemoryEventAnalytics(events.values(), settings);
  }

  @Override
  public Optional<EventAnalytics> analytics() {
    return Optional.of(analytics);
  }

  @Override
  public int append(List<UsageEvent> batch) {
    int added = 0;
    for (UsageEvent e : batch) {
      Key k = new Key(e.userId(), e.eventId());
      if (events.putIfAbsent(k, e) == null) {
        order.add(k);
        added++;
        if (size.incrementAndGet() > capacity) {
          Key oldest = order.poll();
          if (oldest != null && events.remove(oldest) != null) {
            size.decrementAndGet();
          }
        }
      }
    }
    return added;
  }

  @Override
  public SystemUsage systemUsage(Instant from, Instant to) {
    long count = 0;
    long failed = 0;
    Set<String> users = new HashSet<>();
    Map<QuotaType, Long> totals = new TreeMap<>();
    for (UsageEvent e : events.values()) {
      if (within(e.occurredAt(), from, to)) {
        count++;
        if (!e.success()) {
          failed++;
        }
        users.add(e.userId());
        e.quantities().forEach((t, v) -> totals.merge(t, v, Math::addExact));
      }
    }
    return new SystemUsage(from, to, count, failed, users.size(), totals);
  }

  @Override
  public Map<QuotaType, Long> userTotals(String userId, Instant from, Instant to) {
    Map<QuotaType, Long> totals = new TreeMap<>();
    for (UsageEvent e : events.values()) {
      if (e.userId().equals(userId) && within(e.occurredAt(), from, to)) {
        e.quantities().forEach((t, v) -> totals.merge(t, v, Math::addExact));
      }
    }
    return totals;
  }

  /** {@code from <= at < to} at the microsecond, as every store compares (see {@link EventStore}). */
  static boolean within(Instant at, Instant from, Instant to) {
    Instant t = at.truncatedTo(ChronoUnit.MICROS);
    return !t.isBefore(from.truncatedTo(ChronoUnit.MICROS)) && t.isBefore(to.truncatedTo(ChronoUnit.MICROS));
  }
}
