package dev.usage.testkit;

import static dev.usage.QuotaType.CHARACTERS;
import static dev.usage.QuotaType.REQUESTS;
import static dev.usage.QuotaType.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.usage.Consumption;
import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaLevel;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.UsageEngine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Overflow at the top of the range. Every amount, limit and counter is capped at {@link Quota#MAX_AMOUNT}
 * (2<sup>53</sup> - 1) so that every backend, Lua's doubles included, computes exactly; {@link Quota#UNLIMITED}
 * means no limit, not a bigger counter. A HARD limit of {@code MAX_AMOUNT} is exact to the unit; a request
 * or commit that would take a counter past {@code MAX_AMOUNT} is an {@link InvalidUsageException} that
 * changes nothing (never a wrap, never a partial write); no status ever shows a negative number.
 */
public abstract class OverflowContract extends AbstractStorageContract {

  private static final long MAX = Quota.MAX_AMOUNT;

  @Test
  void hardQuotaOfMaxAmountAdmitsExactlyMaxAmount() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(CHARACTERS, MAX)));
    String user = user("hard-max");

    QuotaDecision most = consume(engine, Consumption.of(user, CHARACTERS, MAX - 1));
    QuotaDecision last = consume(engine, Consumption.of(user, CHARACTERS, 1));
    QuotaDecision over = consume(engine, Consumption.of(user, CHARACTERS, 1));

    assertThat(most.allowed()).isTrue();
    assertCounter(most.status(CHARACTERS).orElseThrow(), MAX, MAX - 1, 0, 1);
    assertThat(last.allowed()).isTrue();
    assertCounter(last.status(CHARACTERS).orElseThrow(), MAX, MAX, 0, 0);
    assertThat(over.allowed()).isFalse();
    assertThat(over.violated()).containsExactly(CHARACTERS);
    assertCounter(over.status(CHARACTERS).orElseThrow(), MAX, MAX, 0, 0);
    assertThat(engine.tracking().checkQuota(Consumption.of(user, CHARACTERS, MAX)).allowed()).isFalse();
    assertCounter(checkedStatus(engine, user, CHARACTERS), MAX, MAX, 0, 0);
  }

  @Test
  void hardQuotaOfMaxAmountDeniesTheLastUnitsPlusOneWithoutError() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(CHARACTERS, MAX)));
    String user = user("hard-max-deny");
    consume(engine, Consumption.of(user, CHARACTERS, MAX - 1));

    QuotaDecision two = consume(engine, Consumption.of(user, CHARACTERS, 2));
    QuotaDecision all = consume(engine, Consumption.of(user, CHARACTERS, MAX));

    assertThat(two.allowed()).isFalse();
    assertThat(all.allowed()).isFalse();
    assertCounter(checkedStatus(engine, user, CHARACTERS), MAX, MAX - 1, 0, 1);
  }

  @Test
  void raisedLimitOfMaxAmountAppliesAtOnceAndStaysExact() {
    UsageEngine engine = engine();
    String user = user("raised");
    consume(engine, Consumption.of(user, CHARACTERS, 10_000)); // the default limit, all used
    assertThat(consume(engine, Consumption.of(user, CHARACTERS, 1)).allowed()).isFalse();

    engine.quotas().updateQuota(user, Quota.monthly(CHARACTERS, MAX), "admin", "top of the range");
    QuotaDecision rest = consume(engine, Consumption.of(user, CHARACTERS, MAX - 10_000));
    QuotaDecision over = consume(engine, Consumption.of(user, CHARACTERS, 1));

    assertThat(rest.allowed()).isTrue();
    assertThat(over.allowed()).isFalse();
    assertCounter(checkedStatus(engine, user, CHARACTERS), MAX, MAX, 0, 0);
  }

  @ParameterizedTest(name = "amount {0}")
  @ValueSource(longs = {Long.MAX_VALUE, Quota.MAX_AMOUNT + 1, Long.MIN_VALUE})
  void amountOutsideTheRangeIsInvalidAndChangesNothing(long amount) {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(CHARACTERS, MAX)));
    String user = user("too-big");
    consume(engine, Consumption.of(user, CHARACTERS, 10));

    assertInvalid("amounts.characters", () -> consume(engine, Consumption.of(user, CHARACTERS, amount)));
    assertInvalid("amounts.characters", () -> engine.tracking().reserveQuota(Consumption.of(user, CHARACTERS, amount)));
    assertInvalid("amounts.characters", () -> engine.tracking().checkQuota(Consumption.of(user, CHARACTERS, amount)));

    assertCounter(checkedStatus(engine, user, CHARACTERS), MAX, 10, 0, MAX - 10);
  }

  @Test
  void unlimitedCounterRefusesWhatWouldTakeItPastMaxAmount() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.unlimited(TOKENS)));
    String user = user("unlimited");
    QuotaDecision near = consume(engine, Consumption.of(user, TOKENS, MAX - 10));
    assertThat(near.allowed()).isTrue();
    assertCounter(near.status(TOKENS).orElseThrow(), Quota.UNLIMITED, MAX - 10, 0, Quota.UNLIMITED);

    assertInvalid("amounts.tokens", () -> consume(engine, Consumption.of(user, TOKENS, 11)));
    assertInvalid("amounts.tokens",
        () -> consume(engine, Consumption.builder(user).tokens(11).idempotencyKey("k-over").build()));
    assertCounter(checkedStatus(engine, user, TOKENS), Quota.UNLIMITED, MAX - 10, 0, Quota.UNLIMITED);

    // the refused call left no marker: the same key with an amount that fits is admitted, not a replay
    QuotaDecision fits = consume(engine, Consumption.builder(user).tokens(10).idempotencyKey("k-over").build());
    assertThat(fits.allowed()).isTrue();
    assertThat(fits.replayed()).isFalse();
    assertInvalid("amounts.tokens", () -> consume(engine, Consumption.of(user, TOKENS, 1)));
    assertCounter(checkedStatus(engine, user, TOKENS), Quota.UNLIMITED, MAX, 0, Quota.UNLIMITED);
  }

  @Test
  void softCounterRefusesWhatWouldTakeItPastMaxAmount() {
    UsageEngine engine = engine();
    String user = user("soft");
    engine.quotas().updateQuota(user, Quota.monthly(REQUESTS, 1_000).soft(), "admin", "soft quota near the top");

    QuotaDecision near = consume(engine, Consumption.of(user, REQUESTS, MAX - 5));
    assertThat(near.allowed()).as("SOFT never refuses by its limit").isTrue();
    assertThat(near.status(REQUESTS).orElseThrow().level()).isEqualTo(QuotaLevel.RED);

    assertInvalid("amounts.requests", () -> consume(engine, Consumption.of(user, REQUESTS, 6)));
    assertCounter(checkedStatus(engine, user, REQUESTS), 1_000, MAX - 5, 0, 0);
    assertThat(consume(engine, Consumption.of(user, REQUESTS, 5)).allowed()).isTrue();
    assertInvalid("amounts.requests", () -> consume(engine, Consumption.of(user, REQUESTS, 1)));
    assertCounter(checkedStatus(engine, user, REQUESTS), 1_000, MAX, 0, 0);
  }

  @Test
  void onePartPastMaxAmountRefusesTheWholeRequest() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.unlimited(TOKENS)));
    String user = user("all-or-nothing");
    consume(engine, Consumption.of(user, TOKENS, MAX - 1));

    assertInvalid("amounts.tokens",
        () -> consume(engine, Consumption.builder(user).characters(5).requests(1).tokens(2).build()));

    assertCounter(checkedStatus(engine, user, CHARACTERS), 10_000, 0, 0, 10_000);
    assertCounter(checkedStatus(engine, user, REQUESTS), 500, 0, 0, 500);
    assertCounter(checkedStatus(engine, user, TOKENS), Quota.UNLIMITED, MAX - 1, 0, Quota.UNLIMITED);
  }

  @Test
  void reservationPastMaxAmountIsRefusedWithoutHolding() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.unlimited(TOKENS)));
    String user = user("reserve-over");
    consume(engine, Consumption.of(user, TOKENS, MAX - 100));

    assertInvalid("amounts.tokens", () -> engine.tracking().reserveQuota(Consumption.of(user, TOKENS, 101)));
    assertCounter(checkedStatus(engine, user, TOKENS), Quota.UNLIMITED, MAX - 100, 0, Quota.UNLIMITED);

    QuotaDecision fits = engine.tracking().reserveQuota(Consumption.of(user, TOKENS, 100));
    assertThat(fits.allowed()).isTrue();
    assertCounter(checkedStatus(engine, user, TOKENS), Quota.UNLIMITED, MAX - 100, 100, Quota.UNLIMITED);
  }

  @Test
  void commitPastMaxAmountIsRefusedAndKeepsTheReservation() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.unlimited(TOKENS)));
    String user = user("commit-over");
    consume(engine, Consumption.of(user, TOKENS, MAX - 100));
    Reservation r = reserve(engine, Consumption.of(user, TOKENS, 50));

    assertInvalid("actual.tokens", () -> engine.tracking().commitReservation(r, Map.of(TOKENS, 151L)));
    assertCounter(checkedStatus(engine, user, TOKENS), Quota.UNLIMITED, MAX - 100, 50, Quota.UNLIMITED);

    engine.tracking().releaseReservation(r);
    assertCounter(checkedStatus(engine, user, TOKENS), Quota.UNLIMITED, MAX - 100, 0, Quota.UNLIMITED);

    Reservation exact = reserve(engine, Consumption.of(user, TOKENS, 50));
    QuotaDecision committed = engine.tracking().commitReservation(exact, Map.of(TOKENS, 100L));
    assertThat(committed.allowed()).isTrue();
    assertCounter(checkedStatus(engine, user, TOKENS), Quota.UNLIMITED, MAX, 0, Quota.UNLIMITED);
  }

  @Test
  void commitOfALapsedReservationPastMaxAmountIsRefused() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.unlimited(TOKENS)).reservationTtl(Duration.ofMinutes(5)));
    String user = user("lapsed-over");
    consume(engine, Consumption.of(user, TOKENS, MAX - 100));
    Reservation r = reserve(engine, Consumption.of(user, TOKENS, 50));
    clock.advance(Duration.ofMinutes(6));
    consume(engine, Consumption.of(user, TOKENS, 100)); // the lapsed hold no longer counts: the counter is full

    assertInvalid("actual.tokens", () -> engine.tracking().commitReservation(r, Map.of(TOKENS, 1L)));

    assertCounter(checkedStatus(engine, user, TOKENS), Quota.UNLIMITED, MAX, 0, Quota.UNLIMITED);
    engine.tracking().releaseReservation(r);
    assertCounter(checkedStatus(engine, user, TOKENS), Quota.UNLIMITED, MAX, 0, Quota.UNLIMITED);
  }

  @ParameterizedTest(name = "actual {0}")
  @ValueSource(longs = {Long.MAX_VALUE, Quota.MAX_AMOUNT + 1})
  void commitOfAnAmountAboveMaxAmountIsInvalidAndChangesNothing(long actual) {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(TOKENS, MAX)));
    String user = user("commit-huge");
    Reservation r = reserve(engine, Consumption.of(user, TOKENS, 40));

    assertInvalid("actual.tokens", () -> engine.tracking().commitReservation(r, Map.of(TOKENS, actual)));

    assertCounter(checkedStatus(engine, user, TOKENS), MAX, 0, 40, MAX - 40);
    engine.tracking().releaseReservation(r);
    assertCounter(checkedStatus(engine, user, TOKENS), MAX, 0, 0, MAX);
  }

  private static QuotaDecision consume(UsageEngine engine, Consumption c) {
    return engine.tracking().consumeQuota(c);
  }

  private static Reservation reserve(UsageEngine engine, Consumption c) {
    return engine.tracking().reserveQuota(c).reservation().orElseThrow();
  }

  /** As {@link #status}, after checking that no status of the user has a negative figure. */
  private static QuotaStatus checkedStatus(UsageEngine engine, String user, QuotaType type) {
    List<QuotaStatus> all = engine.quotas().getQuotaStatus(user);
    all.forEach(OverflowContract::assertNeverNegative);
    return all.stream().filter(s -> s.type().equals(type)).findFirst().orElseThrow();
  }

  private static void assertCounter(QuotaStatus s, long limit, long used, long reserved, long remaining) {
    assertNeverNegative(s);
    assertThat(List.of(s.limit(), s.used(), s.reserved(), s.remaining()))
        .as("limit, used, reserved, remaining of %s", s.type())
        .containsExactly(limit, used, reserved, remaining);
  }

  private static void assertNeverNegative(QuotaStatus s) {
    assertThat(List.of(s.limit(), s.used(), s.reserved(), s.remaining())).as("%s", s).allMatch(v -> v >= 0);
    assertThat(s.utilisation()).as("%s", s).isNotNaN().isGreaterThanOrEqualTo(0);
  }

  private static void assertInvalid(String field, ThrowingCallable call) {
    assertThat(catchThrowable(call)).isInstanceOfSatisfying(InvalidUsageException.class,
        e -> assertThat(e.field()).isEqualTo(field));
  }
}
