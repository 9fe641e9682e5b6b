package dev.usage.jdbc;

import dev.usage.testkit.EventAnalyticsContract;
import dev.usage.testkit.StorageFixture;

/** The analytics primitives' contract on PostgreSQL on loopback. */
class PostgresEventAnalyticsIT extends EventAnalyticsContract {

  @Override
  protected StorageFixture fixture() {
    return new JdbcFixture.Postgres();
  }
}
