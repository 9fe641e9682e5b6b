package dev.usage.spring.aop;

import dev.usage.spring.annotation.QuotaGuard;
import dev.usage.spring.annotation.TrackUsage;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Fails start-up, naming each method, when an annotated method would silently run unguarded: private,
 * static or final methods, methods of final classes, beans that were not proxied, and methods a JDK
 * (interface) proxy cannot see. Also parses every expression, and refuses annotations without a user when
 * there is no {@link UserIdResolver}.
 *
 * <p>Calls from the same object (self-invocation) bypass any proxy. They are looked for in each annotated
 * bean's bytecode ({@link SelfInvocations}) and reported with a warning naming the caller and the annotated
 * method (not a failure: a call on another instance of the same class looks the same in bytecode); the
 * findings are also available from {@link #selfInvocations()}. See {@link QuotaGuard}.
 */
public final class GuardedMethodVerifier implements SmartInitializingSingleton, BeanFactoryAware {

  private static final Logger log = LoggerFactory.getLogger(GuardedMethodVerifier.class);

  private final UsageGuardInterceptor interceptor;
  private final Set<String> selfInvocations = new LinkedHashSet<>();
  private ConfigurableListableBeanFactory beanFactory;

  public GuardedMethodVerifier(UsageGuardInterceptor interceptor) {
    this.interceptor = interceptor;
  }

  @Override
  public void setBeanFactory(BeanFactory factory) {
    this.beanFactory = (ConfigurableListableBeanFactory) factory;
  }

  @Override
  public void afterSingletonsInstantiated() {
    boolean hasResolver = beanFactory.getBeanNamesForType(UserIdResolver.class, true, false).length > 0;
    Set<String> problems = new LinkedHashSet<>();
    Set<Class<?>> scanned = new HashSet<>();
    for (String name : beanFactory.getBeanDefinitionNames()) {
      if (beanFactory.getBeanDefinition(name).isAbstract()) {
        continue;
      }
      Object instance = beanFactory.containsSingleton(name) ? beanFactory.getSingleton(name) : null;
      Class<?> type = instance != null && !(instance instanceof FactoryBean)
          ? AopUtils.getTargetClass(instance) : beanFactory.getType(name, false);
      if (type == null) {
        continue;
      }
      Class<?> userClass = ClassUtils.getUserClass(type);
      List<Method> annotated = annotatedMethods(userClass);
      for (Method m : annotated) {
        check(name, instance instanceof FactoryBean ? null : instance, userClass, m, hasResolver, problems);
      }
      if (!annotated.isEmpty() && scanned.add(userClass)) {
        for (String call : SelfInvocations.find(userClass, annotated)) {
          String finding = userClass.getName() + ": " + call;
          selfInvocations.add(finding);
          log.warn("@QuotaGuard / @TrackUsage: {} on the same object, which bypasses the Spring proxy: that call is"
              + " not guarded or tracked. Call it through the bean (inject it) instead.", finding);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("@QuotaGuard / @TrackUsage would not guard these methods:\n  - "
          + String.join("\n  - ", problems));
    }
  }

  /**
   * The self-invocations found at start-up, each as {@code "com.example.Service: Service.caller calls
   * Service.guarded"}.
   */
  public Set<String> selfInvocations() {
    return Collections.unmodifiableSet(selfInvocations);
  }

  private void check(String bean, Object instance, Class<?> userClass, Method m, boolean hasResolver, Set<String> problems) {
    String where = userClass.getName() + "." + m.getName() + " (bean '" + bean + "')";
    int mod = m.getModifiers();
    if (Modifier.isPrivate(mod) || Modifier.isStatic(mod) || Modifier.isFinal(mod)) {
      problems.add(where + ": a " + (Modifier.isPrivate(mod) ? "private" : Modifier.isStatic(mod) ? "static" : "final")
          + " method cannot be proxied; make it public (or protected) and non-final");
    } else if (Modifier.isFinal(userClass.getModifiers())) {
      problems.add(where + ": the class is final and cannot be proxied");
    } else if (instance != null && !AopUtils.isAopProxy(instance)) {
      problems.add(where + ": the bean was not proxied (is an auto-proxy creator disabled, or was the bean created before it?)");
    } else if (instance != null && AopUtils.isJdkDynamicProxy(instance) && !onInterface(userClass, m)) {
      problems.add(where + ": the bean is an interface proxy and no interface declares the method; "
          + "declare it on the interface or proxy the class (spring.aop.proxy-target-class=true)");
    }
    try {
      GuardedMethod g = interceptor.describe(m);
      for (String e : g.expressions()) {
        interceptor.expressions().parse(e, where);
      }
      if (g.needsUserResolver() && !hasResolver) {
        problems.add(where + ": no user expression, and no UserIdResolver bean (add Spring Security or set user)");
      }
    } catch (IllegalStateException e) {
      problems.add(e.getMessage());
    }
  }

  private static List<Method> annotatedMethods(Class<?> type) {
    List<Method> out = new ArrayList<>();
    ReflectionUtils.doWithMethods(type, out::add, m -> !m.isBridge() && !m.isSynthetic()
        && (AnnotatedElementUtils.hasAnnotation(m, QuotaGuard.class) || AnnotatedElementUtils.hasAnnotation(m, TrackUsage.class)));
    return out;
  }

  private static boolean onInterface(Class<?> type, Method m) {
    for (Class<?> i : ClassUtils.getAllInterfacesForClassAsSet(type)) {
      if (ClassUtils.hasMethod(i, m.getName(), m.getParameterTypes())) {
        return true;
      }
    }
    return false;
  }
}
