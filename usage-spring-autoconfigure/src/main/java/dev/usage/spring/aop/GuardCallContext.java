package dev.usage.spring.aop;

import dev.usage.QuotaDecision;
import dev.usage.Reservation;
import java.util.Optional;

/**
 * What the surroundings of a guarded call (a web request) add to it: the endpoint to record, and what to do
 * with each decision (put it on the response). Implementations are called on the calling thread.
 */
public interface GuardCallContext {

  /**
   * The endpoint of the current call, e.g. {@code POST /api/correct}; empty outside a request or when it is not
   * known (the call is then recorded with the guarded method, {@code ClassName.method}).
   */
  Optional<String> endpoint();

  /** Called with every decision of a guarded call, allowed or denied, before the method runs or the denial is thrown. */
  void decided(QuotaDecision decision);

  /**
   * Called when the reservation of {@code decision}, the last one {@link #decided}, was released because the method
   * failed: what the call reports should no longer count its units as held. By default nothing.
   */
  default void released(QuotaDecision decision, Reservation reservation) {}
}
