package dev.usage.jdbc;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.jdbi.v3.core.argument.Argument;

/** UTC days as the aggregation tables keep them: {@code DATE} columns, bound as {@link LocalDate}. */
final class Days {

  /** Before the first day an event can have (events never occur before 1970). */
  static final LocalDate BEFORE_ALL = LocalDate.EPOCH.minusDays(1);

  /** After the last day the tables hold (a bound every database's DATE can store). */
  static final LocalDate AFTER_ALL = LocalDate.of(9999, 12, 31);

  private Days() {}

  /** The UTC day of {@code at}. */
  static LocalDate of(Instant at) {
    return LocalDate.ofInstant(at, ZoneOffset.UTC);
  }

  /** The instant {@code day} starts, UTC midnight. */
  static Instant start(LocalDate day) {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** A {@code DATE} argument (every supported driver maps {@link LocalDate} to {@code DATE}). */
  static Argument date(LocalDate day) {
    return (position, statement, ctx) -> statement.setObject(position, day);
  }
}
