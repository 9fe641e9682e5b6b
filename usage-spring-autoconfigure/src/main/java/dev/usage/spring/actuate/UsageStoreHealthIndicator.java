package dev.usage.spring.actuate;

import dev.usage.QuotaManagementService;
import dev.usage.TrackingStats;
import dev.usage.UsageTrackingService;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The store's health: UP when a quota status read reaches the store (for a probe user that is never
 * stored), DOWN with the error otherwise; details give the tracking pipeline's pending, dropped and failed
 * counts.
 */
public class UsageStoreHealthIndicator implements HealthIndicator {

  /** The user id whose status the probe reads; nothing is ever written for it. */
  public static final String PROBE_USER = "usage-health-probe";

  private final QuotaManagementService quotas;
  private final UsageTrackingService tracking;

  public UsageStoreHealthIndicator(QuotaManagementService quotas, UsageTrackingService tracking) {
    this.quotas = quotas;
    this.tracking = tracking;
  }

  @Override
  public Health health() {
    TrackingStats stats = tracking.trackingStats();
    Health.Builder b;
    try {
      quotas.getQuotaStatus(PROBE_USER);
      b = Health.up();
    } catch (RuntimeException e) {
      b = Health.down(e);
    }
    return b.withDetail("pendingEvents", stats.pending()).withDetail("droppedEvents", stats.dropped())
        .withDetail("failedEvents", stats.failed()).build();
  }
}
