package dev.usage.example.api;

import dev.usage.InvalidUsageException;
import dev.usage.TimeRange;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The days a report covers, both ends inclusive, in UTC, as the API's {@code from} and {@code to} query
 * parameters give them; without them, the 30 days ending today.
 *
 * @param from the first day
 * @param to the last day, inclusive
 */
record DayRange(LocalDate from, LocalDate to) {

  /** Days covered when the caller names none. */
  static final int DEFAULT_DAYS = 30;

  /** The first and last years a range may touch. */
  static final int FIRST_YEAR = 1970;
  static final int LAST_YEAR = 9999;

  DayRange {
    if (from == null || to == null) {
      throw new InvalidUsageException(from == null ? "from" : "to", "must be a date (YYYY-MM-DD)");
    }
    checkYear("from", from);
    checkYear("to", to);
    if (to.isBefore(from)) {
      throw new InvalidUsageException("to", "must not be before from (" + from + "), was " + to);
    }
  }

  /** The range the parameters name, the missing ends filled in from today (UTC) on {@code clock}. */
  static DayRange of(LocalDate from, LocalDate to, Clock clock) {
    if (from != null) {
      checkYear("from", from);
    }
    if (to != null) {
      checkYear("to", to);
    }
    LocalDate last = to != null ? to : from != null && from.isAfter(today(clock)) ? from : today(clock);
    LocalDate earliest = LocalDate.of(FIRST_YEAR, 1, 1);
    LocalDate first = from != null ? from
        : last.minusDays(DEFAULT_DAYS - 1).isBefore(earliest) ? earliest : last.minusDays(DEFAULT_DAYS - 1);
    return new DayRange(first, last);
  }

  private static void checkYear(String field, LocalDate day) {
    if (day.getYear() < FIRST_YEAR || day.getYear() > LAST_YEAR) {
      throw new InvalidUsageException(field, "must be in the years " + FIRST_YEAR + " to " + LAST_YEAR + ", was " + day);
    }
  }

  static LocalDate today(Clock clock) {
    return LocalDate.now(clock.withZone(ZoneOffset.UTC));
  }

  /** The range as the engine takes it: {@code [from 00:00Z, to + 1 day 00:00Z)}. */
  TimeRange timeRange() {
    return TimeRange.days(from, to.plusDays(1), ZoneOffset.UTC);
  }
}
