package dev.usage.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.SystemUsage;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The event log: events are stored once per id, buffered events are all written by close, and counters
 * equal the sum of the events consumed through them (invariant I4).
 */
public abstract class EventContract extends AbstractStorageContract {

  private static final Instant FROM = Instant.parse(START).minus(Duration.ofDays(1));
  private static final Instant TO = Instant.parse(START).plus(Duration.ofDays(1));

  @Test
  void recordedEventsAreSummedPerUserAndSystemWide() {
    UsageEngine engine = engine();
    String a = user("events-a");
    String b = user("events-b");
    engine.tracking().trackUsage(engine.tracking().event(a).characters(100).requests(1).inputTokens(30)
        .outputTokens(12).build());
    engine.tracking().trackUsage(engine.tracking().event(a).characters(50).requests(1).errorCode("LLM_TIMEOUT").build());
    engine.tracking().trackUsage(engine.tracking().event(b).characters(7).requests(1)
        .quantity(QuotaType.of("images"), 2).build());

    assertThat(storage.events().userTotals(a, FROM, TO)).containsExactlyInAnyOrderEntriesOf(Map.of(
        QuotaType.CHARACTERS, 150L, QuotaType.REQUESTS, 2L, QuotaType.TOKENS, 42L));
    assertThat(storage.events().userTotals(b, FROM, TO)).containsEntry(QuotaType.of("images"), 2L);
    SystemUsage all = engine.tracking().getSystemUsage(FROM, TO);
    assertThat(all.events()).isGreaterThanOrEqualTo(3);
    assertThat(all.failedEvents()).isGreaterThanOrEqualTo(1);
    assertThat(all.activeUsers()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void everyCustomQuantityOfAnEventIsStored() {
    UsageEngine engine = engine();
    String user = user("custom");
    engine.tracking().trackUsage(engine.tracking().event(user).requests(1).quantity(QuotaType.of("images"), 2)
        .quantity(QuotaType.of("pages"), 30).quantity(QuotaType.of("audio.seconds"), 7).build());
    engine.tracking().trackUsage(engine.tracking().event(user).quantity(QuotaType.of("pages"), 5).build());
    // and in one batch of many events, as the async writer appends them
    List<UsageEvent> batch = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      batch.add(engine.tracking().event(user).quantity(QuotaType.of("images"), 1).quantity(QuotaType.of("pages"), 2)
          .build());
    }
    storage.events().append(batch);

    assertThat(storage.events().userTotals(user, FROM, TO)).containsExactlyInAnyOrderEntriesOf(Map.of(
        QuotaType.REQUESTS, 1L, QuotaType.of("images"), 302L, QuotaType.of("pages"), 635L,
        QuotaType.of("audio.seconds"), 7L));
  }

  @Test
  void eventsOutsideTheRangeAreNotCounted() {
    UsageEngine engine = engine();
    String user = user("range");
    engine.tracking().trackUsage(engine.tracking().event(user).characters(1).build());
    engine.tracking().trackUsage(engine.tracking().event(user).occurredAt(FROM.minusSeconds(1)).characters(10).build());
    engine.tracking().trackUsage(engine.tracking().event(user).occurredAt(TO).characters(100).build());

    assertThat(storage.events().userTotals(user, FROM, TO)).containsExactly(Map.entry(QuotaType.CHARACTERS, 1L));
  }

  @Test
  void theSameEventIdIsStoredOnce() {
    UsageEngine engine = engine();
    String user = user("dup-event");
    UsageEvent event = engine.tracking().event(user).eventId("same-id").characters(5).build();

    engine.tracking().trackUsage(event);
    engine.tracking().trackUsage(event);
    engine.tracking().trackUsage(event.toBuilder().characters(6).build());

    assertThat(storage.events().userTotals(user, FROM, TO)).containsExactly(Map.entry(QuotaType.CHARACTERS, 5L));
  }

  @Test
  void closeWritesEveryBufferedEvent() throws Exception {
    String user = user("buffered");
    UsageEngine engine = engine(b -> b.trackingMode(TrackingMode.ASYNC).bufferCapacity(20_000).batchSize(250));
    List<Boolean> done = Hammer.run(4, 1_000, Duration.ofMinutes(1), (t, a) -> {
      engine.tracking().trackUsage(engine.tracking().event(user).characters(1).build());
      return true;
    });

    engine.close();

    assertThat(done).hasSize(4_000);
    assertThat(engine.tracking().trackingStats().written()).isEqualTo(4_000);
    assertThat(storage.events().userTotals(user, FROM, TO)).containsExactly(Map.entry(QuotaType.CHARACTERS, 4_000L));
  }

  @Test
  void countersEqualTheSumOfConsumedEvents() throws Exception {
    UsageEngine engine = engine(b -> b
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 5_000))
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1_000)));
    String user = user("i4");
    List<QuotaDecision> ds = Hammer.run(8, 40, Duration.ofMinutes(2), (t, a) -> {
      UsageEvent e = engine.tracking().event(user).feature("text-correction")
          .characters(ThreadLocalRandom.current().nextLong(1, 40)).requests(1).build();
      QuotaDecision d = engine.tracking().consumeQuota(e);
      if (a % 5 == 0) {
        engine.tracking().consumeQuota(e); // a retry: counts once, recorded once
      }
      return d;
    });

    Map<QuotaType, Long> recorded = storage.events().userTotals(user, FROM, TO);
    assertThat(recorded.get(QuotaType.CHARACTERS))
        .isEqualTo(used(engine, user, QuotaType.CHARACTERS));
    assertThat(recorded.get(QuotaType.REQUESTS))
        .isEqualTo(used(engine, user, QuotaType.REQUESTS))
        .isEqualTo(ds.stream().filter(QuotaDecision::allowed).count());
  }
}
