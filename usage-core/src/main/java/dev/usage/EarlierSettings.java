package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

/**
 * A user's settings as they were before a change made at once ({@link QuotaManagementService#changeTier}, an override
 * set or removed, a billing cycle changed): the plan the periods that ended by {@code changedAt} had, kept so that
 * such a period is closed with the limits it was used under even when the reset job closes it after the change (a
 * period is final only the reservation TTL and idempotency window after its end). See
 * {@link UserQuota#forPeriodEndingAt}. The zone and anchor day tell when those periods ended (the settings keep one
 * entry per change with a period boundary since the one before).
 *
 * @param changedAt when the change was made
 * @param tier the tier before it
 * @param overrides the overrides before it
 * @param scheduled the tier change scheduled before it (one that was due then but not yet recorded included)
 * @param zone the zone the user's periods were computed in before it
 * @param billingAnchorDay the billing anchor day before it
 */
public record EarlierSettings(Instant changedAt, String tier, Map<QuotaType, Quota> overrides,
    Optional<TierChange> scheduled, ZoneId zone, int billingAnchorDay) {

  public EarlierSettings {
    Checks.notNull("changedAt", changedAt);
    Checks.name("tier", tier);
    Checks.noNullEntries("overrides", overrides);
    UserQuota.keyedByType("overrides", overrides, Quota::type, "quota");
    overrides = Map.copyOf(overrides);
    Checks.notNull("scheduled", scheduled);
    Checks.notNull("zone", zone);
    if (billingAnchorDay < 1 || billingAnchorDay > 31) {
      throw new InvalidUsageException("billingAnchorDay", "must be within 1..31, was " + billingAnchorDay);
    }
  }
}
