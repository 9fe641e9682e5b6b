package dev.usage.spring.aop;

import dev.usage.Consumption;
import dev.usage.InvalidUsageException;
import dev.usage.QuotaDecision;
import dev.usage.QuotaExceededException;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.UsageStorageException;
import dev.usage.UsageTrackingService;
import dev.usage.spring.aop.GuardedMethod.TypedAmount;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.MethodClassKey;
import org.springframework.expression.EvaluationContext;

/**
 * Runs {@code @QuotaGuard} and {@code @TrackUsage} around a proxied method call. When a method carries both,
 * tracking is outermost: a denied call is recorded as failed with error code {@code quota_exceeded}.
 * Thread-safe.
 */
public final class UsageGuardInterceptor implements MethodInterceptor {

  private static final Logger log = LoggerFactory.getLogger(UsageGuardInterceptor.class);

  private final ObjectProvider<UsageTrackingService> trackingProvider;
  private volatile UsageTrackingService tracking;
  private final GuardExpressions expressions;
  private final ObjectProvider<UserIdResolver> users;
  private volatile Optional<UserIdResolver> userResolver;
  private final ObjectProvider<GuardCallContext> callContexts;
  private volatile Optional<GuardCallContext> callContext;
  private final ObjectProvider<UsageGuardListener> listenerBeans;
  private volatile List<UsageGuardListener> listeners;
  /** By method and target class: a superclass method may be guarded in one subclass (by its interface) only. */
  private final Map<MethodClassKey, GuardedMethod> methods = new ConcurrentHashMap<>();
  private final UsageEventRecorder recorder;
  private final ObjectProvider<PendingCommits> pendingCommits;
  private volatile Optional<PendingCommits> retrier;

  /**
   * The service is looked up at the first call, not when the proxies are made: advisors are created early,
   * and the engine's storage must not pull the host's DataSource out of its normal creation order.
   */
  public UsageGuardInterceptor(ObjectProvider<UsageTrackingService> tracking, BeanFactory beanFactory,
      ObjectProvider<UserIdResolver> users, ObjectProvider<GuardCallContext> callContexts,
      ObjectProvider<UsageGuardListener> listeners) {
    this(tracking, beanFactory, users, callContexts, listeners, beanFactory.getBeanProvider(PendingCommits.class));
  }

  /**
   * @param pendingCommits retries in the background a commit the store failed after the method did its work; with
   *     none, that failure is thrown to the caller (and the hold lapses uncharged)
   */
  public UsageGuardInterceptor(ObjectProvider<UsageTrackingService> tracking, BeanFactory beanFactory,
      ObjectProvider<UserIdResolver> users, ObjectProvider<GuardCallContext> callContexts,
      ObjectProvider<UsageGuardListener> listeners, ObjectProvider<PendingCommits> pendingCommits) {
    this.pendingCommits = pendingCommits;
    this.trackingProvider = tracking;
    this.expressions = new GuardExpressions(beanFactory);
    this.users = users;
    this.callContexts = callContexts;
    this.listenerBeans = listeners;
    this.recorder = new UsageEventRecorder(this::tracking, expressions, this::listeners);
  }

  /** The listener beans, looked up at the first call (they are singletons of a refreshed context by then). */
  private List<UsageGuardListener> listeners() {
    List<UsageGuardListener> l = listeners;
    if (l == null) {
      l = listenerBeans.orderedStream().toList();
      listeners = l;
    }
    return l;
  }

  /** The call context bean, looked up once: a lookup per call would cost more than the guard itself. */
  private GuardCallContext callContext() {
    Optional<GuardCallContext> c = callContext;
    if (c == null) {
      c = Optional.ofNullable(callContexts.getIfAvailable());
      callContext = c;
    }
    return c.orElse(null);
  }

  private UsageTrackingService tracking() {
    UsageTrackingService t = tracking;
    if (t == null) {
      t = trackingProvider.getObject();
      tracking = t;
    }
    return t;
  }

  @Override
  public Object invoke(MethodInvocation invocation) throws Throwable {
    Class<?> targetClass = invocation.getThis() == null ? null : AopUtils.getTargetClass(invocation.getThis());
    Method method = AopUtils.getMostSpecificMethod(invocation.getMethod(), targetClass);
    GuardedMethod g = describe(method, targetClass);
    EvaluationContext ctx = expressions.context(method, invocation.getArguments());
    GuardCallContext call = callContext();
    if (g.track() == null) {
      return guard(invocation, g, ctx, call, new Counted());
    }
    long start = System.nanoTime(); // elapsed time only; instants come from the engine's clock
    Object result = null;
    Throwable failure = null;
    Counted counted = new Counted();
    try {
      result = guard(invocation, g, ctx, call, counted);
      return result;
    } catch (Throwable t) {
      failure = t;
      throw t;
    } finally {
      String endpoint = g.track().endpoint().isEmpty()
          ? Optional.ofNullable(call).flatMap(GuardCallContext::endpoint).orElse(g.where())
          : g.track().endpoint();
      recorder.record(g, ctx, userOrNull(g.track().user(), ctx, g), endpoint, System.nanoTime() - start, result,
          failure, counted.nothing);
    }
  }

  /**
   * Whether the guard counted nothing for the call: it denied it or failed before deciding (the method did not
   * run), the call replayed an earlier one's key, or its reservation was released. The tracked event then carries
   * no quantities.
   */
  private static final class Counted {
    boolean nothing;
  }

  private Object guard(MethodInvocation invocation, GuardedMethod g, EvaluationContext ctx, GuardCallContext call,
      Counted counted) throws Throwable {
    if (g.guard() == null) {
      return invocation.proceed();
    }
    String where = "@QuotaGuard on " + g.where();
    // nothing is counted until an allowed decision says so: a guard that throws first (an unresolved user, an
    // expression, a store failure while fail-closed, an idempotency conflict) counted nothing either
    counted.nothing = true;
    Consumption.Builder request = Consumption.builder(guardUser(g, ctx));
    for (TypedAmount a : g.amounts()) {
      long estimate = expressions.amount(a.value(), ctx, where);
      // an amount with an actual expression holds at least one unit: a type left out of the reservation (an
      // estimate of 0) could not be charged its actual amount afterwards
      request.amount(a.type(), a.actual().isEmpty() || estimate < 0 ? estimate : Math.max(1, estimate));
    }
    if (!g.guard().idempotencyKey().isEmpty()) {
      request.idempotencyKey(expressions.text(g.guard().idempotencyKey(), ctx, where));
    }
    Consumption consumption = request.build();
    QuotaDecision decision = g.reservation() ? tracking().reserveQuota(consumption) : tracking().consumeQuota(consumption);
    if (call != null) {
      call.decided(decision);
    }
    if (!decision.allowed()) {
      String feature = g.track() == null ? "none" : g.track().feature();
      for (UsageGuardListener l : listeners()) {
        try {
          l.denied(consumption.userId(), feature, decision);
        } catch (RuntimeException e) {
          log.warn("{}: listener {} failed", where, l, e);
        }
      }
      throw new QuotaExceededException(decision);
    }
    counted.nothing = decision.replayed();
    QuotaDecision previous = CurrentQuotaDecision.set(decision);
    try {
      if (!g.reservation() || decision.replayed()) {
        // a replay (a retry under the same idempotency key) runs the method again, counting nothing: the key's
        // first call settles its reservation (a failed first call's by committing its estimates, see reserved)
        return invocation.proceed();
      }
      return reserved(invocation, g, ctx, call, decision, where, counted);
    } finally {
      CurrentQuotaDecision.restore(previous);
    }
  }

  /**
   * Runs the method under a reservation; commits the actual amounts after it. A call that throws releases the
   * reservation, or with an idempotency key commits the estimates held: a retry under the key counts nothing
   * and runs the method again, so releasing would let a failed call make its retry free. When an {@code actual}
   * expression fails after the method returned, the work was done: the estimates held are committed before the
   * expression's error is thrown, so that no hold is left to block the quota until it lapses (and then charge
   * nothing).
   */
  private Object reserved(MethodInvocation invocation, GuardedMethod g, EvaluationContext ctx, GuardCallContext call,
      QuotaDecision decision, String where, Counted counted) throws Throwable {
    Optional<Reservation> reservation = decision.reservation();
    Object result;
    try {
      result = invocation.proceed();
    } catch (Throwable t) {
      if (reservation.isPresent() && !g.guard().idempotencyKey().isEmpty()) {
        commitHeld(reservation.get(), where, t);
      } else if (reservation.isPresent()) {
        counted.nothing = true;
        if (release(reservation.get(), where) && call != null) {
          call.released(decision, reservation.get());
        }
      }
      throw t;
    }
    if (reservation.isEmpty()) {
      return result; // a degraded (fail-open) decision holds nothing to settle
    }
    ctx.setVariable("result", result);
    Map<QuotaType, Long> held = reservation.get().amounts();
    Map<QuotaType, Long> actual = new LinkedHashMap<>();
    try {
      for (TypedAmount a : g.amounts()) {
        // a type the reservation left out (an estimate of 0, no actual expression) is charged nothing
        if (held.containsKey(a.type())) {
          actual.put(a.type(), a.actual().isEmpty() ? held.get(a.type()) : expressions.amount(a.actual(), ctx, where));
        }
      }
    } catch (RuntimeException e) {
      // an actual expression failed (or a method it calls threw): nothing was charged yet
      commitHeld(reservation.get(), where, e);
      throw e;
    }
    QuotaDecision committed;
    try {
      committed = tracking().commitReservation(reservation.get(), actual);
    } catch (InvalidUsageException e) {
      // the commit refused the amounts (negative, past the maximum) and changed nothing
      commitHeld(reservation.get(), where, e);
      throw e;
    } catch (UsageStorageException e) {
      // the work is done and its result is the caller's: the charge follows in the background
      laterOrThrow(reservation.get(), actual, where, e);
      return result;
    }
    CurrentQuotaDecision.set(committed);
    if (call != null) {
      call.decided(committed);
    }
    return result;
  }

  /**
   * Commits the amounts held, when the actual amounts cannot be had (an expression failed, or the call threw under
   * an idempotency key); a failure of the commit is added to {@code cause}.
   */
  private void commitHeld(Reservation r, String where, Throwable cause) {
    try {
      tracking().commitReservation(r, r.amounts());
      log.debug("{}: the estimates held were charged ({})", where, cause.toString());
    } catch (UsageStorageException e) {
      try {
        laterOrThrow(r, r.amounts(), where, e);
      } catch (RuntimeException notTaken) {
        cause.addSuppressed(notTaken);
      }
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  /**
   * Hands a commit the store failed to {@link PendingCommits}, to be retried in the background.
   *
   * @throws UsageStorageException {@code failure}, when there is no such bean or it does not take the commit
   */
  private void laterOrThrow(Reservation r, Map<QuotaType, Long> amounts, String where, UsageStorageException failure) {
    PendingCommits retries = pendingCommits();
    if (retries == null) {
      throw failure;
    }
    retries.retry(r, amounts, where, failure);
  }

  /** The retrier, looked up once; none when the context has none, or is closing. */
  private PendingCommits pendingCommits() {
    Optional<PendingCommits> p = retrier;
    if (p == null) {
      try {
        p = Optional.ofNullable(pendingCommits.getIfAvailable());
      } catch (org.springframework.beans.BeansException closing) {
        return null; // not cached: a context still starting may have it later
      }
      retrier = p;
    }
    return p.orElse(null);
  }

  /** Releases {@code r}; whether it was released. */
  private boolean release(Reservation r, String where) {
    try {
      tracking().releaseReservation(r);
      return true;
    } catch (RuntimeException e) {
      // the hold lapses at its TTL anyway; the caller's own failure is what they must see
      log.warn("{}: could not release reservation {} after the call failed", where, r.id(), e);
      return false;
    }
  }

  /** The user the guard charges; nothing is consumed when there is none. */
  private String guardUser(GuardedMethod g, EvaluationContext ctx) {
    String expression = g.guard().user();
    return user(expression, ctx, g).orElseThrow(() -> new QuotaUserUnresolvedException(g.where(), expression));
  }

  /** The user of {@code expression}, or of the {@link UserIdResolver} when it is empty; empty when there is none. */
  private Optional<String> user(String expression, EvaluationContext ctx, GuardedMethod g) {
    if (!expression.isEmpty()) {
      return expressions.optionalText(expression, ctx, g.where());
    }
    Optional<UserIdResolver> r = userResolver;
    if (r == null) {
      r = Optional.ofNullable(users.getIfAvailable());
      userResolver = r;
    }
    UserIdResolver resolver = r.orElse(null);
    if (resolver == null) {
      // the start-up check refuses such a method; only a host that replaced the check gets here
      throw new IllegalStateException(g.where() + ": no user expression and no UserIdResolver bean");
    }
    return resolver.currentUserId();
  }

  private String userOrNull(String expression, EvaluationContext ctx, GuardedMethod g) {
    try {
      Optional<String> user = user(expression, ctx, g);
      if (user.isEmpty()) {
        log.warn("@TrackUsage on {}: no user ({}), event not recorded", g.where(),
            expression.isEmpty() ? "no authenticated principal" : "'" + expression + "' gave null");
      }
      return user.orElse(null);
    } catch (RuntimeException e) {
      log.warn("@TrackUsage on {}: no user, event not recorded: {}", g.where(), e.getMessage());
      return null;
    }
  }

  /** The annotations of {@code method} as {@code targetClass} (or null) has it, read and checked once. */
  GuardedMethod describe(Method method, Class<?> targetClass) {
    return methods.computeIfAbsent(new MethodClassKey(method, targetClass), k -> GuardedMethod.of(method, targetClass));
  }

  GuardExpressions expressions() {
    return expressions;
  }
}
