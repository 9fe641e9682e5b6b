package dev.usage.memory;

import dev.usage.testkit.EventContract;
import dev.usage.testkit.StorageFixture;

class InMemoryEventTest extends EventContract {
  @Override
  protected StorageFixture fixture() {
    return new InMemoryFixture();
  }
}
