package dev.usage.memory;

import dev.usage.testkit.ExactAdmissionContract;
import dev.usage.testkit.StorageFixture;

class InMemoryExactAdmissionTest extends ExactAdmissionContract {
  @Override
  protected StorageFixture fixture() {
    return new InMemoryFixture();
  }
}
