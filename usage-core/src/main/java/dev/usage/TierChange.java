package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;

/**
 * A move to another tier that takes effect later, typically a downgrade at the start of the user's next
 * monthly period ({@link QuotaManagementService#changeTierAtNextPeriod}).
 *
 * @param tier the tier the user moves to
 * @param effectiveAt from when the new tier applies
 */
public record TierChange(String tier, Instant effectiveAt) {

  public TierChange {
    Checks.name("tier", tier);
    Checks.notNull("effectiveAt", effectiveAt);
  }
}
