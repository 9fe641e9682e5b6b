package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;

/**
 * Where one quota stands in its current period.
 *
 * @param type the quota type
 * @param limit units allowed this period ({@link Quota#UNLIMITED} for none): the quota's limit plus
 *     {@code carriedIn}
 * @param used units consumed or committed this period (since an admin reset of it, {@link UsageReset}, if any);
 *     may pass the limit for SOFT quotas and commits
 * @param reserved units held by open reservations
 * @param remaining {@code max(0, limit - used - reserved)}
 * @param period the period kind
 * @param periodStart start of the current period, inclusive
 * @param resetAt end of the current period, exclusive: when the counter starts again from zero
 * @param utilisation {@code (used + reserved) / limit}; 0 for unlimited quotas; may exceed 1
 * @param level GREEN, YELLOW or RED by the engine's thresholds
 * @param enforcement HARD or SOFT
 * @param carriedIn units carried into this period from earlier ones by the quota's {@link RolloverPolicy}
 *     (included in {@code limit}); 0 without one
 */
public record QuotaStatus(QuotaType type, long limit, long used, long reserved, long remaining, QuotaPeriod period,
    Instant periodStart, Instant resetAt, double utilisation, QuotaLevel level, Enforcement enforcement,
    long carriedIn) {

  /** A status with nothing carried in. */
  public QuotaStatus(QuotaType type, long limit, long used, long reserved, long remaining, QuotaPeriod period,
      Instant periodStart, Instant resetAt, double utilisation, QuotaLevel level, Enforcement enforcement) {
    this(type, limit, used, reserved, remaining, period, periodStart, resetAt, utilisation, level, enforcement, 0);
  }

  public QuotaStatus {
    Checks.notNull("quotaType", type);
    Checks.notNull("period", period);
    Checks.notNull("periodStart", periodStart);
    Checks.notNull("resetAt", resetAt);
    Checks.notNull("level", level);
    Checks.notNull("enforcement", enforcement);
  }

  public boolean isUnlimited() {
    return limit == Quota.UNLIMITED;
  }
}
