package dev.usage.example.api;

import dev.usage.QuotaType;
import dev.usage.UsageCounts;
import dev.usage.UsageReport;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * One day of a user's usage, an element of {@code GET /api/usage/history}.
 *
 * @param date the day (in the user's zone, UTC for the demo users)
 * @param events events recorded that day, failed ones included
 * @param failedEvents events recorded as unsuccessful
 */
public record DailyUsage(LocalDate date, long events, long failedEvents, long characters, long requests, long tokens) {

  public DailyUsage {
    if (date == null) {
      throw new IllegalArgumentException("date: must not be null");
    }
  }

  public static DailyUsage of(LocalDate date, UsageCounts c) {
    return new DailyUsage(date, c.events(), c.failedEvents(), c.units(QuotaType.CHARACTERS),
        c.units(QuotaType.REQUESTS), c.units(QuotaType.TOKENS));
  }

  /** Every day of the report, oldest first, days without events included. */
  public static List<DailyUsage> of(UsageReport report) {
    return report.byDay().entrySet().stream().map((Map.Entry<LocalDate, UsageCounts> e) -> of(e.getKey(), e.getValue()))
        .toList();
  }
}
