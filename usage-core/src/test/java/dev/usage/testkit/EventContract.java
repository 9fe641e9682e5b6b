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
  void rangesCompareInstantsToTheMicrosecond() {
    UsageEngine engine = engine();
    String user = user("micros");
    // a second of the day before START that few if any other events share (a server's log may outlive a run:
    // the system-wide figures are compared before and after)
    Instant second = Instant.parse(START).minus(Duration.ofHours(3))
        .minusSeconds(ThreadLocalRandom.current().nextInt(72_000));
    // [second + 700 ns, second + 1,200 ns) is the microsecond [second, second + 1 µs)
    Instant from = second.plusNanos(700);
    Instant to = second.plusNanos(1_200);
    SystemUsage before = engine.tracking().getSystemUsage(from, to);
    engine.tracking().trackUsage(engine.tracking().event(user).occurredAt(second.plusNanos(500)).characters(1).build());
    engine.tracking().trackUsage(engine.tracking().event(user).occurredAt(second.plusNanos(1_500)).characters(10).build());

    // the first event only: the stores keep instants to the microsecond, and compare the bounds so too
    assertThat(storage.events().userTotals(user, from, to)).containsExactly(Map.entry(QuotaType.CHARACTERS, 1L));
    SystemUsage after = engine.tracking().getSystemUsage(from, to);
    assertThat(after.events() - before.events()).isEqualTo(1);
    assertThat(after.total(QuotaType.CHARACTERS) - before.total(QuotaType.CHARACTERS)).isEqualTo(1);
    // bounds within one microsecond make an empty range
    assertThat(storage.events().userTotals(user, second.plusNanos(1_100), second.plusNanos(1_900))).isEmpty();
  }

  @Test
  void theSameEventIdIsStoredOnce() {
    UsageEngine engine = engine();
    String user = user("dup-event");
    UsageEvent event = engine.tracking().event(user).eventId("same-id").characters(5).build();

    engine.tracking().trackUsage(event);
    engine.tracking().trackUsage(event);
    // a later version carrying a custom unit of a new type: none of it is kept
    engine.tracking().trackUsage(event.toBuilder().characters(6).quantity(QuotaType.of("images"), 3).build());
    // and both versions of an id in one batch, as the async writer appends them
    UsageEvent first = engine.tracking().event(user).eventId("same-batch").characters(1).build();
    storage.events().append(
        List.of(first, first.toBuilder().characters(2).quantity(QuotaType.of("images"), 4).build()));

    assertThat(storage.events().userTotals(user, FROM, TO)).containsExactly(Map.entry(QuotaType.CHARACTERS, 6L));
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
