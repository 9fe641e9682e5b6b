package dev.usage.example.api;

import dev.usage.PeriodUsage;
import java.time.Instant;

/**
 * One closed period of one quota, an element of {@code GET /api/quota/history}.
 *
 * @param limit the limit that applied when the period closed
 * @param rolledOver units carried into the next period
 * @param carriedIn units carried into this period from earlier ones
 */
public record ClosedPeriod(String type, String period, Instant periodStart, Instant periodEnd, long limit, long used,
    long rolledOver, long carriedIn, Instant closedAt) {

  public static ClosedPeriod of(PeriodUsage p) {
    return new ClosedPeriod(p.type().name(), Units.lower(p.period()), p.periodStart(), p.periodEnd(), p.limit(),
        p.used(), p.rolledOver(), p.carriedIn(), p.closedAt());
  }
}
