package dev.usage.spring.aop;

import dev.usage.QuotaType;
import dev.usage.spring.annotation.QuotaGuard;
import dev.usage.spring.annotation.TrackUsage;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.BridgeMethodResolver;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/**
 * The annotations of one method, read once.
 *
 * @param method the method as declared by the target class
 * @param where how messages name it, {@code ClassName.method}
 * @param guard the quota guard, or null
 * @param track the tracking annotation, or null
 * @param amounts the guard's amounts, with their quota types resolved
 * @param reservation whether some amount has an {@code actual} expression
 */
record GuardedMethod(Method method, String where, QuotaGuard guard, TrackUsage track, List<TypedAmount> amounts,
    boolean reservation) {

  /** One amount of the guard. */
  record TypedAmount(QuotaType type, String value, String actual) {}

  /**
   * The annotation of {@code type} on {@code method} as {@code targetClass} has it: on the method, a method it
   * overrides, or an interface method it implements (Spring's search); or, for a method {@code targetClass} inherits
   * from a superclass that does not implement the interface, on an interface method of {@code targetClass} that it
   * implements there (Spring's search misses it, so such a method would otherwise run unguarded).
   *
   * @param targetClass the bean's class, or null
   */
  static <A extends Annotation> A find(Method method, Class<?> targetClass, Class<A> type) {
    A found = AnnotatedElementUtils.findMergedAnnotation(method, type);
    if (found != null || targetClass == null) {
      return found;
    }
    Class<?> user = ClassUtils.getUserClass(targetClass);
    Method runs = BridgeMethodResolver.findBridgedMethod(method); // a bridge's call goes to the method it bridges
    Class<?> declaring = runs.getDeclaringClass();
    if (declaring == user || declaring == Object.class || declaring.isInterface()
        || Modifier.isStatic(runs.getModifiers()) || Modifier.isPrivate(runs.getModifiers())) {
      return null; // Spring's search covered it
    }
    for (Class<?> i : ClassUtils.getAllInterfacesForClassAsSet(user)) {
      if (i.isAssignableFrom(declaring)) {
        continue; // the superclass implements it: Spring's search covered it
      }
      for (Method declared : i.getDeclaredMethods()) {
        if (!declared.getName().equals(runs.getName())
            || declared.getParameterCount() != runs.getParameterCount()
            || Modifier.isStatic(declared.getModifiers())) {
          continue;
        }
        A onInterface = AnnotatedElementUtils.findMergedAnnotation(declared, type);
        if (onInterface != null && implementedBy(declared, user, runs)) {
          return onInterface;
        }
      }
    }
    return null;
  }

  /**
   * Whether {@code user} implements interface method {@code declared} by {@code method} (through the bridge javac
   * adds where the interface's parameter types are generic).
   */
  static boolean implementedBy(Method declared, Class<?> user, Method method) {
    Method implementation = ClassUtils.getMostSpecificMethod(declared, user);
    return implementation.equals(method) || BridgeMethodResolver.findBridgedMethod(implementation).equals(method);
  }

  /** Whether {@code method}, as {@code targetClass} has it, is annotated to be guarded or tracked. */
  static boolean annotated(Method method, Class<?> targetClass) {
    return find(method, targetClass, QuotaGuard.class) != null || find(method, targetClass, TrackUsage.class) != null;
  }

  /**
   * @param method the method {@code targetClass} runs
   * @param targetClass the bean's class, or null
   */
  static GuardedMethod of(Method method, Class<?> targetClass) {
    QuotaGuard guard = find(method, targetClass, QuotaGuard.class);
    TrackUsage track = find(method, targetClass, TrackUsage.class);
    String where = method.getDeclaringClass().getSimpleName() + "." + method.getName();
    List<TypedAmount> amounts = new ArrayList<>();
    boolean reservation = false;
    if (guard != null) {
      for (QuotaGuard.Amount a : guard.amounts()) {
        QuotaType type;
        try {
          type = QuotaType.of(a.type());
        } catch (RuntimeException e) {
          throw new IllegalStateException("@QuotaGuard on " + where + ": " + e.getMessage(), e);
        }
        amounts.add(new TypedAmount(type, a.value(), a.actual()));
        reservation |= !a.actual().isEmpty();
      }
      if (amounts.isEmpty()) {
        throw new IllegalStateException("@QuotaGuard on " + where + " names no amount");
      }
      long types = amounts.stream().map(TypedAmount::type).distinct().count();
      if (reservation && types > dev.usage.Consumption.MAX_RESERVED_TYPES) {
        throw new IllegalStateException("@QuotaGuard on " + where + " reserves " + types
            + " quota types; a reservation holds at most " + dev.usage.Consumption.MAX_RESERVED_TYPES);
      }
    }
    return new GuardedMethod(method, where, guard, track, List.copyOf(amounts), reservation);
  }

  /** Every expression of the annotations, for the start-up check. */
  List<String> expressions() {
    List<String> out = new ArrayList<>();
    if (guard != null) {
      out.add(guard.user());
      out.add(guard.idempotencyKey());
      amounts.forEach(a -> {
        out.add(a.value());
        out.add(a.actual());
      });
    }
    if (track != null) {
      out.addAll(List.of(track.user(), track.characters(), track.requests(), track.inputTokens(), track.outputTokens()));
    }
    out.removeIf(String::isEmpty);
    return out;
  }

  /** Whether some annotation leaves the user to the {@link UserIdResolver}. */
  boolean needsUserResolver() {
    return (guard != null && guard.user().isEmpty()) || (track != null && track.user().isEmpty());
  }
}
