package dev.usage.memory;

import dev.usage.testkit.IdempotencyContract;
import dev.usage.testkit.StorageFixture;

class InMemoryIdempotencyTest extends IdempotencyContract {
  @Override
  protected StorageFixture fixture() {
    return new InMemoryFixture();
  }
}
