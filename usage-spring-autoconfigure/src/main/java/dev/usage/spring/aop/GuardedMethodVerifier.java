package dev.usage.spring.aop;

import dev.usage.spring.annotation.QuotaGuard;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Fails start-up, naming each method, when an annotated method would silently run unguarded: private,
 * static or final methods, methods of final classes, beans that were not proxied, and methods a JDK
 * (interface) proxy cannot see. Also parses every expression, refuses annotations without a user when
 * there is no {@link UserIdResolver}, and refuses reservation mode (an {@code actual} expression) on a method
 * whose work completes after it returns (a future, a reactive publisher, an asynchronous or streaming MVC body;
 * {@code @TrackUsage} on such a method is a warning).
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
      if (!annotated.isEmpty() && instance instanceof Advised advised) {
        ValidationBeforeGuard.moveAhead(name, advised);
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
      GuardedMethod g = interceptor.describe(m, userClass);
      for (String e : g.expressions()) {
        interceptor.expressions().parse(e, where);
      }
      Class<?> later = completesLater(m);
      if (later != null && g.reservation()) {
        problems.add(where + ": returns a " + later.getSimpleName() + ", whose work completes after the method"
            + " returns, and an actual expression would charge it then; consume the estimates (no actual"
            + " expression), or reserve and commit from the work's completion with UsageTrackingService");
      } else if (later != null && g.track() != null) {
        log.warn("@TrackUsage on {} returns a {}, whose work completes after the method returns: the event records"
            + " the call that started it (its duration, and success unless the method threw)", where,
            later.getSimpleName());
      }
      if (g.needsUserResolver() && !hasResolver) {
        problems.add(where + ": no user expression, and no UserIdResolver bean (add Spring Security or set user)");
      }
    } catch (IllegalStateException e) {
      problems.add(e.getMessage());
    }
  }

  /**
   * The asynchronous type {@code m} returns (a future, a reactive publisher, a Spring MVC asynchronous or
   * streaming body, directly or as the body of a {@code ResponseEntity}), or null.
   */
  static Class<?> completesLater(Method m) {
    Class<?> type = m.getReturnType();
    if (HTTP_ENTITY != null && HTTP_ENTITY.isAssignableFrom(type)) {
      type = ResolvableType.forMethodReturnType(m).as(HTTP_ENTITY).getGeneric(0).toClass();
    }
    for (Class<?> async : ASYNC) {
      if (async.isAssignableFrom(type)) {
        return async;
      }
    }
    return null;
  }

  /** {@code ResponseEntity}'s superclass, when spring-web is on the class path (it is optional here). */
  private static final Class<?> HTTP_ENTITY = optionalClass("org.springframework.http.HttpEntity");

  /** Return types whose work completes after the method returns, those of them this class path has. */
  private static final List<Class<?>> ASYNC = Stream.of(Future.class, CompletionStage.class, Callable.class,
      optionalClass("org.reactivestreams.Publisher"),
      optionalClass("org.springframework.web.context.request.async.DeferredResult"),
      optionalClass("org.springframework.web.context.request.async.WebAsyncTask"),
      optionalClass("org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter"),
      optionalClass("org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody"))
      .filter(Objects::nonNull).toList();

  private static Class<?> optionalClass(String name) {
    ClassLoader loader = GuardedMethodVerifier.class.getClassLoader();
    return ClassUtils.isPresent(name, loader) ? ClassUtils.resolveClassName(name, loader) : null;
  }

  /** The methods of {@code type}, declared or inherited, that are annotated as {@code type} has them. */
  private static List<Method> annotatedMethods(Class<?> type) {
    List<Method> out = new ArrayList<>();
    ReflectionUtils.doWithMethods(type, out::add, m -> !m.isBridge() && !m.isSynthetic()
        && GuardedMethod.annotated(m, type));
    return out;
  }

  /** Whether an interface of {@code type} declares {@code m}, with its parameter types or generic ones. */
  private static boolean onInterface(Class<?> type, Method m) {
    for (Class<?> i : ClassUtils.getAllInterfacesForClassAsSet(type)) {
      if (ClassUtils.hasMethod(i, m.getName(), m.getParameterTypes())) {
        return true;
      }
      for (Method declared : i.getDeclaredMethods()) {
        if (declared.getName().equals(m.getName()) && declared.getParameterCount() == m.getParameterCount()
            && !Modifier.isStatic(declared.getModifiers()) && GuardedMethod.implementedBy(declared, type, m)) {
          return true;
        }
      }
    }
    return false;
  }
}
