package dev.usage.memory;

import dev.usage.testkit.NotificationContract;
import dev.usage.testkit.StorageFixture;

class InMemoryNotificationTest extends NotificationContract {
  @Override
  protected StorageFixture fixture() {
    return new InMemoryFixture();
  }
}
