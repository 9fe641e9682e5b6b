package dev.usage.testkit;

import static dev.usage.QuotaType.CHARACTERS;
import static dev.usage.QuotaType.REQUESTS;
import static dev.usage.QuotaType.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import dev.usage.AuditEntry;
import dev.usage.Consumption;
import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.SystemUsage;
import dev.usage.Tier;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.UserQuota;
import dev.usage.testkit.InvalidInputCases.Case;
import dev.usage.testkit.InvalidInputCases.Subject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariant I6: bad input gets an {@link InvalidUsageException} naming the field, the same field on every
 * call and on every backend, and changes nothing. Each case of {@link InvalidInputCases} runs against a
 * fresh user who already has settings, an override, a recorded event, consumed units and an open
 * reservation; the user's quota statuses (used and reserved of every quota), settings, audit trail and
 * recorded events are compared before and after.
 *
 * <p>The system-wide totals of the event store are part of the snapshot, so an adapter must not let
 * other writers use its store while this class runs (the kit runs a contract class's tests one at a time),
 * and should give this class a store of its own when the test store outlives the run
 * ({@link StorageContracts#wholeStoreFixture()}).
 */
public abstract class InvalidInputContract extends AbstractStorageContract {

  private static final Instant WIDE_FROM = Instant.parse("2000-01-01T00:00:00Z");
  private static final Instant WIDE_TO = Instant.parse("2100-01-01T00:00:00Z");

  /** What a bad call must leave as it was. */
  private record Snapshot(List<QuotaStatus> statuses, UserQuota settings, List<AuditEntry> audit,
      Map<QuotaType, Long> userTotals, SystemUsage system) {}

  Stream<Case> cases() {
    return InvalidInputCases.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refusesNamingTheFieldAndChangesNothing(Case c) {
    Subject s = seededSubject();
    Snapshot before = snapshot(s);

    assertThat(refusedField(c, s)).as(c.name()).isEqualTo(c.field());

    assertThat(snapshot(s)).as("state after: %s", c.name()).isEqualTo(before);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refusesWithTheSameFieldOnEveryCall(Case c) {
    Subject s = seededSubject();
    Snapshot before = snapshot(s);

    List<String> fields = IntStream.range(0, 3).mapToObj(i -> refusedField(c, s)).toList();

    assertThat(fields).as(c.name()).containsExactly(c.field(), c.field(), c.field());
    assertThat(snapshot(s)).as("state after three calls: %s", c.name()).isEqualTo(before);
  }

  @Test
  void tableIsLargeAndItsNamesAreUnique() {
    List<String> names = InvalidInputCases.all().stream().map(Case::name).toList();
    assertThat(names).hasSizeGreaterThanOrEqualTo(30).doesNotHaveDuplicates();
  }

  @Test
  void refusedConsumptionLeavesNoIdempotencyMarker() {
    UsageEngine engine = engine();
    String user = user("marker");
    Consumption bad = Consumption.builder(user).characters(5).amount(InvalidInputCases.UNKNOWN, 1)
        .idempotencyKey("k-1").build();
    assertThat(catchThrowable(() -> engine.tracking().consumeQuota(bad)))
        .isInstanceOfSatisfying(InvalidUsageException.class,
            e -> assertThat(e.field()).isEqualTo("amounts.gpu-seconds"));

    QuotaDecision good = engine.tracking().consumeQuota(
        Consumption.builder(user).characters(5).idempotencyKey("k-1").build());

    assertThat(good.allowed()).isTrue();
    assertThat(good.replayed()).as("the refused call must not have stored key k-1").isFalse();
    assertThat(good.status(CHARACTERS).orElseThrow().used()).isEqualTo(5);
  }

  @Test
  void acceptsEveryValueAtItsBound() {
    UsageEngine engine = engine();
    String user = pad(user("bound"), 128);
    String actor = pad("admin-" + UUID.randomUUID(), 126) + "\uD83D\uDE00"; // a paired surrogate is fine
    Map<String, String> metadata = new LinkedHashMap<>();
    for (int i = 0; i < 32; i++) { // 32 keys of 3 chars + 7 * 1,024 + 928 = 8,192 chars
      metadata.put(String.format("k%02d", i), i < 7 ? "v".repeat(1024) : i == 7 ? "v".repeat(928) : "");
    }
    UsageEvent event = engine.tracking().event(user).eventId(pad("e-" + UUID.randomUUID(), 128))
        .sessionId(pad("s-", 128)).ipAddress("::ffff:192.0.2.1").characters(7).requests(1)
        .occurredAt(clock.instant().plus(Duration.ofHours(24))).metadata(metadata).build();

    engine.tracking().trackUsage(event);
    QuotaDecision consumed = engine.tracking().consumeQuota(
        Consumption.builder(user).characters(1).requests(0).idempotencyKey(pad("k-", 128)).build());
    QuotaDecision checked = engine.tracking().checkQuota(Consumption.of(user, CHARACTERS, Quota.MAX_AMOUNT));
    engine.quotas().initializeUserQuotas(user, Tier.ENTERPRISE, actor);
    engine.quotas().changeBillingCycle(user, ZoneId.of("UTC"), 31, actor, "r".repeat(512));
    engine.quotas().updateQuota(user, Quota.monthly(TOKENS, Quota.MAX_AMOUNT), actor, "top of the range");

    assertThat(consumed.allowed()).isTrue();
    assertThat(checked.allowed()).as("MAX_AMOUNT is past the limit: a denial, not an error").isFalse();
    assertThat(storage.events().userTotals(user, WIDE_FROM, WIDE_TO)).containsEntry(CHARACTERS, 7L);
    assertThat(engine.quotas().auditTrail(user)).hasSize(3);
    assertThat(engine.quotas().getUserQuota(user).billingAnchorDay()).isEqualTo(31);
  }

  /** A custom type whose name is of the longest length (64), numbered {@code i}. */
  private static QuotaType longType(String prefix, int i) {
    String name = prefix + String.format("%02d", i) + "-";
    return QuotaType.of(name + "x".repeat(64 - name.length()));
  }

  @Test
  void keepsTheMostQuotaTypesARequestAnEventAndAUsersOverridesMayHave() {
    UsageEngine engine = engine(b -> IntStream.range(0, Consumption.MAX_RESERVED_TYPES)
        .forEach(i -> b.defaultQuota(Quota.monthly(longType("r", i), Quota.MAX_AMOUNT))));
    String user = user("most-types");
    Consumption.Builder most = Consumption.builder(user);
    IntStream.range(0, Consumption.MAX_RESERVED_TYPES).forEach(i -> most.amount(longType("r", i), Quota.MAX_AMOUNT));
    Reservation held = engine.tracking().reserveQuota(most.build()).reservation().orElseThrow();
    engine.tracking().commitReservation(held, held.amounts());
    assertThat(engine.quotas().getQuotaStatus(user)).filteredOn(st -> st.type().name().length() == 64)
        .hasSize(Consumption.MAX_RESERVED_TYPES).allSatisfy(st -> assertThat(st.used()).isEqualTo(Quota.MAX_AMOUNT));

    UsageEvent.Builder event = engine.tracking().event(user).characters(1);
    IntStream.range(0, UsageEvent.MAX_CUSTOM_QUANTITIES).forEach(i -> event.quantity(longType("e", i), Quota.MAX_AMOUNT));
    engine.tracking().trackUsage(event.build());
    assertThat(storage.events().userTotals(user, WIDE_FROM, WIDE_TO))
        .containsEntry(longType("e", UsageEvent.MAX_CUSTOM_QUANTITIES - 1), Quota.MAX_AMOUNT);
    // a consume (not a reservation) of more types than a reservation holds
    String other = user("most-types");
    UsageEvent.Builder many = engine.tracking().event(other).characters(1).requests(1).inputTokens(1);
    IntStream.range(0, Consumption.MAX_RESERVED_TYPES - 2).forEach(i -> many.quantity(longType("r", i), 1));
    assertThat(engine.tracking().consumeQuota(many.build()).allowed()).isTrue();
    // an event stored before the bound (or imported) with more custom types is still read
    UsageEvent.Builder old = engine.tracking().event(other).characters(1);
    IntStream.range(0, UsageEvent.MAX_CUSTOM_QUANTITIES + 8).forEach(i -> old.quantity(QuotaType.of("o" + i), 2));
    assertThat(storage.events().append(List.of(old.build()))).isEqualTo(1);
    assertThat(storage.events().userTotals(other, WIDE_FROM, WIDE_TO)).containsEntry(QuotaType.of("o39"), 2L)
        .containsEntry(longType("r", 0), 1L);

    dev.usage.RolloverPolicy widest = new dev.usage.RolloverPolicy(true, Quota.UNLIMITED, 1_000,
        dev.usage.RolloverPolicy.MAX_EXPIRY);
    for (int i = 0; i < UserQuota.MAX_OVERRIDES; i++) {
      engine.quotas().updateQuota(user, new Quota(longType("o", i), Quota.MAX_AMOUNT, dev.usage.QuotaPeriod.MONTH,
          dev.usage.Enforcement.SOFT, widest), "ops", "override " + i);
    }
    UserQuota full = engine.quotas().getUserQuota(user);
    assertThat(catchThrowable(() -> engine.quotas().updateQuota(user, Quota.monthly(longType("o", 99), 5), "ops",
        "one too many"))).isInstanceOfSatisfying(InvalidUsageException.class,
            e -> assertThat(e.field()).isEqualTo("quota"));
    assertThat(engine.quotas().getUserQuota(user)).as("nothing changed").isEqualTo(full);
    assertThat(full.overrides()).hasSize(UserQuota.MAX_OVERRIDES);
    engine.quotas().updateQuota(user, Quota.monthly(longType("o", 0), 5), "ops", "an override replaced is no more");
    String next = user("most-types");
    assertThat(catchThrowable(() -> engine.quotas().updateQuotas(List.of(next, user), Quota.monthly(longType("o", 98), 5),
        dev.usage.ChangeRequest.of("ops", "bulk")))).as("the second user has the most overrides")
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("userIds[1]"));
    assertThat(engine.quotas().getUserQuota(next).overrides()).as("the users before it were updated").hasSize(1);

    // quotas reset in their current period: as many as the first 14 custom types; resets of periods over are dropped
    for (int i = 0; i < 14; i++) {
      engine.quotas().resetUsage(user, longType("r", i), dev.usage.ChangeRequest.of("support", "refund " + i));
    }
    assertThat(catchThrowable(() -> engine.quotas().resetUsage(user, longType("r", 14),
        dev.usage.ChangeRequest.of("support", "one too many")))).isInstanceOfSatisfying(InvalidUsageException.class,
            e -> assertThat(e.field()).isEqualTo("quotaType"));
    engine.quotas().resetUsage(user, longType("r", 0), dev.usage.ChangeRequest.of("support", "again: no new type"));
    clock.set(clock.instant().plus(Duration.ofDays(33))); // a month and the settle delay later
    assertThat(engine.quotas().resetUsage(user, longType("r", 14), dev.usage.ChangeRequest.of("support", "later"))
        .resets()).containsOnlyKeys(longType("r", 14));
  }

  private Subject seededSubject() {
    UsageEngine engine = engine();
    String user = user("invalid");
    engine.quotas().initializeUserQuotas(user, Tier.PREMIUM, "seed");
    engine.quotas().updateQuota(user, Quota.monthly(TOKENS, 50_000), "seed", "an override to compare");
    engine.tracking().consumeQuota(engine.tracking().event(user).characters(300).requests(1).inputTokens(20)
        .outputTokens(30).sessionId("s-1").metadata("seed", "yes").build());
    engine.tracking().consumeQuota(Consumption.builder(user).characters(1_200).requests(1).idempotencyKey("seed-1")
        .build());
    Reservation held = engine.tracking().reserveQuota(Consumption.of(user, TOKENS, 500)).reservation().orElseThrow();
    Subject s = new Subject(engine, user, held, clock, this::engine);

    // a snapshot of nothing would prove nothing
    Snapshot seeded = snapshot(s);
    assertThat(seeded.statuses()).extracting(QuotaStatus::type, QuotaStatus::used, QuotaStatus::reserved)
        .contains(tuple(CHARACTERS, 1_500L, 0L), tuple(REQUESTS, 2L, 0L), tuple(TOKENS, 50L, 500L));
    assertThat(seeded.audit()).hasSize(2);
    assertThat(seeded.userTotals()).containsEntry(CHARACTERS, 300L).containsEntry(TOKENS, 50L);
    assertThat(seeded.system().events()).isPositive();
    return s;
  }

  private Snapshot snapshot(Subject s) {
    return new Snapshot(s.quotas().getQuotaStatus(s.user()), s.quotas().getUserQuota(s.user()),
        s.quotas().auditTrail(s.user()), storage.events().userTotals(s.user(), WIDE_FROM, WIDE_TO),
        s.tracking().getSystemUsage(WIDE_FROM, WIDE_TO));
  }

  /** Runs the case and returns the field it was refused with; fails if it was not refused that way. */
  private static String refusedField(Case c, Subject s) {
    Throwable thrown = catchThrowable(() -> c.action().run(s));
    assertThat(thrown).as("%s must throw InvalidUsageException", c.name()).isInstanceOf(InvalidUsageException.class);
    return ((InvalidUsageException) thrown).field();
  }

  private static String pad(String prefix, int length) {
    return (prefix + "p".repeat(length)).substring(0, length);
  }
}
