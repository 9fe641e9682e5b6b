package dev.usage.spring.web;

import dev.usage.QuotaDecision;
import dev.usage.Reservation;
import dev.usage.spring.aop.GuardCallContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.util.Optional;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Ties guarded calls to the current servlet request: the endpoint is the HTTP method and the handler's path
 * pattern, and every decision is stored as {@link UsageRequestAttributes#DECISION} and written to the
 * response as {@code RateLimit-Policy} / {@code RateLimit} fields (before the body, so also for
 * {@code @ResponseBody} handlers). Outside a request it does nothing.
 */
public final class WebGuardCallContext implements GuardCallContext {

  private final Clock clock;

  /** @param clock the clock for the seconds-until-reset of the {@code RateLimit} field */
  public WebGuardCallContext(Clock clock) {
    this.clock = clock;
  }

  /**
   * The method and path pattern of the handler serving the request; empty outside a request and when no handler
   * pattern is known (a guarded bean called from a servlet filter, an error dispatch): the guard then names the
   * guarded method. The raw URI is never used: {@code /users/123} would make an endpoint, and a metric tag, per id.
   */
  @Override
  public Optional<String> endpoint() {
    return request().flatMap(r -> Optional.ofNullable(r.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE))
        .map(pattern -> r.getMethod() + " " + pattern));
  }

  @Override
  public void decided(QuotaDecision decision) {
    RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
    if (!(attributes instanceof ServletRequestAttributes servlet)) {
      return;
    }
    servlet.getRequest().setAttribute(UsageRequestAttributes.DECISION, decision);
    HttpServletResponse response = servlet.getResponse();
    if (response != null && !response.isCommitted()) {
      RateLimitFields.policy(decision).ifPresent(v -> response.setHeader(RateLimitFields.POLICY, v));
      RateLimitFields.rateLimit(decision, clock.instant()).ifPresent(v -> response.setHeader(RateLimitFields.RATE_LIMIT, v));
    }
  }

  /** Writes the {@code RateLimit} field again without the released reservation's units held. */
  @Override
  public void released(QuotaDecision decision, Reservation reservation) {
    if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes servlet) {
      HttpServletResponse response = servlet.getResponse();
      if (response != null && !response.isCommitted()) {
        RateLimitFields.rateLimit(decision, clock.instant(), reservation.amounts())
            .ifPresent(v -> response.setHeader(RateLimitFields.RATE_LIMIT, v));
      }
    }
  }

  private static Optional<HttpServletRequest> request() {
    return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes servlet
        ? Optional.of(servlet.getRequest()) : Optional.empty();
  }
}
