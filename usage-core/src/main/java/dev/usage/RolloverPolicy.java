package dev.usage;

/**
 * What happens to a period's unused quota: nothing (the default), or carried into the next period up to a
 * cap, optionally expiring after some periods.
 *
 * <p>How it applies: once a period is final (ended, and past the time a late reservation commit could still
 * charge it: {@code reservationTtl + idempotencyWindow}), the reset job, or the first consume of the next
 * period after that moment, closes it exactly once into the period history with the units it carries on
 * ({@link PeriodUsage#rolledOver()}). From then on, the next period's allowance is its limit plus those
 * units, on every instance. Until then the next period runs on its limit alone. A period in which the user
 * used nothing carries on like any other (its own unused limit, plus the units that have not expired).
 * A carrying quota whose period is not longer than {@code reservationTtl + idempotencyWindow} would get its
 * carried units only after it ended: the engine refuses it ({@code rollover}), at build time and as a
 * per-user override; a daily quota needs that sum under 22 hours, the day DST may shorten (24 h 5 min by default).
 *
 * <p>The arithmetic: carried units are used before the period's own limit, oldest first. What is left of the
 * period's own limit, and the carried units that have not expired, carry on; when they exceed the cap, the
 * oldest are dropped first. An unlimited quota carries nothing. The amount carried never passes
 * {@link Quota#MAX_AMOUNT}.
 *
 * @param carry whether unused quota is carried over at all
 * @param capAmount the most that may be carried, in units; {@link Quota#UNLIMITED} for no absolute cap
 * @param capPercent the most that may be carried, as a percentage of the limit (0-1000); 0 for no
 *     percentage cap when {@code capAmount} is set
 * @param expiresAfterPeriods carried units may be used in this many periods after the one they were unused
 *     in, then expire (0..{@value #MAX_EXPIRY}); 0 for never
 */
public record RolloverPolicy(boolean carry, long capAmount, int capPercent, int expiresAfterPeriods) {

  /** The longest expiry, in periods. */
  public static final int MAX_EXPIRY = 24;

  private static final RolloverPolicy NONE = new RolloverPolicy(false, 0, 0, 0);

  public RolloverPolicy {
    if (capAmount != Quota.UNLIMITED) {
      dev.usage.internal.Checks.amount("rollover.capAmount", capAmount);
    }
    if (capPercent < 0 || capPercent > 1000) {
      throw new InvalidUsageException("rollover.capPercent", "must be within 0..1000, was " + capPercent);
    }
    if (expiresAfterPeriods < 0 || expiresAfterPeriods > MAX_EXPIRY) {
      throw new InvalidUsageException("rollover.expiresAfterPeriods", "must be within 0.." + MAX_EXPIRY + ", was "
          + expiresAfterPeriods);
    }
    if (!carry && (capAmount != 0 || capPercent != 0 || expiresAfterPeriods != 0)) {
      throw new InvalidUsageException("rollover", "a policy that does not carry takes no cap or expiry");
    }
    if (carry && capAmount == 0 && capPercent == 0) {
      throw new InvalidUsageException("rollover", "a carrying policy needs a cap (capAmount or capPercent)");
    }
  }

  /** Unused quota is lost at the end of each period. */
  public static RolloverPolicy none() {
    return NONE;
  }

  /** Carry all unused quota, with no cap (up to {@link Quota#MAX_AMOUNT}). */
  public static RolloverPolicy carryAll() {
    return new RolloverPolicy(true, Quota.UNLIMITED, 0, 0);
  }

  /** Carry unused quota, at most {@code capAmount} units. */
  public static RolloverPolicy carryUpTo(long capAmount) {
    return new RolloverPolicy(true, capAmount, 0, 0);
  }

  /** Carry unused quota, at most {@code percent} % of the limit. */
  public static RolloverPolicy carryUpToPercent(int percent) {
    return new RolloverPolicy(true, 0, percent, 0);
  }

  /** This policy with carried units expiring after {@code periods} periods. */
  public RolloverPolicy expiringAfter(int periods) {
    return new RolloverPolicy(carry, capAmount, capPercent, periods);
  }

  /**
   * The most that may be carried out of a period with this limit: the smaller of the absolute and the
   * percentage cap (each where set), at most {@link Quota#MAX_AMOUNT}; 0 for a policy that does not carry
   * or an unlimited quota.
   */
  public long cap(long limit) {
    if (!carry || limit == Quota.UNLIMITED) {
      return 0;
    }
    long cap = capAmount == 0 || capAmount == Quota.UNLIMITED ? Quota.MAX_AMOUNT : capAmount;
    if (capPercent > 0) {
      // limit <= 2^53 - 1 and capPercent <= 1000: the product fits in a long
      cap = Math.min(cap, limit * capPercent / 100);
    }
    return cap;
  }
}
