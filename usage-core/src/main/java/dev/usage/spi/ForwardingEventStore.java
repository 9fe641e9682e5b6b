package dev.usage.spi;

import dev.usage.QuotaType;
import dev.usage.SystemUsage;
import dev.usage.UsageEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An event store that hands every call to another. Extend it to add to some calls (publish what an append
 * stored, count appends) and keep the rest as they are, including {@link EventStore#analytics()}, which a
 * decorator implementing {@link EventStore} itself would silently answer empty.
 */
public abstract class ForwardingEventStore implements EventStore {

  private final EventStore delegate;

  /**
   * @param delegate the store every call goes to
   * @throws NullPointerException when {@code delegate} is null
   */
  protected ForwardingEventStore(EventStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The store every call goes to. */
  protected final EventStore delegate() {
    return delegate;
  }

  @Override
  public int append(List<UsageEvent> events) {
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
