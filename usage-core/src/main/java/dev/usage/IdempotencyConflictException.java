package dev.usage;

/**
 * The idempotency key (or event id) was already used by this user for a different payload: another
 * operation (consume or reserve) or other amounts. Nothing was consumed by the refused call. Also thrown for
 * a {@link ChangeRequest}'s request id already recorded in the user's audit trail for another change (another
 * action, quota type or value); {@link #key()} is then the request id, and nothing was changed.
 */
public class IdempotencyConflictException extends UsageException {
  private static final long serialVersionUID = 1L;

  private final String userId;
  private final String key;

  public IdempotencyConflictException(String userId, String key) {
    super("idempotency key '" + key + "' of user '" + userId + "' was already used for another payload");
    this.userId = userId;
    this.key = key;
  }

  public String userId() {
    return userId;
  }

  public String key() {
    return key;
  }
}
