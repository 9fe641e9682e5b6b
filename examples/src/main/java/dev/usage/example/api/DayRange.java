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

  DayRange {
    if (from == null || to == null) {
      throw new InvalidUsageException(from == null ? "from" : "to", "must be a date (YYYY-MM-DD)");
    }
    if (to.isBefore(from)) {
      throw new InvalidUsageException("to", "must not be before from (" + from + "), was " + to);
    }
  }

  /** The range the parameters name, the missing ends filled in from today (UTC) on {@code clock}. */
  static DayRange of(LocalDate from, LocalDate to, Clock clock) {
    LocalDate last = to != null ? to : from != null && from.isAfter(today(clock)) ? from : today(clock);
    LocalDate first = from != null ? from : last.minusDays(DEFAULT_DAYS - 1);
    return new DayRange(first, last);
  }

  static LocalDate today(Clock clock) {
    return LocalDate.now(clock.withZone(ZoneOffset.UTC));
  }

  /** The range as the engine takes it: {@code [from 00:00Z, to + 1 day 00:00Z)}. */
  TimeRange timeRange() {
    return TimeRange.days(from, to.plusDays(1), ZoneOffset.UTC);
  }
}
