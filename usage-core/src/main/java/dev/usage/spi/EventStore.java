package dev.usage.spi;

import dev.usage.QuotaType;
import dev.usage.SystemUsage;
import dev.usage.UsageEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The event log. Thread-safe. Appends are idempotent by event id: an id already stored is skipped, its
 * first version kept.
 *
 * <p>Instants are kept to the microsecond: ranges ({@code from <= occurredAt < to}) compare an event's time and
 * both bounds truncated to the microsecond, so that every store counts the same events for the same range.
 */
public interface EventStore {

  /**
   * Stores the events whose ids are not stored yet, as one batch where the backend allows.
   *
   * @return how many were new
   * @throws dev.usage.UsageStorageException the backend failed; none, some or all may have been stored,
   *     and appending the same batch again is safe
   */
  int append(List<UsageEvent> events);

  /** Totals over all users' events with {@code from <= occurredAt < to}. */
  SystemUsage systemUsage(Instant from, Instant to);

  /** One user's units by quota type over events with {@code from <= occurredAt < to}. */
  Map<QuotaType, Long> userTotals(String userId, Instant from, Instant to);

  /** Queries over this log computed by the backend, when it offers them. */
  default Optional<EventAnalytics> analytics() {
    return Optional.empty();
  }
}
