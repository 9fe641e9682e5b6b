package dev.usage.spi;

import dev.usage.EventFilter;
import dev.usage.internal.Checks;

/**
 * What the engine asks {@link EventAnalytics}: the events of {@code filter}, with users who have no stored
 * settings counted in {@code defaultTier} (for {@link Dimension#TIER} and {@link EventFilter#tiers()}).
 *
 * @param filter the events
 * @param defaultTier the engine's default tier
 */
public record EventQuery(EventFilter filter, String defaultTier) {

  public EventQuery {
    Checks.notNull("filter", filter);
    Checks.name("defaultTier", defaultTier);
  }
}
