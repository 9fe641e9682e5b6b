package dev.usage.internal;

import dev.usage.QuotaType;
import dev.usage.SystemUsage;
import dev.usage.UsageEvent;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An event store that runs a test's hook before each append (to block it or make it fail) and forwards
 * everything to a real store.
 */
class AppendHook implements EventStore {

  private final EventStore delegate;
  private final Consumer<List<UsageEvent>> beforeAppend;

  AppendHook(EventStore delegate, Runnable beforeAppend) {
    this(delegate, events -> beforeAppend.run());
  }

  /** A hook that sees each batch before it is appended. */
  AppendHook(EventStore delegate, Consumer<List<UsageEvent>> beforeAppend) {
    this.delegate = delegate;
    this.beforeAppend = beforeAppend;
  }

  @Override
  public int append(List<UsageEvent> events) {
    beforeAppend.accept(events);
    return delegate.append(events);
  }

  @Override
  public SystemUsage systemUsage(Instant from, Instant to) {
    return delegate.systemUsage(from, to);
  }

  @Override
  public Map<QuotaType, Long> userTotals(String userId, Instant from, Instant to) {
    return delegate.userTotals(userId, from, to);
  }

  @Override
  public Optional<EventAnalytics> analytics() {
    return delegate.analytics();
  }
}
