package dev.usage.spring.autoconfigure;

import dev.usage.UsageEngine;

/**
 * Changes the engine's builder after the {@code usage.*} properties are applied and before the engine is
 * built: the way to set what has no property (tiers replaced wholesale with {@code clearTiers()}, a default
 * quota removed, rollover once supported); the engine's clock is the host's {@code java.time.Clock} bean.
 * Beans of this type are applied in {@link org.springframework.core.Ordered} order.
 */
@FunctionalInterface
public interface UsageEngineBuilderCustomizer {

  /** Adjusts {@code builder}; called once, on the thread that creates the engine bean. */
  void customize(UsageEngine.Builder builder);
}
