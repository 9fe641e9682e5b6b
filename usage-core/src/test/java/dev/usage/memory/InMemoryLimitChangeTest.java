package dev.usage.memory;

import dev.usage.testkit.LimitChangeContract;
import dev.usage.testkit.StorageFixture;

class InMemoryLimitChangeTest extends LimitChangeContract {
  @Override
  protected StorageFixture fixture() {
    return new InMemoryFixture();
  }
}
