package dev.usage.jdbc;

import dev.usage.InvalidUsageException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;

/** The buckets of {@code usage_aggregations}: UTC days, ISO weeks (starting Monday, UTC) and UTC months. */
public enum Granularity {
  /** One UTC calendar day. */
  DAY,
  /** One ISO week, Monday to Sunday, in UTC. */
  WEEK,
  /** One calendar month in UTC. */
  MONTH;

  /** The first day of the bucket that contains {@code day}. */
  public LocalDate bucketStart(LocalDate day) {
    if (day == null) {
      throw new InvalidUsageException("day", "must not be null");
    }
    return switch (this) {
      case DAY -> day;
      case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTH -> day.withDayOfMonth(1);
    };
  }

  /** The first day after the bucket that starts at {@code start}. */
  public LocalDate bucketEnd(LocalDate start) {
    LocalDate s = bucketStart(start);
    return switch (this) {
      case DAY -> s.plusDays(1);
      case WEEK -> s.plusWeeks(1);
      case MONTH -> s.plusMonths(1);
    };
  }
}
