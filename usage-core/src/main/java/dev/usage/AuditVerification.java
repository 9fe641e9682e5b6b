package dev.usage;

import java.util.Optional;

/**
 * What {@link QuotaManagementService#verifyAuditTrail} found. A trail verifies when every entry from the first
 * chained one on carries a hash that matches its content and names the hash of the entry before it. Entries
 * written before the chain was switched on carry no hash and are counted as {@code unchained}; once a user's
 * chain has started, an entry without hash is a break.
 *
 * <p>What a chain shows: an entry edited, removed or inserted in the store by someone who did not also
 * recompute every later hash. It cannot show the removal of the newest entries, nor a rewrite by someone who
 * recomputes the chain (the hashes are not keyed); to guard against those, keep the newest hashes (an export
 * of the trail, say) somewhere the store's writers cannot change.
 *
 * @param users users whose trail was checked
 * @param entries entries checked
 * @param unchained entries that carry no hash because they were written before the chain was switched on
 * @param firstBreak the first entry that does not fit, if any (the check stops there)
 */
public record AuditVerification(long users, long entries, long unchained, Optional<AuditBreak> firstBreak) {

  /** Whether no entry broke the chain. */
  public boolean intact() {
    return firstBreak.isEmpty();
  }
}
