package dev.usage.memory;

import dev.usage.testkit.ReservationContract;
import dev.usage.testkit.StorageFixture;

class InMemoryReservationTest extends ReservationContract {
  @Override
  protected StorageFixture fixture() {
    return new InMemoryFixture();
  }
}
