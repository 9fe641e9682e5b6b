package dev.usage.jdbc;

import dev.usage.testkit.AnalyticsServiceContract;
import dev.usage.testkit.StorageFixture;

/** The analytics service's contract on H2 in memory (no server needed). */
class H2AnalyticsServiceTest extends AnalyticsServiceContract {

  @Override
  protected StorageFixture fixture() {
    return new JdbcFixture.H2();
  }

  @org.junit.jupiter.api.Test
  @Override
  protected void processingTimesAddUpPastWhatNanosecondsHold() {
    super.processingTimesAddUpPastWhatNanosecondsHold();
  }
}
