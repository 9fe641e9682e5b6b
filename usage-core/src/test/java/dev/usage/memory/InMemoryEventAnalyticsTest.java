package dev.usage.memory;

import dev.usage.testkit.EventAnalyticsContract;
import dev.usage.testkit.StorageFixture;

class InMemoryEventAnalyticsTest extends EventAnalyticsContract {
  @Override
  protected StorageFixture fixture() {
    return new InMemoryFixture();
  }
}
