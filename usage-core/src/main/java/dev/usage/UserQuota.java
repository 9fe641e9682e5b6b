package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

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
 * @param scheduled a move to another tier that takes effect later ({@link #asOf} applies it once due)
 * @param resets the latest admin reset of each quota's usage, by type ({@link UsageReset}; one that is not of the
 *     quota's current period no longer matters)
 * @param earlier the settings before recent changes made at once, oldest change first ({@link EarlierSettings}; kept
 *     while the periods that ended before a change may still be closed, see {@link #forPeriodEndingAt})
 */
public record UserQuota(String userId, String tier, Map<QuotaType, Quota> overrides, ZoneId zone, int billingAnchorDay,
    long version, Optional<TierChange> scheduled, Map<QuotaType, UsageReset> resets, List<EarlierSettings> earlier) {

  /**
   * The most overrides one user may have ({@code updateQuota} refuses another, field {@code quota}): what every store
   * keeps of a user's settings is bounded.
   */
  public static final int MAX_OVERRIDES = 24;

  /**
   * The most earlier settings one user's settings keep ({@link #earlier}): a change made when as many are kept drops
   * the oldest, so that what a store keeps of a user's settings is bounded. One is kept per change with a period
   * boundary of the user's quotas since the one before (and per billing-cycle change), for the counter retention
   * (at least a month); a period is closed with the plan of the oldest entry kept after its end, so a period still
   * unclosed when its entry is dropped (after 16 later changes on as many days, or months for monthly quotas) is
   * closed with the plan that followed it.
   */
  public static final int MAX_EARLIER = 16;

  public UserQuota {
    Checks.id("userId", userId);
    Checks.name("tier", tier);
    Checks.noNullEntries("overrides", overrides);
    keyedByType("overrides", overrides, Quota::type, "quota");
    overrides = Map.copyOf(overrides);
    Checks.notNull("zone", zone);
    if (billingAnchorDay < 1 || billingAnchorDay > 31) {
      throw new InvalidUsageException("billingAnchorDay", "must be within 1..31, was " + billingAnchorDay);
    }
    if (version < 0) {
      throw new InvalidUsageException("version", "must not be negative, was " + version);
    }
    Checks.notNull("scheduled", scheduled);
    Checks.noNullEntries("resets", resets);
    keyedByType("resets", resets, UsageReset::type, "reset");
    resets = Map.copyOf(resets);
    Checks.noNullElements("earlier", earlier);
    if (earlier.size() > MAX_EARLIER) {
      throw new InvalidUsageException("earlier", "at most " + MAX_EARLIER + " kept, were " + earlier.size());
    }
    for (int i = 1; i < earlier.size(); i++) {
      if (earlier.get(i).changedAt().isBefore(earlier.get(i - 1).changedAt())) {
        throw new InvalidUsageException("earlier", "must be ordered by changedAt, oldest first; entry " + i
            + " (" + earlier.get(i).changedAt() + ") is older than the one before it");
      }
    }
    earlier = List.copyOf(earlier);
  }

  /** Checks that each value is under its own type's key (an empty map, the common case, is not iterated). */
  static <V> void keyedByType(String field, Map<QuotaType, V> byType, Function<V, QuotaType> typeOf, String what) {
    if (byType.isEmpty()) {
      return;
    }
    for (Map.Entry<QuotaType, V> e : byType.entrySet()) {
      if (!e.getKey().equals(typeOf.apply(e.getValue()))) {
        throw new InvalidUsageException(field, "key " + e.getKey() + " holds a " + what + " of type "
            + typeOf.apply(e.getValue()));
      }
    }
  }

  /** Settings with no earlier settings kept. */
  public UserQuota(String userId, String tier, Map<QuotaType, Quota> overrides, ZoneId zone, int billingAnchorDay,
      long version, Optional<TierChange> scheduled, Map<QuotaType, UsageReset> resets) {
    this(userId, tier, overrides, zone, billingAnchorDay, version, scheduled, resets, List.of());
  }

  /** Settings with no tier change scheduled and no usage reset. */
  public UserQuota(String userId, String tier, Map<QuotaType, Quota> overrides, ZoneId zone, int billingAnchorDay,
      long version) {
    this(userId, tier, overrides, zone, billingAnchorDay, version, Optional.empty(), Map.of());
  }

  /** Settings with no usage reset. */
  public UserQuota(String userId, String tier, Map<QuotaType, Quota> overrides, ZoneId zone, int billingAnchorDay,
      long version, Optional<TierChange> scheduled) {
    this(userId, tier, overrides, zone, billingAnchorDay, version, scheduled, Map.of());
  }

  /** The units of {@code type} an admin reset in the period starting at {@code periodStart} (0: none). */
  public long resetUnits(QuotaType type, Instant periodStart) {
    UsageReset r = resets.get(type);
    return r != null && r.periodStart().equals(periodStart) ? r.units() : 0;
  }

  /** These settings with {@code reset} as the latest reset of its quota. */
  public UserQuota withReset(UsageReset reset) {
    Map<QuotaType, UsageReset> next = new HashMap<>(resets);
    next.put(Checks.notNull("reset", reset).type(), reset);
    return new UserQuota(userId, tier, overrides, zone, billingAnchorDay, version, scheduled, next, earlier);
  }

  /**
   * These settings as they apply at {@code at}: with the scheduled tier change made (and no longer scheduled)
   * once it is due; otherwise these settings.
   */
  public UserQuota asOf(Instant at) {
    if (scheduled.isEmpty() || at.isBefore(scheduled.get().effectiveAt())) {
      return this;
    }
    return new UserQuota(userId, scheduled.get().tier(), overrides, zone, billingAnchorDay, version, Optional.empty(),
        resets, earlier);
  }

  /**
   * The settings a period that ended at {@code end} was used under, to close it with: the plan before the first
   * change made at or after {@code end} that {@link #earlier} keeps (with its scheduled tier change, and this zone and
   * anchor day, in which the period is computed), or these settings where no such change is kept. A period not
   * ended yet is always under these settings. Apply {@link #asOf} to the result for a tier change scheduled within
   * the period. After a zone change, a period's end is where the zone then in force put it.
   */
  public UserQuota forPeriodEndingAt(Instant end) {
    for (EarlierSettings e : earlier) {
      if (!e.changedAt().isBefore(end)) {
        return new UserQuota(userId, e.tier(), e.overrides(), zone, billingAnchorDay, version, e.scheduled(), resets);
      }
    }
    return this;
  }

  /** These settings keeping {@code settings} as the settings before recent changes, oldest first. */
  public UserQuota withEarlier(List<EarlierSettings> settings) {
    return new UserQuota(userId, tier, overrides, zone, billingAnchorDay, version, scheduled, resets, settings);
  }

  /** These settings with {@code change} scheduled (empty: none), replacing any scheduled before. */
  public UserQuota withScheduled(Optional<TierChange> change) {
    return new UserQuota(userId, tier, overrides, zone, billingAnchorDay, version, change, resets, earlier);
  }

  /** Settings for a user on {@code tier}: no overrides, UTC, calendar months, never stored. */
  public static UserQuota of(String userId, String tier) {
    return new UserQuota(userId, tier, Map.of(), ZoneId.of("UTC"), 1, 0);
  }

  public Optional<Quota> override(QuotaType type) {
    return Optional.ofNullable(overrides.get(type));
  }

  public UserQuota withTier(String newTier) {
    return new UserQuota(userId, newTier, overrides, zone, billingAnchorDay, version, scheduled, resets, earlier);
  }

  public UserQuota withOverride(Quota quota) {
    Map<QuotaType, Quota> next = new HashMap<>(overrides);
    next.put(Checks.notNull("quota", quota).type(), quota);
    return new UserQuota(userId, tier, next, zone, billingAnchorDay, version, scheduled, resets, earlier);
  }

  public UserQuota withoutOverride(QuotaType type) {
    Map<QuotaType, Quota> next = new HashMap<>(overrides);
    next.remove(type);
    return new UserQuota(userId, tier, next, zone, billingAnchorDay, version, scheduled, resets, earlier);
  }

  public UserQuota withZone(ZoneId newZone) {
    return new UserQuota(userId, tier, overrides, newZone, billingAnchorDay, version, scheduled, resets, earlier);
  }

  public UserQuota withBillingAnchorDay(int day) {
    return new UserQuota(userId, tier, overrides, zone, day, version, scheduled, resets, earlier);
  }

  public UserQuota withVersion(long newVersion) {
    return new UserQuota(userId, tier, overrides, zone, billingAnchorDay, newVersion, scheduled, resets, earlier);
  }
}
