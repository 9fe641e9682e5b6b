package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A user's plan as it was before an immediate change ({@link QuotaManagementService#changeTier}, an override set or
 * removed): what the periods that ended by {@code changedAt} had, kept so that such a period is closed with the
 * limits it was used under even when the reset job closes it after the change (a period is final only the
 * reservation TTL and idempotency window after its end). See {@link UserQuota#forPeriodEndingAt}.
 *
 * @param changedAt when the change was made
 * @param tier the tier before it
 * @param overrides the overrides before it
 * @param scheduled the tier change scheduled before it (one that was due then but not yet recorded included)
 */
public record EarlierSettings(Instant changedAt, String tier, Map<QuotaType, Quota> overrides,
    Optional<TierChange> scheduled) {

  public EarlierSettings {
    Checks.notNull("changedAt", changedAt);
    Checks.name("tier", tier);
    Checks.noNullEntries("overrides", overrides);
    UserQuota.keyedByType("overrides", overrides, Quota::type, "quota");
    overrides = Map.copyOf(overrides);
    Checks.notNull("scheduled", scheduled);
  }
}
