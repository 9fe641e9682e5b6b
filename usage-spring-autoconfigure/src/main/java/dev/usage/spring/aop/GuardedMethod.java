package dev.usage.spring.aop;

import dev.usage.QuotaType;
import dev.usage.spring.annotation.QuotaGuard;
import dev.usage.spring.annotation.TrackUsage;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.annotation.AnnotatedElementUtils;

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

  static GuardedMethod of(Method method) {
    QuotaGuard guard = AnnotatedElementUtils.findMergedAnnotation(method, QuotaGuard.class);
    TrackUsage track = AnnotatedElementUtils.findMergedAnnotation(method, TrackUsage.class);
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
