package dev.usage.internal;

import dev.usage.QuotaType;
import dev.usage.spi.CounterPeriod;
import java.time.Duration;
import java.time.Instant;

/**
 * One concrete period: {@code [start, end)}, and the id its counters are stored under.
 *
 * @param id {@code M}, {@code W} or {@code D} followed by the local start date, e.g. {@code M2026-11-01}
 * @param start first instant, inclusive
 * @param end first instant of the next period
 */
public record PeriodWindow(String id, Instant start, Instant end) {

  public boolean contains(Instant t) {
    return !t.isBefore(start) && t.isBefore(end);
  }

  /** The counter of quota {@code type} in this period, kept {@code retention} past its end. */
  public CounterPeriod counter(QuotaType type, Duration retention) {
    return new CounterPeriod(type, id, start, end, end.plus(retention));
  }
}
