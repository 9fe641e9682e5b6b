package dev.usage.spring.aop;

import dev.usage.spring.annotation.QuotaGuard;
import dev.usage.spring.annotation.TrackUsage;
import java.lang.reflect.Method;
import org.aopalliance.aop.Advice;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.StaticMethodMatcherPointcut;

/**
 * Applies {@link UsageGuardInterceptor} to every method annotated with {@link QuotaGuard} or
 * {@link TrackUsage}, directly, through a composed annotation, or on the interface method or superclass method
 * it implements or overrides (also an interface method of the bean's class that it implements by an inherited
 * method). Ordered after Spring Security's method authorization (so the user is known) and before
 * transactions (so a denied call opens none). Method validation ({@code @Validated}), which Spring adds inside
 * the advisors already there, is moved ahead of it ({@link ValidationBeforeGuard}): arguments are
 * validated before anything is charged. Advice that Spring puts ahead of every other ({@code @Async},
 * {@code @Retryable}) wraps the guard: each attempt of a retried method is guarded, and charged, again, unless
 * the guard has an idempotency key.
 */
public final class UsageGuardAdvisor extends AbstractPointcutAdvisor {
  private static final long serialVersionUID = 1L;

  /** The default order: after method security's interceptors, before {@code @Transactional}'s. */
  public static final int DEFAULT_ORDER = 1_000;

  // an annotation on an interface's method, or on a superclass method the bean's class overrides, is found on the
  // method a class-based proxy calls, as is one on an interface method the bean's class implements by a method it
  // inherits (GuardedMethod.find; the interceptor and the start-up check find it the same way)
  private final transient Pointcut pointcut = new StaticMethodMatcherPointcut() {
    @Override
    public boolean matches(Method method, Class<?> targetClass) {
      if (GuardedMethod.annotated(method, targetClass)) {
        return true;
      }
      Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
      return specific != method && GuardedMethod.annotated(specific, targetClass);
    }
  };
  private final transient UsageGuardInterceptor interceptor;

  public UsageGuardAdvisor(UsageGuardInterceptor interceptor) {
    this.interceptor = interceptor;
    setOrder(DEFAULT_ORDER);
  }

  @Override
  public Pointcut getPointcut() {
    return pointcut;
  }

  @Override
  public Advice getAdvice() {
    return interceptor;
  }

  /** The interceptor, for the start-up verification. */
  public UsageGuardInterceptor interceptor() {
    return interceptor;
  }
}
