package dev.usage.jdbc;

import dev.usage.testkit.EventAnalyticsContract;
import dev.usage.testkit.StorageFixture;

/** The analytics primitives' contract on H2 in memory (no server needed). */
class H2EventAnalyticsTest extends EventAnalyticsContract {

  @Override
  protected StorageFixture fixture() {
    return new JdbcFixture.H2();
  }
}
