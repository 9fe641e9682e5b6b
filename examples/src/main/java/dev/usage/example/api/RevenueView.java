package dev.usage.example.api;

import dev.usage.RevenueReport;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;

/**
 * A month's revenue, the {@code revenue} part of {@code GET /api/admin/analytics}: subscriptions of the
 * month's active users per tier, overage, and free users who may be ready to pay.
 *
 * @param currency the ISO 4217 code of every amount
 */
public record RevenueView(YearMonth month, String zone, String currency, List<Tier> tiers,
    BigDecimal subscriptionRevenue, BigDecimal overageRevenue, BigDecimal totalRevenue, List<Overage> overages,
    List<UpgradeCandidate> upgradeCandidates, Instant generatedAt) {

  public RevenueView {
    tiers = List.copyOf(tiers);
    overages = List.copyOf(overages);
    upgradeCandidates = List.copyOf(upgradeCandidates);
  }

  public static RevenueView of(RevenueReport r) {
    return new RevenueView(r.month(), r.zone().getId(), r.currency().getCurrencyCode(),
        r.tiers().stream().map(t -> new Tier(t.tier(), t.activeUsers(), t.price(), t.subscriptionRevenue(),
            t.overageRevenue())).toList(),
        r.subscriptionRevenue(), r.overageRevenue(), r.totalRevenue(),
        r.overages().stream().map(o -> new Overage(o.userId(), o.tier(), o.type().name(), o.limit(), o.used(),
            o.overUnits(), o.charge())).toList(),
        r.upgradeCandidates().stream().map(c -> new UpgradeCandidate(c.userId(), c.tier(), c.type().name(), c.limit(),
            c.previousUsed(), c.used(), c.utilisation())).toList(),
        r.generatedAt());
  }

  /** One tier's month: active users times price, and the overage of its users. */
  public record Tier(String tier, long activeUsers, BigDecimal price, BigDecimal subscriptionRevenue,
      BigDecimal overageRevenue) {}

  /** Units of one user past one monthly limit, and their charge. */
  public record Overage(String userId, String tier, String type, long limit, long used, long overUnits,
      BigDecimal charge) {}

  /** A free user who used most of a monthly quota two months running. */
  public record UpgradeCandidate(String userId, String tier, String type, long limit, long previousUsed, long used,
      double utilisation) {}
}
