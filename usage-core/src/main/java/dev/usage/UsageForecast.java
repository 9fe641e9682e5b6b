package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where a user's quotas are heading in their current periods, by {@link AnalyticsService#forecastUsage}:
 * each quota's usage so far continued at its average rate since the period started (a linear run rate).
 *
 * @param userId the user
 * @param at when the forecast was made (engine clock)
 * @param quotas one forecast per quota of the user, by type
 */
public record UsageForecast(String userId, Instant at, List<QuotaForecast> quotas) {

  public UsageForecast {
    Checks.id("userId", userId);
    Checks.notNull("at", at);
    quotas = List.copyOf(Checks.noNullElements("quotas", quotas));
  }

  /** The forecast of one type. */
  public Optional<QuotaForecast> quota(QuotaType type) {
    return quotas.stream().filter(q -> q.type().equals(type)).findFirst();
  }

  /**
   * One quota's current period, continued.
   *
   * @param type the quota type
   * @param limit the limit ({@link Quota#UNLIMITED} for none)
   * @param used units used so far
   * @param reserved units held by open reservations
   * @param periodStart the period's first instant
   * @param periodEnd the first instant after it
   * @param projected the units the period will have used at its end at the rate so far
   * @param runsOutAt when used plus reserved units reach the limit at that rate, if before the period ends;
   *     {@code at} itself when they already have
   */
  public record QuotaForecast(QuotaType type, long limit, long used, long reserved, Instant periodStart,
      Instant periodEnd, long projected, Optional<Instant> runsOutAt) {

    /** Whether the limit is reached already. */
    public boolean exhausted() {
      return limit != Quota.UNLIMITED && used + reserved >= limit;
    }
  }
}
