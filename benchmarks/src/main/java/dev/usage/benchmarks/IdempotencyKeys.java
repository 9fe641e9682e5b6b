package dev.usage.benchmarks;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The idempotency keys of one side's trial, {@code k1}, {@code k2}, ... from one counter, remembering which user
 * got {@link #FIRST}: the end-of-trial check sends it again for that user, because the engine counts keys per
 * user. Thread-safe.
 */
public final class IdempotencyKeys {

  /** The first key handed out. */
  public static final String FIRST = "k1";

  private final AtomicLong issued = new AtomicLong();
  private volatile int firstUser = -1;

  /** The next key, for a consume of {@code user}. */
  public String next(int user) {
    long n = issued.incrementAndGet();
    if (n == 1) {
      firstUser = user;
    }
    return "k" + n;
  }

  /** The user {@link #FIRST} went to; -1 before any key. */
  public int firstUser() {
    return firstUser;
  }
}
