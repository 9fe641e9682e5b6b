package dev.usage.testkit;

import dev.usage.spi.UsageStorage;

/** Helpers for tests that share one storage between several engines. */
public final class Storages {

  private Storages() {}

  /**
   * The storage's parts and capabilities without its {@code close()}: an engine built over it can be closed
   * (as engines close their storage) while the storage stays open for the next one.
   */
  public static UsageStorage shared(UsageStorage storage) {
    return UsageStorage.composite(storage.counters(), storage.events(), storage.userQuotas(), storage.history(),
        storage.notifications(), storage.capabilities());
  }
}
