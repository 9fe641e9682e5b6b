package dev.usage;

/**
 * The store could not answer: connection lost, timeout, lock wait exceeded, retries exhausted. The
 * operation may or may not have been applied when the cause is an ambiguous network failure; adapters
 * say which in their message, and idempotency keys make a retry safe either way.
 */
public class UsageStorageException extends UsageException {
  private static final long serialVersionUID = 1L;

  public UsageStorageException(String message) {
    super(message);
  }

  public UsageStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
