package dev.usage.memory;

import dev.usage.spi.UsageStorage;
import dev.usage.testkit.StorageFixture;

/** The in-memory storage for the contract kit. Public with a no-arg constructor for second-JVM runs. */
public final class InMemoryFixture implements StorageFixture {

  @Override
  public UsageStorage open() {
    return InMemoryUsageStorage.create();
  }
}
