package dev.usage.internal;

import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaLevel;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.spi.CounterValue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Turns counters into {@link QuotaStatus} and {@link QuotaDecision} values. Immutable, thread-safe. */
final class StatusFactory {

  private final double yellow;
  private final double red;

  StatusFactory(double yellow, double red) {
    this.yellow = yellow;
    this.red = red;
  }

  /**
   * @param q the quota with the units carried into the period ({@code carriedIn}) added to its limit
   * @param reset units of the counter used before an admin reset of the period: not shown as used
   */
  QuotaStatus status(Quota q, PeriodWindow w, CounterValue v, long carriedIn, long reset) {
    long used = v.used() - Math.min(v.used(), reset);
    long held = used + v.reserved();
    long remaining;
    double utilisation;
    if (q.isUnlimited()) {
      remaining = Quota.UNLIMITED;
      utilisation = 0;
    } else {
      remaining = Math.max(0, q.limit() - held);
      utilisation = q.limit() == 0 ? 1.0 : (double) held / q.limit();
    }
    QuotaLevel level = utilisation >= red ? QuotaLevel.RED : utilisation >= yellow ? QuotaLevel.YELLOW : QuotaLevel.GREEN;
    return new QuotaStatus(q.type(), q.limit(), used, v.reserved(), remaining, q.period(), w.start(), w.end(),
        utilisation, level, q.enforcement(), carriedIn);
  }

  static QuotaDecision allowed(List<QuotaStatus> statuses, boolean replayed, Optional<Reservation> reservation) {
    return new QuotaDecision(true, statuses, List.of(), Duration.ZERO, false, replayed, reservation);
  }

  static QuotaDecision denied(List<QuotaStatus> statuses, List<QuotaType> violated, List<QuotaType> beyondLimit,
      Instant now) {
    Instant latestReset = now;
    for (QuotaStatus s : statuses) {
      if (violated.contains(s.type()) && s.resetAt().isAfter(latestReset)) {
        latestReset = s.resetAt();
      }
    }
    return new QuotaDecision(false, statuses, violated, Duration.between(now, latestReset), false, false,
        Optional.empty(), beyondLimit);
  }

  static QuotaDecision degraded() {
    return new QuotaDecision(true, List.of(), List.of(), Duration.ZERO, true, false, Optional.empty());
  }
}
