package dev.usage;

import dev.usage.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;

/**
 * A half-open span of time {@code [from, to)} that an analytics call or an export covers: at least one
 * microsecond, at most {@value #MAX_DAYS} days, not before 1970.
 *
 * @param from first instant, inclusive
 * @param to first instant after the range
 */
public record TimeRange(Instant from, Instant to) {

  /** Longest range accepted, in days (ten years). */
  public static final int MAX_DAYS = 3_660;

  public TimeRange {
    Checks.notNull("from", from);
    Checks.notNull("to", to);
    if (from.isBefore(Instant.EPOCH)) {
      throw new InvalidUsageException("from", "must not be before 1970-01-01T00:00:00Z, was " + from);
    }
    if (!to.isAfter(from)) {
      throw new InvalidUsageException("to", "must be after from (" + from + "), was " + to);
    }
    if (Duration.between(from, to).compareTo(Duration.ofDays(MAX_DAYS)) > 0) {
      throw new InvalidUsageException("to", "must be at most " + MAX_DAYS + " days after from, was " + to);
    }
  }

  /** {@code [from, to)}. */
  public static TimeRange of(Instant from, Instant to) {
    return new TimeRange(from, to);
  }

  /** The calendar month {@code month} in {@code zone}. */
  public static TimeRange month(YearMonth month, ZoneId zone) {
    Checks.notNull("month", month);
    return days(month.atDay(1), month.plusMonths(1).atDay(1), zone);
  }

  /** The days {@code [from, toExclusive)} in {@code zone}, each from its first instant (DST-aware). */
  public static TimeRange days(LocalDate from, LocalDate toExclusive, ZoneId zone) {
    Checks.notNull("from", from);
    Checks.notNull("toExclusive", toExclusive);
    Checks.notNull("zone", zone);
    return new TimeRange(from.atStartOfDay(zone).toInstant(), toExclusive.atStartOfDay(zone).toInstant());
  }

  /** How long the range is. */
  public Duration duration() {
    return Duration.between(from, to);
  }

  /**
   * The range of the same length that ends where this one starts (for trends).
   *
   * @throws InvalidUsageException it would start before 1970; see {@link #previousFromEpoch()}
   */
  public TimeRange previous() {
    return new TimeRange(from.minus(duration()), from);
  }

  /**
   * As {@link #previous()}, cut to start no earlier than 1970.
   *
   * @throws InvalidUsageException this range starts at 1970-01-01T00:00:00Z, so nothing comes before it
   */
  public TimeRange previousFromEpoch() {
    Instant start = from.minus(duration());
    return new TimeRange(start.isBefore(Instant.EPOCH) ? Instant.EPOCH : start, from);
  }

  /** Whether {@code at} lies within the range. */
  public boolean contains(Instant at) {
    return !at.isBefore(from) && at.isBefore(to);
  }
}
