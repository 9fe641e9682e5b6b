package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;
import java.util.Optional;

/**
 * One change to a user's quota settings, as kept in the append-only audit trail.
 *
 * <p>The last three components are optional. {@code requestId} is the caller's request id (an HTTP
 * {@code Idempotency-Key}, say; see {@link ChangeRequest}): a user's trail holds each request id at most once.
 * {@code previousHash} and {@code hash} are present when the engine keeps a hash chain
 * ({@link UsageEngine.Builder#auditHashChain}): {@code hash} is the SHA-256 of the entry's canonical encoding
 * (every other component, {@code previousHash} included), {@code previousHash} the {@code hash} of the user's
 * entry before it (absent for the first chained entry). Both are 64 lower-case hex digits.
 *
 * @param at when the change was made (engine clock)
 * @param actor who made it
 * @param userId whose settings changed
 * @param action what kind of change: {@code initialize}, {@code override}, {@code remove-override},
 *     {@code change-tier}, {@code schedule-tier}, {@code cancel-scheduled-tier}, {@code apply-scheduled-tier} (by
 *     the reset job, actor {@code usage-engine}, once a scheduled change is due), {@code reset-usage},
 *     {@code billing-cycle}
 * @param quotaType the quota concerned, when one is
 * @param oldValue the value before, rendered as text ({@code "-"} when there was none; {@code "none"} for an
 *     override of a quota the user had no limit of)
 * @param newValue the value after, rendered as text
 * @param reason why, as the actor gave it
 * @param requestId the caller's request id, when one was given
 * @param previousHash the hash of the user's previous entry in the chain
 * @param hash this entry's hash, when the chain is kept
 */
public record AuditEntry(Instant at, String actor, String userId, String action, Optional<QuotaType> quotaType,
    String oldValue, String newValue, String reason, Optional<String> requestId, Optional<String> previousHash,
    Optional<String> hash) {

  /** Length of a hash in hex digits (SHA-256). */
  public static final int HASH_LENGTH = 64;

  public AuditEntry {
    Checks.notNull("at", at);
    Checks.id("actor", actor);
    Checks.id("userId", userId);
    Checks.name("action", action);
    Checks.notNull("quotaType", quotaType);
    Checks.text("oldValue", oldValue, 2048);
    Checks.text("newValue", newValue, 2048);
    Checks.text("reason", reason, Checks.MAX_TEXT_LENGTH);
    Checks.optionalText("requestId", requestId, Checks.MAX_ID_LENGTH);
    hash("previousHash", previousHash);
    hash("hash", hash);
    if (previousHash.isPresent() && hash.isEmpty()) {
      throw new InvalidUsageException("hash", "must be present when previousHash is");
    }
  }

  /** An entry without request id or hashes. */
  public AuditEntry(Instant at, String actor, String userId, String action, Optional<QuotaType> quotaType,
      String oldValue, String newValue, String reason) {
    this(at, actor, userId, action, quotaType, oldValue, newValue, reason, Optional.empty(), Optional.empty(),
        Optional.empty());
  }

  /** This entry with {@code requestId} (checked as an id), hashes unchanged. */
  public AuditEntry withRequestId(String id) {
    return new AuditEntry(at, actor, userId, action, quotaType, oldValue, newValue, reason,
        Optional.of(Checks.id("requestId", id)), previousHash, hash);
  }

  /** This entry with its place in the hash chain. */
  public AuditEntry withHashes(Optional<String> previous, String own) {
    return new AuditEntry(at, actor, userId, action, quotaType, oldValue, newValue, reason, requestId, previous,
        Optional.of(Checks.notNull("hash", own)));
  }

  /** This entry without hashes: the content its {@link #hash} covers, apart from {@link #previousHash}. */
  public AuditEntry withoutHashes() {
    return new AuditEntry(at, actor, userId, action, quotaType, oldValue, newValue, reason, requestId,
        Optional.empty(), Optional.empty());
  }

  private static void hash(String field, Optional<String> value) {
    Checks.notNull(field, value);
    if (value.isPresent()) {
      String h = value.get();
      if (h.length() != HASH_LENGTH || !h.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new InvalidUsageException(field, "must be " + HASH_LENGTH + " lower-case hex digits");
      }
    }
  }
}
