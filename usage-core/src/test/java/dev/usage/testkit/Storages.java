package dev.usage.testkit;

import dev.usage.UsageListener;
import dev.usage.spi.CounterStore;
import dev.usage.spi.EventStore;
import dev.usage.spi.NotificationLedger;
import dev.usage.spi.PeriodHistoryStore;
import dev.usage.spi.StorageCapability;
import dev.usage.spi.UsageStorage;
import dev.usage.spi.UserQuotaStore;
import java.util.List;
import java.util.Set;

/** Helpers for tests that share one storage between several engines. */
public final class Storages {

  private Storages() {}

  /**
   * The storage's parts, capabilities and listeners without its {@code close()}: an engine built over it can be
   * closed (as engines close their storage) while the storage stays open for the next one.
   */
  public static UsageStorage shared(UsageStorage storage) {
    return new UsageStorage() {
      @Override
      public CounterStore counters() {
        return storage.counters();
      }

      @Override
      public EventStore events() {
        return storage.events();
      }

      @Override
      public UserQuotaStore userQuotas() {
        return storage.userQuotas();
      }

      @Override
      public PeriodHistoryStore history() {
        return storage.history();
      }

      @Override
      public NotificationLedger notifications() {
        return storage.notifications();
      }

      @Override
      public Set<StorageCapability> capabilities() {
        return storage.capabilities();
      }

      @Override
      public List<UsageListener> listeners() {
        return storage.listeners();
      }
    };
  }
}
