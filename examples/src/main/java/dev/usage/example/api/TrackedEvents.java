package dev.usage.example.api;

import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.spring.annotation.QuotaGuard;
import dev.usage.spring.annotation.QuotaGuard.Amount;
import org.springframework.stereotype.Service;

/**
 * Records usage reported by the host through {@code POST /api/usage/track}. Each event recorded costs one unit of
 * the signed-in user's daily {@code tracked-events} quota, so a runaway client is refused with 429 instead of
 * filling the event log. An event the store could not record (503) costs nothing, unless the client gave it an
 * idempotency key: then it costs its unit, and its retry under the key records it at no further cost (one unit in
 * all).
 */
@Service
public class TrackedEvents {

  private final UsageEngine engine;

  public TrackedEvents(UsageEngine engine) {
    this.engine = engine;
  }

  /**
   * Records {@code event}, whose id is the client's idempotency key (its user must be the signed-in one, who is
   * charged): the guard consumes the unit under the key before the event is recorded, so a retry is not charged.
   *
   * @throws dev.usage.QuotaExceededException the daily {@code tracked-events} quota is spent; nothing recorded
   * @throws dev.usage.InvalidUsageException the event is refused by the engine
   */
  @QuotaGuard(amounts = @Amount(type = "tracked-events", value = "1"), idempotencyKey = "'track:' + #event.eventId()")
  public void trackOnce(UsageEvent event) {
    engine.tracking().trackUsage(event);
  }

  /**
   * Records {@code event}, which has no key of the client's: the guard holds the unit and charges it once the event
   * is recorded, and gives it back when recording fails.
   *
   * @throws dev.usage.QuotaExceededException the daily {@code tracked-events} quota is spent; nothing recorded
   * @throws dev.usage.InvalidUsageException the event is refused by the engine
   */
  @QuotaGuard(amounts = @Amount(type = "tracked-events", value = "1", actual = "1"))
  public void track(UsageEvent event) {
    engine.tracking().trackUsage(event);
  }
}
