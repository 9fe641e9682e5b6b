package dev.usage.memory;

import dev.usage.testkit.AnalyticsServiceContract;
import dev.usage.testkit.StorageFixture;

class InMemoryAnalyticsServiceTest extends AnalyticsServiceContract {
  @Override
  protected StorageFixture fixture() {
    return new InMemoryFixture();
  }

  @org.junit.jupiter.api.Test
  @Override
  protected void processingTimesAddUpPastWhatNanosecondsHold() {
    super.processingTimesAddUpPastWhatNanosecondsHold();
  }
}
