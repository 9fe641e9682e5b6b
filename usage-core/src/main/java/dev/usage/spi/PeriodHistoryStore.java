package dev.usage.spi;

import dev.usage.PeriodUsage;
import java.util.Comparator;
import java.util.List;

/**
 * Closed periods, one row per (user, quota type, period kind, period start). Thread-safe; safe to share between
 * processes where the backend is.
 */
public interface PeriodHistoryStore {

  /** The order of {@link #history}: by period start, then type, then period kind. */
  Comparator<PeriodUsage> OLDEST_FIRST = Comparator.comparing(PeriodUsage::periodStart)
      .thenComparing(PeriodUsage::type).thenComparing(PeriodUsage::period);

  /**
   * Stores each row unless a row for its (user, type, period kind, period start) exists, atomically per row: of
   * any number of concurrent callers closing the same period, exactly one stores it. The kind is part of the key:
   * after a quota's period kind changed, say from monthly to daily on the first of a month, the month and the day
   * start at the same instant and are two rows.
   *
   * @return the rows this call stored
   */
  List<PeriodUsage> close(List<PeriodUsage> rows);

  /** A user's closed periods, oldest first (by period start, then type, then period kind). */
  List<PeriodUsage> history(String userId);
}
