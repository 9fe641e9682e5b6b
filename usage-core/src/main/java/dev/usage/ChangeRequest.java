package dev.usage;

import dev.usage.internal.Checks;
import java.util.Optional;

/**
 * Who asks for a change of quota settings, why, and (optionally) under which request id. A request id makes
 * the change safe to retry: the first call with it applies the change and records the id in the audit entry,
 * in the same atomic step; a later call with the same id for the same user changes nothing and returns the
 * user's current settings. The same id with a different change (another action, quota type or value) is
 * refused with an {@link IdempotencyConflictException}. Request ids are kept per user, for as long as the
 * audit trail is.
 *
 * <pre>{@code
 * quotas.updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 5_000),
 *     ChangeRequest.of("alice@admin", "ticket 42").withRequestId(idempotencyKeyHeader));
 * }</pre>
 *
 * @param actor who makes the change (an id, at most 128 characters)
 * @param reason why (free text, at most 512 characters)
 * @param requestId the caller's request id (an id, at most 128 characters), e.g. an HTTP {@code Idempotency-Key}
 */
public record ChangeRequest(String actor, String reason, Optional<String> requestId) {

  public ChangeRequest {
    Checks.id("actor", actor);
    Checks.text("reason", reason, Checks.MAX_TEXT_LENGTH);
    Checks.optionalText("requestId", requestId, Checks.MAX_ID_LENGTH);
  }

  /** A change by {@code actor} for {@code reason}, without request id. */
  public static ChangeRequest of(String actor, String reason) {
    return new ChangeRequest(actor, reason, Optional.empty());
  }

  /** This request under the request id {@code id}. */
  public ChangeRequest withRequestId(String id) {
    return new ChangeRequest(actor, reason, Optional.of(Checks.id("requestId", id)));
  }
}
