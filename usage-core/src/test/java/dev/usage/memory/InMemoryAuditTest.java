package dev.usage.memory;

import dev.usage.testkit.AuditContract;
import dev.usage.testkit.StorageFixture;

class InMemoryAuditTest extends AuditContract {
  @Override
  protected StorageFixture fixture() {
    return new InMemoryFixture();
  }
}
