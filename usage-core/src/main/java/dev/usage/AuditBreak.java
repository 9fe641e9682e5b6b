package dev.usage;

import dev.usage.internal.Checks;

/**
 * The first entry of a user's audit trail that does not fit the hash chain: edited, inserted, or following
 * an entry that was removed.
 *
 * @param userId whose trail
 * @param index the entry's position in the trail, from 0 (oldest)
 * @param entry the entry as stored
 * @param problem what does not fit
 */
public record AuditBreak(String userId, int index, AuditEntry entry, String problem) {

  public AuditBreak {
    Checks.id("userId", userId);
    Checks.notNull("entry", entry);
    Checks.notNull("problem", problem);
  }
}
