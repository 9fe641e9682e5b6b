package dev.usage.spring.autoconfigure;

import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** The condition behind {@link ConditionalOnUsageStore}: binds {@code usage.store} with relaxed names. */
final class OnUsageStoreCondition extends SpringBootCondition {

  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    Map<String, Object> attributes = metadata.getAnnotationAttributes(ConditionalOnUsageStore.class.getName());
    UsageProperties.Store wanted = (UsageProperties.Store) attributes.get("value");
    UsageProperties.Store chosen = Binder.get(context.getEnvironment())
        .bind("usage.store", UsageProperties.Store.class).orElse(UsageProperties.Store.AUTO);
    if (chosen == wanted || chosen == UsageProperties.Store.AUTO) {
      return ConditionOutcome.match("usage.store is " + chosen);
    }
    return ConditionOutcome.noMatch("usage.store is " + chosen + ", not " + wanted);
  }
}
