package dev.usage;

import dev.usage.internal.Checks;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Currency;
import java.util.List;

/**
 * Revenue of one calendar month by {@link AnalyticsService#revenue}: subscriptions of the month's active
 * users per tier, overage charged on monthly quotas, and the users of free tiers who may be ready to pay.
 *
 * @param month the month, in {@code zone}
 * @param zone the zone of the month's bounds
 * @param currency the currency of every amount
 * @param tiers per tier with active users (by name): users, price, subscription and overage revenue
 * @param subscriptionRevenue the sum of the tiers' subscription revenue
 * @param overageRevenue the sum of every overage charge
 * @param overages every charged overage, largest charge first
 * @param upgradeCandidates users of free tiers at {@value #UPGRADE_UTILISATION} or more of a monthly quota
 *     in this month and the one before, highest utilisation first; a quota with a limit of 0 (a feature the
 *     tier leaves out) makes no candidate
 * @param generatedAt when it was made (engine clock)
 */
public record RevenueReport(YearMonth month, ZoneId zone, Currency currency, List<TierRevenue> tiers,
    BigDecimal subscriptionRevenue, BigDecimal overageRevenue, List<UserOverage> overages,
    List<UpgradeCandidate> upgradeCandidates, Instant generatedAt) {

  /** The utilisation, in two consecutive months, that makes a free user an upgrade candidate. */
  public static final double UPGRADE_UTILISATION = 0.9;

  public RevenueReport {
    Checks.notNull("month", month);
    Checks.notNull("zone", zone);
    Checks.notNull("currency", currency);
    tiers = List.copyOf(Checks.noNullElements("tiers", tiers));
    Checks.notNull("subscriptionRevenue", subscriptionRevenue);
    Checks.notNull("overageRevenue", overageRevenue);
    overages = List.copyOf(Checks.noNullElements("overages", overages));
    upgradeCandidates = List.copyOf(Checks.noNullElements("upgradeCandidates", upgradeCandidates));
    Checks.notNull("generatedAt", generatedAt);
  }

  /** Subscriptions plus overage. */
  public BigDecimal totalRevenue() {
    return subscriptionRevenue.add(overageRevenue);
  }

  /**
   * One tier's month.
   *
   * @param tier the tier
   * @param activeUsers users of the tier with events in the month
   * @param price the tier's monthly price
   * @param subscriptionRevenue {@code activeUsers × price}
   * @param overageRevenue the overage charged to the tier's users
   */
  public record TierRevenue(String tier, long activeUsers, BigDecimal price, BigDecimal subscriptionRevenue,
      BigDecimal overageRevenue) {}

  /**
   * Units of one user past one monthly limit, and their charge.
   *
   * @param userId the user
   * @param tier their tier
   * @param type the quota type
   * @param limit their monthly limit
   * @param used units of the month's events
   * @param overUnits {@code used - limit}
   * @param charge what the overage costs, rounded to the currency
   */
  public record UserOverage(String userId, String tier, QuotaType type, long limit, long used, long overUnits,
      BigDecimal charge) {}

  /**
   * A user of a free tier who used most of a monthly quota two months running.
   *
   * @param userId the user
   * @param tier their (free) tier
   * @param type the quota type with the highest utilisation this month among those at the mark in both months
   * @param limit the monthly limit, positive (so that utilisations are finite)
   * @param previousUsed units used the month before
   * @param used units used this month
   */
  public record UpgradeCandidate(String userId, String tier, QuotaType type, long limit, long previousUsed, long used) {

    public UpgradeCandidate {
      if (limit < 1) {
        throw new InvalidUsageException("limit", "must be positive, was " + limit);
      }
    }

    /** This month's utilisation. */
    public double utilisation() {
      return (double) used / limit;
    }

    /** The month before's utilisation. */
    public double previousUtilisation() {
      return (double) previousUsed / limit;
    }
  }
}
