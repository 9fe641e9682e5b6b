package dev.usage.spring.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Consumes quota before the annotated method runs, all amounts or none; a denial throws
 * {@code dev.usage.QuotaExceededException} (HTTP 429 in a web application) and the method does not run.
 *
 * <pre>{@code
 * @QuotaGuard(amounts = {
 *     @QuotaGuard.Amount(type = "characters", value = "#request.text().length()"),
 *     @QuotaGuard.Amount(type = "requests", value = "1"),
 *     @QuotaGuard.Amount(type = "tokens", value = "#request.text().length() / 3", actual = "#result.tokensUsed()")})
 * public Correction correct(CorrectionRequest request) { ... }
 * }</pre>
 *
 * <p>Expressions are SpEL over the method's parameters by name ({@code #request}; compile with
 * {@code -parameters}, as Spring Boot's build plugins do), {@code #args}, and beans ({@code @beanName}).
 * When an amount has an {@link Amount#actual()} expression the guard works in reservation mode: it reserves
 * the estimates before the call, then commits the actual amounts (the {@code actual} expressions, which see
 * the return value as {@code #result}; the estimate for amounts without one) after it; a call that throws
 * releases the reservation. An amount with an {@code actual} expression holds at least one unit, so that its
 * type is part of the reservation and can be charged. If an {@code actual} expression fails after the call
 * returned (or gives an amount the commit refuses), the work was done: the estimates held are committed, then
 * the expression's error is thrown. A method returning a future, a reactive publisher or an asynchronous or
 * streaming Spring MVC body cannot be guarded in reservation mode (its work completes after it returns): start-up
 * fails naming it.
 *
 * <p>With an {@link #idempotencyKey()}, a retried call with the key of an earlier call counts nothing: the
 * method runs again, and in reservation mode the earlier call's reservation is neither committed nor released by
 * the retry (the first call settles it, whatever the retry's outcome). So that a failed call cannot make its
 * retry free, a call with a key that throws in reservation mode commits its estimates instead of releasing them.
 *
 * <p>The guard is applied by a Spring AOP proxy, so it sees only calls that go through the bean: a call
 * from another method of the same object (self-invocation) is not guarded; such calls are looked for in
 * the bean's bytecode at start-up and each is logged as a warning naming the caller. Private, static and final
 * methods, and methods of final classes, cannot be proxied: start-up fails naming such a method, and also
 * when a bean with guarded methods was not proxied at all.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface QuotaGuard {

  /**
   * SpEL for the user id. Empty: the authenticated principal's name when Spring Security is present (or the
   * host's {@code UserIdResolver} bean); without either, an empty user fails start-up. A call with no user to
   * charge (no authenticated principal, or an expression that gives null) is refused, consuming nothing and
   * not running the method, with {@code dev.usage.spring.aop.QuotaUserUnresolvedException} (HTTP 401 with a
   * problem body in a web application).
   */
  String user() default "";

  /** What one call costs. Default: one request. */
  Amount[] amounts() default {@Amount(type = "requests", value = "1")};

  /** SpEL for an idempotency key (scoped to the user): a retried call with the same key counts once. Empty: none. */
  String idempotencyKey() default "";

  /** One quota type's amount. */
  @Target({})
  @Retention(RetentionPolicy.RUNTIME)
  @Documented
  @interface Amount {

    /** The quota type: {@code characters}, {@code requests}, {@code tokens} or a custom type's name. */
    String type();

    /** SpEL for the amount consumed (or reserved) before the call; must give a whole number, 0 or more. */
    String value();

    /**
     * SpEL for the amount actually used, evaluated after the call with the return value as {@code #result};
     * non-empty switches the guard to reservation mode, where {@link #value()} is the estimate held while the
     * method runs (at least one unit).
     */
    String actual() default "";
  }
}
