package dev.usage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.spi.StoredCounter;
import dev.usage.testkit.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Each counter is kept until its own period's end plus the counter retention, whichever window the engine consumed
 * in before (it remembers the last window's expiry per kind of period) and whatever zone the user is in.
 */
class CounterExpiryTest {

  private static final QuotaType EXPORTS = QuotaType.of("exports");

  private final SettableClock clock = SettableClock.at("2026-03-10T12:00:00Z");
  private final InMemoryUsageStorage storage = InMemoryUsageStorage.create();
  private final UsageEngine engine = UsageEngine.builder()
      .storage(storage)
      .clock(clock)
      .trackingMode(TrackingMode.SYNC)
      .closeOnShutdown(false)
      .reservationTtl(Duration.ofMinutes(5))
      .idempotencyWindow(Duration.ofHours(1))
      .counterRetention(Duration.ofDays(1))
      .defaultQuota(Quota.daily(EXPORTS, 100))
      .build();

  private List<StoredCounter> counters() {
    return storage.counters().scan(Optional.empty(), 1_000, clock.instant()).counters();
  }

  private void consume(String user, long amount) {
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, EXPORTS, amount)).allowed()).isTrue();
  }

  @Test
  void aCounterOfTheNextDayIsKeptUntilItsOwnDayEndsPlusTheRetention() {
    consume("ann", 3);
    clock.set("2026-03-11T12:00:00Z");
    consume("ann", 2);

    clock.set("2026-03-12T00:30:00Z"); // the 10th's counter expired at the 12th, 00:00; the 11th's at the 13th
    assertThat(counters()).singleElement().satisfies(c -> {
      assertThat(c.periodId()).isEqualTo("D2026-03-11");
      assertThat(c.used()).isEqualTo(2);
    });
    clock.set("2026-03-12T23:59:59Z");
    assertThat(counters()).extracting(StoredCounter::periodId).containsExactly("D2026-03-11");
    clock.set("2026-03-13T00:00:00Z");
    assertThat(counters()).isEmpty();
  }

  @Test
  void usersInAnotherZoneKeepTheirOwnDaysExpiry() {
    engine.quotas().changeBillingCycle("kai", ZoneId.of("Pacific/Auckland"), 1, "admin", "moved to Auckland");
    consume("ann", 1); // UTC: 2026-03-10, expires 2026-03-12T00:00Z
    consume("kai", 1); // Auckland (+13:00): 2026-03-11 local, from 2026-03-10T11:00Z, expires 2026-03-12T11:00Z
    consume("ann", 1);

    clock.set("2026-03-12T10:59:59Z");
    assertThat(counters()).extracting(StoredCounter::userId).containsExactly("kai");
    clock.set("2026-03-12T11:00:00Z");
    assertThat(counters()).isEmpty();
  }
}
