package dev.usage.spi;

import dev.usage.PeriodUsage;
import java.util.List;

/**
 * Closed periods, one row per (user, quota type, period start). Thread-safe; safe to share between
 * processes where the backend is.
 */
public interface PeriodHistoryStore {

  /**
   * Stores each row unless a row for its (user, type, period start) exists, atomically per row: of any
   * number of concurrent callers closing the same period, exactly one stores it.
   *
   * @return the rows this call stored
   */
  List<PeriodUsage> close(List<PeriodUsage> rows);

  /** A user's closed periods, oldest first (by period start, then type). */
  List<PeriodUsage> history(String userId);
}
