package dev.usage;

/**
 * What happens to a period's unused quota when the period is closed by the reset job: nothing (the
 * default), or carried into the next period up to a cap, optionally expiring after some periods.
 * Carrying is not applied yet: a {@link Quota} refuses a carrying policy rather than ignore it.
 *
 * @param carry whether unused quota is carried over at all
 * @param capAmount the most that may be carried, in units; {@link Quota#UNLIMITED} for no absolute cap
 * @param capPercent the most that may be carried, as a percentage of the limit (0-1000); 0 for no
 *     percentage cap when {@code capAmount} is set
 * @param expiresAfterPeriods carried units expire after this many periods; 0 for never
 */
public record RolloverPolicy(boolean carry, long capAmount, int capPercent, int expiresAfterPeriods) {

  private static final RolloverPolicy NONE = new RolloverPolicy(false, 0, 0, 0);

  public RolloverPolicy {
    if (capAmount != Quota.UNLIMITED) {
      dev.usage.internal.Checks.amount("rollover.capAmount", capAmount);
    }
    if (capPercent < 0 || capPercent > 1000) {
      throw new InvalidUsageException("rollover.capPercent", "must be within 0..1000, was " + capPercent);
    }
    if (expiresAfterPeriods < 0) {
      throw new InvalidUsageException("rollover.expiresAfterPeriods", "must not be negative, was " + expiresAfterPeriods);
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
}
