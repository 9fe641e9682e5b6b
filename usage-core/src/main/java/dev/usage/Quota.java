package dev.usage;

import dev.usage.internal.Checks;

/**
 * A limit on one {@link QuotaType} per {@link QuotaPeriod}.
 *
 * @param type what is counted
 * @param limit units allowed per period, {@code 0..MAX_AMOUNT}, or {@link #UNLIMITED}
 * @param period the window the counter covers
 * @param enforcement HARD refuses past the limit, SOFT only reports
 * @param rollover what happens to unused units at the period's end
 */
public record Quota(QuotaType type, long limit, QuotaPeriod period, Enforcement enforcement, RolloverPolicy rollover) {

  /**
   * The largest amount, limit or counter value: 2<sup>53</sup> - 1, so that every backend (including
   * Lua's double-precision numbers in Redis) computes exactly.
   */
  public static final long MAX_AMOUNT = (1L << 53) - 1;

  /** A limit that is never reached; usage is still counted. */
  public static final long UNLIMITED = Long.MAX_VALUE;

  public Quota {
    Checks.notNull("quotaType", type);
    if (limit != UNLIMITED) {
      Checks.amount("limit", limit);
    }
    Checks.notNull("period", period);
    Checks.notNull("enforcement", enforcement);
    Checks.notNull("rollover", rollover);
  }

  /** A HARD monthly quota with no rollover. */
  public static Quota monthly(QuotaType type, long limit) {
    return new Quota(type, limit, QuotaPeriod.MONTH, Enforcement.HARD, RolloverPolicy.none());
  }

  /** A HARD weekly quota with no rollover. */
  public static Quota weekly(QuotaType type, long limit) {
    return new Quota(type, limit, QuotaPeriod.WEEK, Enforcement.HARD, RolloverPolicy.none());
  }

  /** A HARD daily quota with no rollover. */
  public static Quota daily(QuotaType type, long limit) {
    return new Quota(type, limit, QuotaPeriod.DAY, Enforcement.HARD, RolloverPolicy.none());
  }

  /** A monthly quota that counts but never refuses. */
  public static Quota unlimited(QuotaType type) {
    return monthly(type, UNLIMITED);
  }

  public boolean isUnlimited() {
    return limit == UNLIMITED;
  }

  /** Whether the store must refuse consumption past the limit. */
  public boolean isEnforced() {
    return enforcement == Enforcement.HARD && !isUnlimited();
  }

  public Quota withLimit(long newLimit) {
    return new Quota(type, newLimit, period, enforcement, rollover);
  }

  public Quota withPeriod(QuotaPeriod newPeriod) {
    return new Quota(type, limit, newPeriod, enforcement, rollover);
  }

  public Quota withEnforcement(Enforcement newEnforcement) {
    return new Quota(type, limit, period, newEnforcement, rollover);
  }

  public Quota soft() {
    return withEnforcement(Enforcement.SOFT);
  }

  public Quota withRollover(RolloverPolicy newRollover) {
    return new Quota(type, limit, period, enforcement, newRollover);
  }
}
