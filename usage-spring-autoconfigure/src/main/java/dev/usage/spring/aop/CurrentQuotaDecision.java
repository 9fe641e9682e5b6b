package dev.usage.spring.aop;

import dev.usage.QuotaDecision;
import java.util.Optional;

/**
 * The decision of the {@code @QuotaGuard} around the running method, for the method itself (say, a
 * controller that puts the remaining quota in its JSON). Set on the calling thread for the duration of the
 * guarded call; after a reservation is committed it holds the commit's decision.
 */
public final class CurrentQuotaDecision {

  private static final ThreadLocal<QuotaDecision> CURRENT = new ThreadLocal<>();

  private CurrentQuotaDecision() {}

  /** The decision of the innermost guarded call running on this thread; empty outside one. */
  public static Optional<QuotaDecision> get() {
    return Optional.ofNullable(CURRENT.get());
  }

  /** Sets the decision and returns the one it replaces (null when none), to be restored with {@link #restore}. */
  static QuotaDecision set(QuotaDecision decision) {
    QuotaDecision previous = CURRENT.get();
    CURRENT.set(decision);
    return previous;
  }

  static void restore(QuotaDecision previous) {
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }
}
