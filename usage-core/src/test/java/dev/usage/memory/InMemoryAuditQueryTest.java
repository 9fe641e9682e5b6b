package dev.usage.memory;

import dev.usage.testkit.AuditQueryContract;
import dev.usage.testkit.StorageFixture;

class InMemoryAuditQueryTest extends AuditQueryContract {
  @Override
  protected StorageFixture fixture() {
    return new InMemoryFixture();
  }
}
