package dev.usage.spring.web;

import dev.usage.QuotaDecision;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/**
 * The decision of a request's {@code @QuotaGuard}, kept as a request attribute so that a controller, a view
 * or a filter can read the remaining quota. Inside the guarded method itself,
 * {@link dev.usage.spring.aop.CurrentQuotaDecision#get()} gives the same without the request.
 */
public final class UsageRequestAttributes {

  /** The attribute holding the latest {@link QuotaDecision} of the request. */
  public static final String DECISION = QuotaDecision.class.getName();

  private UsageRequestAttributes() {}

  /** The latest decision of a guard during {@code request}; empty when no guarded method ran. */
  public static Optional<QuotaDecision> decision(HttpServletRequest request) {
    return Optional.ofNullable(request.getAttribute(DECISION)).map(QuotaDecision.class::cast);
  }
}
