package dev.usage.memory;

import dev.usage.testkit.HistoryContract;
import dev.usage.testkit.StorageFixture;

class InMemoryHistoryTest extends HistoryContract {
  @Override
  protected StorageFixture fixture() {
    return new InMemoryFixture();
  }
}
