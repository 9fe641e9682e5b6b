package dev.usage.spring.aop;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.Advisor;
import org.springframework.aop.framework.Advised;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Puts method validation ({@code @Validated}) ahead of the guard in a guarded bean's proxy, so that arguments are
 * validated before anything is charged. Spring's {@code MethodValidationPostProcessor} adds its advisor to a bean
 * the auto-proxy creator already proxied after the advisors there, inside the guard: a call with invalid arguments
 * was charged (and the guard's expressions evaluated on them) before it was refused. Not {@code Ordered}, so it runs
 * after every ordered post-processor, that one included, for every bean as it is made (lazy, prototype and scoped
 * beans too); {@link GuardedMethodVerifier} does the same at start-up for singletons made before it was registered
 * (a dependency of a post-processor). A frozen proxy is wrapped by Spring in a new one with validation outside the
 * guard already.
 */
public final class ValidationBeforeGuard implements BeanPostProcessor {

  private static final Logger log = LoggerFactory.getLogger(ValidationBeforeGuard.class);
  private static final String VALIDATION = "org.springframework.validation.beanvalidation.MethodValidationInterceptor";

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof Advised advised) {
      moveAhead(beanName, advised);
    }
    return bean;
  }

  /**
   * Moves method validation ahead of the guard in {@code advised}'s chain, if it is behind it; also called by
   * {@link GuardedMethodVerifier} at start-up for singletons made before this post-processor was registered.
   */
  static void moveAhead(String beanName, Advised advised) {
    if (!advised.isFrozen()) {
      Advisor[] advisors = advised.getAdvisors();
      int guard = -1;
      for (int i = 0; i < advisors.length && guard < 0; i++) {
        if (advisors[i] instanceof UsageGuardAdvisor) {
          guard = i;
        }
      }
      for (int i = guard + 1; guard >= 0 && i < advisors.length; i++) {
        if (validates(advisors[i])) {
          advised.removeAdvisor(i);
          advised.addAdvisor(guard, advisors[i]);
          log.debug("Method validation of bean '{}' moved ahead of its quota guard", beanName);
          break;
        }
      }
    }
  }

  /** Whether the advisor is method validation's (by name: Bean Validation may be absent, and the class with it). */
  private static boolean validates(Advisor advisor) {
    for (Class<?> c = advisor.getAdvice().getClass(); c != null; c = c.getSuperclass()) {
      if (c.getName().equals(VALIDATION)) {
        return true;
      }
    }
    return false;
  }
}
