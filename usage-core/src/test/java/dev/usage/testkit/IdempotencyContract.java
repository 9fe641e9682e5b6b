package dev.usage.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.Consumption;
import dev.usage.IdempotencyConflictException;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Idempotency (invariant I3): the same key counts once, across retries and concurrent duplicates; the
 * same key with another payload is a typed conflict; keys are scoped to the user; refused attempts
 * leave no key behind.
 */
public abstract class IdempotencyContract extends AbstractStorageContract {

  private UsageEngine engine;
  private String user;

  @BeforeEach
  void setUpEngine() {
    engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 1_000)));
    user = user("idem");
  }

  private Consumption chars(String u, long n, String key) {
    return Consumption.builder(u).characters(n).idempotencyKey(key).build();
  }

  private long usedChars(String u) {
    return used(engine, u, QuotaType.CHARACTERS);
  }

  @Test
  void retriedRequestCountsOnce() {
    QuotaDecision first = engine.tracking().consumeQuota(chars(user, 300, "req-1"));
    QuotaDecision retry = engine.tracking().consumeQuota(chars(user, 300, "req-1"));

    assertThat(first.allowed()).isTrue();
    assertThat(first.replayed()).isFalse();
    assertThat(retry.allowed()).isTrue();
    assertThat(retry.replayed()).isTrue();
    assertThat(retry.remaining(QuotaType.CHARACTERS)).contains(700L);
    assertThat(usedChars(user)).isEqualTo(300);
  }

  @Test
  void concurrentDuplicatesCountOnce() throws Exception {
    List<QuotaDecision> ds = Hammer.run(16, 4, Duration.ofMinutes(1),
        (t, a) -> engine.tracking().consumeQuota(chars(user, 7, "dup-" + a)));

    assertThat(ds).allMatch(QuotaDecision::allowed);
    assertThat(ds.stream().filter(d -> !d.replayed()).count()).as("one first admission per key").isEqualTo(4);
    assertThat(usedChars(user)).isEqualTo(28);
  }

  @Test
  void sameKeyWithAnotherPayloadIsAConflict() {
    engine.tracking().consumeQuota(chars(user, 300, "req-2"));

    assertThatThrownBy(() -> engine.tracking().consumeQuota(chars(user, 301, "req-2")))
        .isInstanceOfSatisfying(IdempotencyConflictException.class, e -> {
          assertThat(e.key()).isEqualTo("req-2");
          assertThat(e.userId()).isEqualTo(user);
        });
    assertThatThrownBy(() -> engine.tracking().consumeQuota(
        Consumption.builder(user).characters(300).requests(1).idempotencyKey("req-2").build()))
        .isInstanceOf(IdempotencyConflictException.class);
    assertThatThrownBy(() -> engine.tracking().reserveQuota(chars(user, 300, "req-2")))
        .as("a reservation is another payload than a consumption").isInstanceOf(IdempotencyConflictException.class);
    assertThat(usedChars(user)).isEqualTo(300);
  }

  @Test
  void keysAreScopedToTheUser() {
    String other = user("other");

    engine.tracking().consumeQuota(chars(user, 100, "shared-key"));
    QuotaDecision d = engine.tracking().consumeQuota(chars(other, 200, "shared-key"));

    assertThat(d.replayed()).isFalse();
    assertThat(usedChars(user)).isEqualTo(100);
    assertThat(usedChars(other)).isEqualTo(200);
  }

  @Test
  void refusedAttemptLeavesNoKeySoItsRetryCanSucceedLater() {
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 950));
    assertThat(engine.tracking().consumeQuota(chars(user, 100, "late")).allowed()).isFalse();

    engine.quotas().updateQuota(user, Quota.monthly(QuotaType.CHARACTERS, 2_000), "admin", "upgrade");
    QuotaDecision retry = engine.tracking().consumeQuota(chars(user, 100, "late"));

    assertThat(retry.allowed()).isTrue();
    assertThat(retry.replayed()).isFalse();
    assertThat(usedChars(user)).isEqualTo(1_050);
  }

  @Test
  void keyIsRememberedForTheIdempotencyWindowOnly() {
    UsageEngine e = engine(b -> b.idempotencyWindow(Duration.ofHours(1)));
    e.tracking().consumeQuota(chars(user, 10, "window"));

    clock.advance(Duration.ofMinutes(59));
    assertThat(e.tracking().consumeQuota(chars(user, 10, "window")).replayed()).isTrue();
    clock.advance(Duration.ofMinutes(1));
    assertThat(e.tracking().consumeQuota(chars(user, 10, "window")).replayed()).isFalse();

    assertThat(used(e, user, QuotaType.CHARACTERS)).isEqualTo(20);
  }

  @Test
  void replayedReservationReturnsTheFirstReservation() {
    Reservation first = engine.tracking().reserveQuota(chars(user, 100, "hold-1")).reservation().orElseThrow();

    QuotaDecision again = engine.tracking().reserveQuota(chars(user, 100, "hold-1"));

    assertThat(again.replayed()).isTrue();
    assertThat(again.reservation()).contains(first);
    assertThat(engine.quotas().getQuotaStatus(user)).filteredOn(s -> s.type().equals(QuotaType.CHARACTERS))
        .singleElement().satisfies(s -> assertThat(s.reserved()).isEqualTo(100));
  }

  @Test
  void eventConsumedTwiceCountsAndIsRecordedOnce() {
    UsageEvent event = engine.tracking().event(user).eventId("evt-1").feature("text-correction").characters(120)
        .build();

    engine.tracking().consumeQuota(event);
    QuotaDecision again = engine.tracking().consumeQuota(event);
    engine.tracking().trackUsage(event);

    assertThat(again.replayed()).isTrue();
    assertThat(usedChars(user)).isEqualTo(120);
    assertThat(storage.events().userTotals(user, Instant.parse(START).minusSeconds(1), Instant.parse(START).plusSeconds(1)))
        .containsEntry(QuotaType.CHARACTERS, 120L);
  }
}
