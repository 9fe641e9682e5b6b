package dev.usage.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.Consumption;
import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.ReservationException;
import dev.usage.UsageEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reservations (semantics 2): a hold counts against the limit; commit charges the actual amount
 * (releasing or charging the difference); release gives the hold back; a hold not settled within its
 * TTL lapses by itself; settling is idempotent and conflicting settlements are typed errors.
 */
public abstract class ReservationContract extends AbstractStorageContract {

  private UsageEngine engine;
  private String user;

  @BeforeEach
  void engineWithTokenLimit() {
    engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.TOKENS, 100)).reservationTtl(Duration.ofMinutes(2)));
    user = user("llm");
  }

  private Reservation reserve(long tokens) {
    QuotaDecision d = engine.tracking().reserveQuota(Consumption.of(user, QuotaType.TOKENS, tokens));
    assertThat(d.allowed()).as("reserve %d", tokens).isTrue();
    return d.reservation().orElseThrow();
  }

  private QuotaStatus tokens() {
    return status(engine, user, QuotaType.TOKENS);
  }

  @Test
  void holdCountsAgainstTheLimit() {
    Reservation r = reserve(60);

    assertThat(r.userId()).isEqualTo(user);
    assertThat(r.amounts()).containsExactly(Map.entry(QuotaType.TOKENS, 60L));
    assertThat(r.expiresAt()).isEqualTo(Instant.parse(START).plus(Duration.ofMinutes(2)));
    assertThat(tokens().reserved()).isEqualTo(60);
    assertThat(tokens().remaining()).isEqualTo(40);
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 41)).allowed()).isFalse();
    assertThat(engine.tracking().reserveQuota(Consumption.of(user, QuotaType.TOKENS, 41)).allowed()).isFalse();
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 40)).allowed()).isTrue();
  }

  @Test
  void commitOfLessReleasesTheDifference() {
    Reservation r = reserve(60);

    QuotaDecision d = engine.tracking().commitReservation(r, Map.of(QuotaType.TOKENS, 25L));

    assertThat(d.allowed()).isTrue();
    assertThat(d.status(QuotaType.TOKENS).orElseThrow().used()).isEqualTo(25);
    assertThat(tokens().used()).isEqualTo(25);
    assertThat(tokens().reserved()).isZero();
    assertThat(tokens().remaining()).isEqualTo(75);
  }

  @Test
  void commitOfMoreChargesTheDifferenceEvenPastTheLimit() {
    Reservation r = reserve(60);

    engine.tracking().commitReservation(r, Map.of(QuotaType.TOKENS, 130L));

    assertThat(tokens().used()).isEqualTo(130);
    assertThat(tokens().reserved()).isZero();
    assertThat(tokens().remaining()).isZero();
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 1)).allowed()).isFalse();
  }

  @Test
  void releaseGivesTheHoldBack() {
    Reservation r = reserve(60);

    engine.tracking().releaseReservation(r);

    assertThat(tokens().reserved()).isZero();
    assertThat(tokens().used()).isZero();
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 100)).allowed()).isTrue();
  }

  @Test
  void unsettledHoldLapsesAfterItsTtl() {
    reserve(60);

    clock.advance(Duration.ofMinutes(2).minusNanos(1));
    assertThat(tokens().reserved()).as("still held just before the TTL").isEqualTo(60);
    clock.advance(Duration.ofNanos(1));

    // the consume comes first, so that it (not a read) is what finds the hold lapsed
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 100)).allowed()).isTrue();
    assertThat(tokens().reserved()).isZero();
  }

  @Test
  void aHoldMadeByTheCallThatLapsesTheLastOneLapsesInItsTurn() {
    reserve(60);
    clock.advance(Duration.ofMinutes(3));
    // this reservation is what finds the first lapsed (a store keeps when its next lapse is due: now this one's)
    reserve(60);
    assertThat(tokens().reserved()).as("the second hold only").isEqualTo(60);
    clock.advance(Duration.ofMinutes(3));

    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 100)).allowed()).isTrue();
    assertThat(tokens().reserved()).isZero();
  }

  @Test
  void lapsedReservationIsStillChargedWhenCommitted() {
    Reservation r = reserve(60);
    clock.advance(Duration.ofMinutes(10));

    engine.tracking().commitReservation(r, Map.of(QuotaType.TOKENS, 30L));

    assertThat(tokens().used()).isEqualTo(30);
    assertThat(tokens().reserved()).isZero();
  }

  @Test
  void releasingALapsedReservationChangesNothing() {
    Reservation r = reserve(60);
    clock.advance(Duration.ofMinutes(10));

    engine.tracking().releaseReservation(r);

    assertThat(tokens().reserved()).isZero();
    assertThat(tokens().used()).isZero();
  }

  @Test
  void committingTwiceWithTheSameAmountsCountsOnce() {
    Reservation r = reserve(60);
    engine.tracking().commitReservation(r, Map.of(QuotaType.TOKENS, 50L));

    QuotaDecision again = engine.tracking().commitReservation(r, Map.of(QuotaType.TOKENS, 50L));

    assertThat(again.replayed()).isTrue();
    assertThat(tokens().used()).isEqualTo(50);
  }

  @Test
  void committingAgainWithOtherAmountsIsAConflict() {
    Reservation r = reserve(60);
    engine.tracking().commitReservation(r, Map.of(QuotaType.TOKENS, 50L));

    assertThatThrownBy(() -> engine.tracking().commitReservation(r, Map.of(QuotaType.TOKENS, 51L)))
        .isInstanceOf(ReservationException.class);
    assertThat(tokens().used()).isEqualTo(50);
  }

  @Test
  void releaseAfterCommitAndCommitAfterReleaseAreConflicts() {
    Reservation committed = reserve(30);
    engine.tracking().commitReservation(committed, Map.of(QuotaType.TOKENS, 30L));
    Reservation released = reserve(30);
    engine.tracking().releaseReservation(released);

    assertThatThrownBy(() -> engine.tracking().releaseReservation(committed)).isInstanceOf(ReservationException.class);
    assertThatThrownBy(() -> engine.tracking().commitReservation(released, Map.of(QuotaType.TOKENS, 30L)))
        .isInstanceOf(ReservationException.class);
    engine.tracking().releaseReservation(released); // releasing twice is fine
    assertThat(tokens().used()).isEqualTo(30);
    assertThat(tokens().reserved()).isZero();
  }

  @Test
  void unknownReservationIsATypedError() {
    Reservation unknown = new Reservation("no-such-reservation", user, Map.of(QuotaType.TOKENS, 5L),
        Instant.parse(START).plusSeconds(60));

    assertThatThrownBy(() -> engine.tracking().commitReservation(unknown, Map.of(QuotaType.TOKENS, 5L)))
        .isInstanceOf(ReservationException.class)
        .hasMessageContaining("no-such-reservation");
    assertThatThrownBy(() -> engine.tracking().releaseReservation(unknown)).isInstanceOf(ReservationException.class);
    assertThat(tokens().used()).isZero();
  }

  @Test
  void commitOfATypeThatWasNotReservedIsRefused() {
    Reservation r = reserve(60);

    assertThatThrownBy(() -> engine.tracking().commitReservation(r, Map.of(QuotaType.CHARACTERS, 5L)))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("actual.characters"));
    assertThat(tokens().reserved()).isEqualTo(60);
  }

  @Test
  void multiQuotaReservationIsAllOrNothingAndCommitsEachType() {
    UsageEngine e = engine(b -> b
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 1_000))
        .defaultQuota(Quota.monthly(QuotaType.TOKENS, 100)));
    String u = user("multi");
    assertThat(e.tracking().reserveQuota(Consumption.builder(u).characters(500).tokens(101).build()).allowed()).isFalse();
    Reservation r = e.tracking().reserveQuota(Consumption.builder(u).characters(500).tokens(80).build())
        .reservation().orElseThrow();

    e.tracking().commitReservation(r, Map.of(QuotaType.CHARACTERS, 500L)); // tokens left out: charged zero

    List<QuotaStatus> st = e.quotas().getQuotaStatus(u);
    assertThat(st).filteredOn(s -> s.type().equals(QuotaType.CHARACTERS)).singleElement()
        .satisfies(s -> assertThat(s.used()).isEqualTo(500));
    assertThat(st).filteredOn(s -> s.type().equals(QuotaType.TOKENS)).singleElement()
        .satisfies(s -> assertThat(s.used() + s.reserved()).isZero());
  }

  @Test
  void concurrentHoldsNeverExceedTheLimit() throws Exception {
    List<QuotaDecision> ds = Hammer.run(16, 10, Duration.ofMinutes(1),
        (t, a) -> engine.tracking().reserveQuota(Consumption.of(user, QuotaType.TOKENS, 1)));

    assertThat(ds.stream().filter(QuotaDecision::allowed).count()).isEqualTo(100);
    assertThat(tokens().reserved()).isEqualTo(100);
    ds.stream().filter(QuotaDecision::allowed).forEach(d -> engine.tracking().releaseReservation(d.reservation().orElseThrow()));
    assertThat(tokens().reserved()).isZero();
  }

  @Test
  void concurrentCommitsAndReleasesKeepCountersExact() throws Exception {
    List<Long> charged = Hammer.run(8, 10, Duration.ofMinutes(1), (t, a) -> {
      QuotaDecision d = engine.tracking().reserveQuota(Consumption.of(user, QuotaType.TOKENS, 1));
      if (!d.allowed()) {
        return 0L;
      }
      if (a % 2 == 0) {
        engine.tracking().releaseReservation(d.reservation().orElseThrow());
        return 0L;
      }
      engine.tracking().commitReservation(d.reservation().orElseThrow(), Map.of(QuotaType.TOKENS, 1L));
      return 1L;
    });

    assertThat(tokens().used()).isEqualTo(charged.stream().mapToLong(Long::longValue).sum());
    assertThat(tokens().reserved()).isZero();
  }

  @Test
  void commitOfATypeOnlyInTheCallersCopyOfTheReservationIsRefusedByTheStore() {
    Reservation r = reserve(60);
    Reservation widened = new Reservation(r.id(), r.userId(), Map.of(QuotaType.TOKENS, 60L, QuotaType.CHARACTERS, 400L),
        r.expiresAt());

    assertThatThrownBy(() -> engine.tracking().commitReservation(widened,
        Map.of(QuotaType.TOKENS, 10L, QuotaType.CHARACTERS, 400L)))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("actual.characters"));
    assertThat(tokens().reserved()).isEqualTo(60);
    engine.tracking().commitReservation(r, Map.of(QuotaType.TOKENS, 10L));
    assertThat(tokens().used()).isEqualTo(10);
  }

  @Test
  void holdMadeBeforeAMonthBoundaryIsChargedToItsOwnMonth() {
    clock.set("2026-03-31T23:59:00Z");
    Reservation r = reserve(60);
    clock.set("2026-04-01T00:01:00Z");

    QuotaDecision d = engine.tracking().commitReservation(r, Map.of(QuotaType.TOKENS, 70L));

    assertThat(d.status(QuotaType.TOKENS).orElseThrow().periodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(d.status(QuotaType.TOKENS).orElseThrow().used()).isEqualTo(70);
    assertThat(tokens().used()).as("April").isZero();
    assertThat(tokens().remaining()).isEqualTo(100);
  }
}
