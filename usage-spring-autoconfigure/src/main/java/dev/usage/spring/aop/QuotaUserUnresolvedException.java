package dev.usage.spring.aop;

import dev.usage.UsageException;

/**
 * Thrown by a {@code @QuotaGuard}-ed call when no user can be charged: the annotation names no user and the
 * {@link UserIdResolver} finds none (by default: there is no authenticated principal), or its user expression
 * gives null. Nothing was consumed and the method did not run. In a Spring MVC application the answer is
 * HTTP 401 with an RFC 9457 problem body (see {@code dev.usage.spring.web.QuotaUserUnresolvedExceptionHandler}).
 */
public class QuotaUserUnresolvedException extends UsageException {
  private static final long serialVersionUID = 1L;

  private final String method;
  private final String userExpression;

  /**
   * @param method the guarded method, {@code ClassName.method}
   * @param userExpression the annotation's user expression; empty for the default (the {@link UserIdResolver})
   */
  public QuotaUserUnresolvedException(String method, String userExpression) {
    super("@QuotaGuard on " + method + ": no user to charge: " + (userExpression.isEmpty()
        ? "the user expression is empty, so the user is the authenticated principal (UserIdResolver), and there is none"
        : "the user expression '" + userExpression + "' gave null"));
    this.method = method;
    this.userExpression = userExpression;
  }

  /** The guarded method, {@code ClassName.method}. */
  public String method() {
    return method;
  }

  /** The annotation's user expression; empty when the user was left to the {@link UserIdResolver}. */
  public String userExpression() {
    return userExpression;
  }
}
