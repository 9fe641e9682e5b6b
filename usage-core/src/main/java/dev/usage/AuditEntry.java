package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;
import java.util.Optional;

/**
 * One change to a user's quota settings, as kept in the append-only audit trail.
 *
 * @param at when the change was made (engine clock)
 * @param actor who made it
 * @param userId whose settings changed
 * @param action what kind of change: {@code initialize}, {@code override}, {@code remove-override},
 *     {@code change-tier}, {@code billing-cycle}
 * @param quotaType the quota concerned, when one is
 * @param oldValue the value before, rendered as text ({@code "-"} when there was none)
 * @param newValue the value after, rendered as text
 * @param reason why, as the actor gave it
 */
public record AuditEntry(Instant at, String actor, String userId, String action, Optional<QuotaType> quotaType,
    String oldValue, String newValue, String reason) {

  public AuditEntry {
    Checks.notNull("at", at);
    Checks.id("actor", actor);
    Checks.id("userId", userId);
    Checks.name("action", action);
    Checks.notNull("quotaType", quotaType);
    Checks.text("oldValue", oldValue, 2048);
    Checks.text("newValue", newValue, 2048);
    Checks.text("reason", reason, Checks.MAX_TEXT_LENGTH);
  }
}
