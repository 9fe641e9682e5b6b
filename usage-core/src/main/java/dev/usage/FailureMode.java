package dev.usage;

/** What the engine answers when the quota store cannot be reached within its timeout. */
public enum FailureMode {
  /** Throw {@link UsageStorageException}: no request passes unchecked. The default. */
  FAIL_CLOSED,
  /** Allow the request, counting nothing, with {@link QuotaDecision#degraded()} set. */
  FAIL_OPEN
}
