package dev.usage.spring.autoconfigure;

import dev.usage.UsageEngine;

/**
 * Changes the engine's builder after the {@code usage.*} properties are applied and before the engine is
 * built: the way to set what has no property (a {@code Clock}, custom tiers with SOFT quotas, thresholds).
 * Beans of this type are applied in {@link org.springframework.core.Ordered} order.
 */
@FunctionalInterface
public interface UsageEngineBuilderCustomizer {

  /** Adjusts {@code builder}; called once, on the thread that creates the engine bean. */
  void customize(UsageEngine.Builder builder);
}
