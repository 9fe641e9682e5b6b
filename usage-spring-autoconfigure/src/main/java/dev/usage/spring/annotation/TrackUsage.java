package dev.usage.spring.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Records one usage event per call of the annotated method: user, feature, endpoint, quantities,
 * processing time, and the outcome (success, or failure with an error code: {@code quota_exceeded} for a
 * denied {@link QuotaGuard}, otherwise the exception's simple class name). The event is only recorded; it
 * does not consume quota (combine with {@link QuotaGuard} for that). A call for which its guard counted nothing
 * is recorded with no quantities: one the guard denied (the method did not run), a retry under an idempotency
 * key that an earlier call used, and one whose reservation was released after the method threw; an event log
 * that rebuilds counters (a Redis storage re-seeded from it) or sums usage must not count them. Recording never
 * changes the call's outcome: a failure to record is logged.
 *
 * <p>Expressions are SpEL as for {@link QuotaGuard}; quantity expressions may use {@code #result} (null when
 * the method threw). The same proxy limits apply: self-invocation is not seen (it is reported with a warning at
 * start-up), and private, static and final methods fail start-up.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface TrackUsage {

  /** The product feature, e.g. {@code text-correction}. */
  String feature();

  /**
   * The endpoint recorded. Empty: in a web request, the HTTP method and the handler's path pattern
   * ({@code POST /api/correct}); elsewhere {@code ClassName.method}.
   */
  String endpoint() default "";

  /** SpEL for the user id; empty as for {@link QuotaGuard#user()}. */
  String user() default "";

  /** SpEL for the characters processed; empty: 0. */
  String characters() default "";

  /** SpEL for the requests served. */
  String requests() default "1";

  /** SpEL for the AI input tokens; empty: 0. */
  String inputTokens() default "";

  /** SpEL for the AI output tokens; empty: 0. */
  String outputTokens() default "";
}
