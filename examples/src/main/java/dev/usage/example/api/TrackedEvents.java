package dev.usage.example.api;

import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.spring.annotation.QuotaGuard;
import dev.usage.spring.annotation.QuotaGuard.Amount;
import org.springframework.stereotype.Service;

/**
 * Records usage reported by the host through {@code POST /api/usage/track}. Each call costs one unit of the
 * signed-in user's daily {@code tracked-events} quota, so a runaway client is refused with 429 instead of
 * filling the event log; the event id is the idempotency key, so a retried event costs one unit in all.
 */
@Service
public class TrackedEvents {

  private final UsageEngine engine;

  public TrackedEvents(UsageEngine engine) {
    this.engine = engine;
  }

  /**
   * Records {@code event} (its user must be the signed-in one, who is charged).
   *
   * @throws dev.usage.QuotaExceededException the daily {@code tracked-events} quota is spent; nothing recorded
   * @throws dev.usage.InvalidUsageException the event is refused by the engine
   */
  @QuotaGuard(amounts = @Amount(type = "tracked-events", value = "1"), idempotencyKey = "'track:' + #event.eventId()")
  public void track(UsageEvent event) {
    engine.tracking().trackUsage(event);
  }
}
