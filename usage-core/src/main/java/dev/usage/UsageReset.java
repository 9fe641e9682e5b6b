package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;

/**
 * An admin's reset of one quota's usage in one period ({@link QuotaManagementService#resetUsage}): the units
 * used in the period until then no longer count against the period's allowance. Nothing is erased: the
 * counter, the events and the period's history row keep every unit; the status shows the units used since the
 * reset ({@link QuotaStatus#used()}). What rolls over at the period's end is computed from everything used.
 *
 * @param type the quota
 * @param periodStart the period reset (its first instant)
 * @param units the units used in the period when it was reset, no longer counted against it
 * @param at when it was reset
 */
public record UsageReset(QuotaType type, Instant periodStart, long units, Instant at) {

  public UsageReset {
    Checks.notNull("quotaType", type);
    Checks.notNull("periodStart", periodStart);
    Checks.amount("units", units);
    Checks.notNull("at", at);
  }
}
