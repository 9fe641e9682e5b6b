package dev.usage.jdbc;

import dev.usage.testkit.EventAnalyticsContract;
import dev.usage.testkit.StorageFixture;

/** The analytics primitives' contract on MariaDB on loopback. */
class MariaDbEventAnalyticsIT extends EventAnalyticsContract {

  @Override
  protected StorageFixture fixture() {
    return new JdbcFixture.MariaDb();
  }
}
