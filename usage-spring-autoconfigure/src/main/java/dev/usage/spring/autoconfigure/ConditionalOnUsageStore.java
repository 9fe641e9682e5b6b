package dev.usage.spring.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Conditional;

/**
 * Matches when {@code usage.store} names this store, or is {@code auto} (the default), in which case the
 * store's own bean conditions decide.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Documented
@Conditional(OnUsageStoreCondition.class)
@interface ConditionalOnUsageStore {

  /** The store this configuration provides. */
  UsageProperties.Store value();
}
