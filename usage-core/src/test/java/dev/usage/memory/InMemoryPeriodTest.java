package dev.usage.memory;

import dev.usage.testkit.PeriodContract;
import dev.usage.testkit.StorageFixture;

/** The period contract on the in-memory storage. */
class InMemoryPeriodTest extends PeriodContract {

  @Override
  protected StorageFixture fixture() {
    return new InMemoryFixture();
  }
}
