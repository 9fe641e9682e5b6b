package dev.usage.spring.aop;

import dev.usage.QuotaExceededException;
import dev.usage.UsageEvent;
import dev.usage.UsageTrackingService;
import dev.usage.spring.annotation.TrackUsage;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.expression.EvaluationContext;

/** Builds and records the event of one {@code @TrackUsage} call; never throws. */
final class UsageEventRecorder {

  private static final Logger log = LoggerFactory.getLogger(UsageEventRecorder.class);

  /** The error code of a call refused by its quota guard. */
  static final String QUOTA_EXCEEDED = "quota_exceeded";

  private final Supplier<UsageTrackingService> tracking;
  private final GuardExpressions expressions;

  private final Supplier<List<UsageGuardListener>> listeners;

  UsageEventRecorder(Supplier<UsageTrackingService> tracking, GuardExpressions expressions,
      Supplier<List<UsageGuardListener>> listeners) {
    this.tracking = tracking;
    this.expressions = expressions;
    this.listeners = listeners;
  }

  /**
   * Records the call's event; with {@code countedNothing} (its guard denied it, it replayed an earlier call's key,
   * or its reservation was released) without quantities, so that the event log agrees with the counters.
   */
  void record(GuardedMethod g, EvaluationContext ctx, String user, String endpoint, long nanos, Object result,
      Throwable failure, boolean countedNothing) {
    if (user == null) {
      return;
    }
    TrackUsage t = g.track();
    String where = "@TrackUsage on " + g.where();
    try {
      ctx.setVariable("result", result);
      UsageEvent.Builder e = tracking.get().event(user)
          .feature(t.feature())
          .endpoint(endpoint)
          .processingTime(Duration.ofNanos(Math.max(0, nanos)))
          .success(failure == null)
          .characters(quantity(t.characters(), ctx, where, failure, countedNothing))
          .requests(quantity(t.requests(), ctx, where, failure, countedNothing))
          .inputTokens(quantity(t.inputTokens(), ctx, where, failure, countedNothing))
          .outputTokens(quantity(t.outputTokens(), ctx, where, failure, countedNothing));
      if (failure != null) {
        e.errorCode(failure instanceof QuotaExceededException ? QUOTA_EXCEEDED : errorCode(failure));
      }
      UsageEvent event = e.build();
      tracking.get().trackUsage(event);
      for (UsageGuardListener l : listeners.get()) {
        l.tracked(event);
      }
    } catch (RuntimeException ex) {
      // recording must not change the call's outcome
      log.warn("{}: event not recorded", where, ex);
    }
  }

  private long quantity(String expression, EvaluationContext ctx, String where, Throwable failure,
      boolean countedNothing) {
    if (expression.isEmpty() || countedNothing) {
      // the guard counted nothing: neither may the event (a log that re-seeds counters, or sums usage)
      return 0;
    }
    try {
      return expressions.amount(expression, ctx, where);
    } catch (IllegalArgumentException e) {
      if (failure == null) {
        throw e;
      }
      return 0; // after a failure #result is null; quantities that depend on it count nothing
    }
  }

  /**
   * The failure's simple class name, or its nearest superclass's that has one: an anonymous exception
   * ({@code new IllegalStateException() {}}) has an empty simple name, which an event refuses.
   */
  static String errorCode(Throwable failure) {
    Class<?> c = failure.getClass();
    while (c.getSimpleName().isEmpty() && c.getSuperclass() != null) {
      c = c.getSuperclass();
    }
    return c.getSimpleName();
  }
}
