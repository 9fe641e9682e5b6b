package dev.usage.example.api;

import dev.usage.Quota;
import dev.usage.QuotaStatus;
import dev.usage.UserQuota;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A user's quota settings and where each quota stands: the answer of the quota changes.
 *
 * @param tier the user's tier now
 * @param overrides the per-user quotas, which win over the tier's, by type
 * @param zone the zone the user's periods are computed in
 * @param billingAnchorDay the day of month the user's months begin
 * @param scheduledTier a tier change waiting for the next monthly period, if any
 * @param quotas the status of every quota in its current period
 */
public record QuotaSettings(String userId, String tier, List<QuotaOverride> overrides, String zone, int billingAnchorDay,
    Optional<ScheduledTier> scheduledTier, List<QuotaView> quotas) {

  public QuotaSettings {
    overrides = List.copyOf(overrides);
    quotas = List.copyOf(quotas);
    if (scheduledTier == null) {
      throw new IllegalArgumentException("scheduledTier: must not be null");
    }
  }

  public static QuotaSettings of(UserQuota settings, List<QuotaStatus> statuses) {
    return new QuotaSettings(settings.userId(), settings.tier(), QuotaOverride.of(settings), settings.zone().getId(),
        settings.billingAnchorDay(),
        settings.scheduled().map(c -> new ScheduledTier(c.tier(), c.effectiveAt())),
        statuses.stream().map(QuotaView::of).toList());
  }

  /**
   * One per-user quota.
   *
   * @param limit units per period ({@value Quota#UNLIMITED} for none)
   */
  public record QuotaOverride(String type, long limit, String period, String enforcement) {

    static QuotaOverride of(Quota q) {
      return new QuotaOverride(q.type().name(), q.limit(), Units.lower(q.period()), Units.lower(q.enforcement()));
    }

    static List<QuotaOverride> of(UserQuota settings) {
      return settings.overrides().values().stream().map(QuotaOverride::of)
          .sorted(Comparator.comparing(QuotaOverride::type)).toList();
    }
  }

  /** A move to {@code tier} at {@code effectiveAt}. */
  public record ScheduledTier(String tier, Instant effectiveAt) {}
}
