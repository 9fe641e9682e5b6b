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
 * other writers use its store while this class runs (the kit runs a contract class's tests one at a time).
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
