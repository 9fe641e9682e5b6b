package dev.usage.jdbc;

import dev.usage.testkit.AnalyticsServiceContract;
import dev.usage.testkit.StorageFixture;

/** The analytics service's contract on PostgreSQL on loopback. */
class PostgresAnalyticsServiceIT extends AnalyticsServiceContract {

  @Override
  protected StorageFixture fixture() {
    return new JdbcFixture.Postgres();
  }
}
