package dev.usage.memory;

import dev.usage.testkit.OverflowContract;
import dev.usage.testkit.StorageFixture;

/** The overflow contract on the in-memory storage. */
class InMemoryOverflowTest extends OverflowContract {

  @Override
  protected StorageFixture fixture() {
    return new InMemoryFixture();
  }
}
