package dev.usage.spring.aop;

import dev.usage.QuotaDecision;
import dev.usage.UsageEvent;

/**
 * Told what the annotation guards did, for metrics or logs. Beans of this type are called in order on the
 * calling thread; an exception they throw is logged and does not change the call's outcome.
 */
public interface UsageGuardListener {

  /**
   * A {@code @QuotaGuard} refused a call.
   *
   * @param userId the user charged
   * @param feature the {@code @TrackUsage} feature of the method, or {@code none}
   * @param decision the denial
   */
  default void denied(String userId, String feature, QuotaDecision decision) {}

  /** A {@code @TrackUsage} call ended and this event was handed to the tracking service. */
  default void tracked(UsageEvent event) {}
}
