package dev.usage.internal;

import dev.usage.UsageEvent;
import dev.usage.spi.EventStore;
import dev.usage.spi.ForwardingEventStore;
import java.util.List;
import java.util.function.Consumer;

/**
 * An event store that runs a test's hook before each append (to block it or make it fail) and forwards
 * everything to a real store.
 */
class AppendHook extends ForwardingEventStore {

  private final Consumer<List<UsageEvent>> beforeAppend;

  AppendHook(EventStore delegate, Runnable beforeAppend) {
    this(delegate, events -> beforeAppend.run());
  }

  /** A hook that sees each batch before it is appended. */
  AppendHook(EventStore delegate, Consumer<List<UsageEvent>> beforeAppend) {
    super(delegate);
    this.beforeAppend = beforeAppend;
  }

  @Override
  public int append(List<UsageEvent> events) {
    beforeAppend.accept(events);
    return super.append(events);
  }
}
