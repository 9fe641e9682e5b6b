package dev.usage.benchmarks.memory;

/** What one consume asks for, on every side alike. */
public enum Shape {
  /** 1 request. */
  ONE_QUOTA,
  /** 100 characters + 1 request + 25 tokens under a fresh idempotency key. */
  THREE_QUOTAS_WITH_KEY;

  static final long CHARACTERS = 100;
  static final long TOKENS = 25;
  /** The limit of every quota on every side: never reached in a run, so every consume is admitted. */
  static final long LIMIT = 1_000_000_000_000L;
}
