package dev.usage.memory;

import dev.usage.testkit.InvalidInputContract;
import dev.usage.testkit.StorageFixture;

/** The invalid-input contract on the in-memory storage. */
class InMemoryInvalidInputTest extends InvalidInputContract {

  @Override
  protected StorageFixture fixture() {
    return new InMemoryFixture();
  }
}
