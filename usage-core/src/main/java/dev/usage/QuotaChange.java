package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Something that changed a user's quotas, as told to {@link UsageListener#onQuotaChange}.
 *
 * @param userId the user
 * @param kind what happened
 * @param statuses the status of each quota involved after the change (for {@link Kind#SETTINGS_CHANGED}:
 *     every quota of the user); empty when the store could not be read for them
 * @param counted the units this change counted as used, by quota type: the consumed amounts
 *     ({@link Kind#CONSUMED}) or the committed ones ({@link Kind#COMMITTED}), none negative, zero amounts
 *     left out; empty for the other kinds. A status's {@code used} less its type's amount is where that
 *     quota stood just before this change (the statuses are read in the same step as the change)
 * @param audit for {@link Kind#SETTINGS_CHANGED}, the audit entry written with the change
 * @param at when the engine made the change (engine clock)
 */
public record QuotaChange(String userId, Kind kind, List<QuotaStatus> statuses, Map<QuotaType, Long> counted,
    Optional<AuditEntry> audit, Instant at) {

  /**
   * What happened. Replayed and degraded (fail-open) calls change nothing and are not told, except the replay of a
   * change whose call on this engine failed with a {@link UsageStorageException} after the store applied it (its
   * answer was lost): that change is told once, by the retry that replays it.
   */
  public enum Kind {
    /** A consume was counted. */
    CONSUMED,
    /** A consume or reservation was refused by a HARD quota; nothing was counted. */
    DENIED,
    /** Units were put on hold by a reservation. */
    RESERVED,
    /** A reservation was charged with its actual amounts. */
    COMMITTED,
    /** A reservation's units were given back. */
    RELEASED,
    /** The user's settings (tier, override, billing cycle) changed. */
    SETTINGS_CHANGED
  }

  public QuotaChange {
    Checks.id("userId", userId);
    Checks.notNull("kind", kind);
    statuses = List.copyOf(Checks.noNullElements("statuses", statuses));
    counted = Checks.units("counted", counted);
    if (!counted.isEmpty() && kind != Kind.CONSUMED && kind != Kind.COMMITTED) {
      throw new InvalidUsageException("counted", "only a consume or a commit counts units, not " + kind);
    }
    Checks.notNull("audit", audit);
    Checks.notNull("at", at);
  }

  /** A change that counted nothing as used. */
  public QuotaChange(String userId, Kind kind, List<QuotaStatus> statuses, Optional<AuditEntry> audit, Instant at) {
    this(userId, kind, statuses, Map.of(), audit, at);
  }
}
