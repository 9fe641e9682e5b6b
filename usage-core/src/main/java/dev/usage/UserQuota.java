package dev.usage;

import dev.usage.internal.Checks;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A user's quota settings: tier, per-user overrides (which win over the tier), the time zone their
 * periods are computed in and the billing anchor day of their months.
 *
 * @param userId the user
 * @param tier the tier's name
 * @param overrides per-user quotas, by type; they replace the tier's quota of the same type
 * @param zone the zone in which days, weeks and months begin
 * @param billingAnchorDay day of month on which monthly periods begin, 1-31 (1: calendar months)
 * @param version optimistic-locking version kept by the store; 0 for settings never stored
 */
public record UserQuota(String userId, String tier, Map<QuotaType, Quota> overrides, ZoneId zone, int billingAnchorDay,
    long version) {

  public UserQuota {
    Checks.id("userId", userId);
    Checks.name("tier", tier);
    Checks.noNullEntries("overrides", overrides);
    for (Map.Entry<QuotaType, Quota> e : overrides.entrySet()) {
      if (!e.getKey().equals(e.getValue().type())) {
        throw new InvalidUsageException("overrides", "key " + e.getKey() + " holds a quota of type " + e.getValue().type());
      }
    }
    overrides = Map.copyOf(overrides);
    Checks.notNull("zone", zone);
    if (billingAnchorDay < 1 || billingAnchorDay > 31) {
      throw new InvalidUsageException("billingAnchorDay", "must be within 1..31, was " + billingAnchorDay);
    }
    if (version < 0) {
      throw new InvalidUsageException("version", "must not be negative, was " + version);
    }
  }

  /** Settings for a user on {@code tier}: no overrides, UTC, calendar months, never stored. */
  public static UserQuota of(String userId, String tier) {
    return new UserQuota(userId, tier, Map.of(), ZoneId.of("UTC"), 1, 0);
  }

  public Optional<Quota> override(QuotaType type) {
    return Optional.ofNullable(overrides.get(type));
  }

  public UserQuota withTier(String newTier) {
    return new UserQuota(userId, newTier, overrides, zone, billingAnchorDay, version);
  }

  public UserQuota withOverride(Quota quota) {
    Map<QuotaType, Quota> next = new HashMap<>(overrides);
    next.put(Checks.notNull("quota", quota).type(), quota);
    return new UserQuota(userId, tier, next, zone, billingAnchorDay, version);
  }

  public UserQuota withoutOverride(QuotaType type) {
    Map<QuotaType, Quota> next = new HashMap<>(overrides);
    next.remove(type);
    return new UserQuota(userId, tier, next, zone, billingAnchorDay, version);
  }

  public UserQuota withZone(ZoneId newZone) {
    return new UserQuota(userId, tier, overrides, newZone, billingAnchorDay, version);
  }

  public UserQuota withBillingAnchorDay(int day) {
    return new UserQuota(userId, tier, overrides, zone, day, version);
  }

  public UserQuota withVersion(long newVersion) {
    return new UserQuota(userId, tier, overrides, zone, billingAnchorDay, newVersion);
  }
}
