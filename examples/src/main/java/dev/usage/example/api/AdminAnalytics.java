package dev.usage.example.api;

import dev.usage.UnusualUsageAlert;
import java.time.Instant;
import java.util.List;

/**
 * The answer of {@code GET /api/admin/analytics}: the system's figures over the range, the revenue of the
 * month of its last day, the capacity forecast and the newest unusual-usage alerts the hourly job found.
 */
public record AdminAnalytics(SystemAnalyticsView system, RevenueView revenue, CapacityView capacity,
    List<Alert> alerts) {

  public AdminAnalytics {
    alerts = List.copyOf(alerts);
  }

  /**
   * One user's unusual hour of one quota type.
   *
   * @param score the modified z-score
   */
  public record Alert(String userId, String type, Instant hourStart, long units, double baselineMedian,
      int baselineHours, double score, Instant detectedAt) {

    static Alert of(UnusualUsageAlert a) {
      return new Alert(a.userId(), a.type().name(), a.hourStart(), a.units(), a.baselineMedian(), a.baselineHours(),
          a.score(), a.detectedAt());
    }
  }
}
