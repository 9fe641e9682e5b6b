package dev.usage.testkit;

import static dev.usage.QuotaType.CHARACTERS;
import static dev.usage.QuotaType.REQUESTS;
import static dev.usage.QuotaType.TOKENS;

import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaManagementService;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.RolloverPolicy;
import dev.usage.Tier;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.UsageTrackingService;
import dev.usage.UserQuota;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The bad-input table of {@link InvalidInputContract}: each case is one call against the public API
 * (building a value type included) and the {@code InvalidUsageException.field()} it must name.
 */
public final class InvalidInputCases {

  /** What a case runs against: a seeded user, their engine, an open reservation of theirs. */
  public record Subject(UsageEngine engine, String user, Reservation reservation, SettableClock clock,
      Function<Consumer<UsageEngine.Builder>, UsageEngine> engines) {

    UsageTrackingService tracking() {
      return engine.tracking();
    }

    QuotaManagementService quotas() {
      return engine.quotas();
    }

    /** A valid event of the user that costs something, so that recording it would show. */
    UsageEvent.Builder event() {
      return tracking().event(user).characters(10).requests(1);
    }

    void consume(Consumption c) {
      tracking().consumeQuota(c);
    }

    void track(UsageEvent.Builder b) {
      tracking().trackUsage(b.build());
    }

    void commit(Map<QuotaType, Long> actual) {
      tracking().commitReservation(reservation, actual);
    }
  }

  /** One bad call. */
  @FunctionalInterface
  public interface Action {
    void run(Subject s) throws Exception;
  }

  /** A named bad call and the field it must be refused with. */
  public record Case(String name, String field, Action action) {
    @Override
    public String toString() {
      return name + " -> " + field;
    }
  }

  /** A custom type that no tier and no default sets. */
  static final QuotaType UNKNOWN = QuotaType.of("gpu-seconds");
  static final long MAX = Quota.MAX_AMOUNT;
  static final String LONG_129 = "x".repeat(129);
  static final String HIGH_ALONE = "a\uD800b";
  static final String LOW_ALONE = "\uDC00ab";
  /** A daily quota carrying unused units: its carry needs a settle delay under a day. */
  static final Quota DAILY_CARRYING = Quota.daily(REQUESTS, 10).withRollover(RolloverPolicy.carryUpTo(5));

  private InvalidInputCases() {}

  /** Every case, in a stable order. */
  public static List<Case> all() {
    return Stream.of(amounts(), ids(), events(), metadataAndOrigin(), settings(), reservations())
        .flatMap(List::stream).toList();
  }

  private static Case bad(String name, String field, Action action) {
    return new Case(name, field, action);
  }

  private static List<Case> amounts() {
    return List.of(
        bad("consume characters -1", "amounts.characters", s -> s.consume(Consumption.of(s.user(), CHARACTERS, -1))),
        bad("consume characters Long.MIN_VALUE", "amounts.characters",
            s -> s.consume(Consumption.of(s.user(), CHARACTERS, Long.MIN_VALUE))),
        bad("consume characters MAX_AMOUNT + 1", "amounts.characters",
            s -> s.consume(Consumption.of(s.user(), CHARACTERS, MAX + 1))),
        bad("consume characters Long.MAX_VALUE via the record constructor", "amounts.characters",
            s -> s.consume(new Consumption(s.user(), Map.of(CHARACTERS, Long.MAX_VALUE), Optional.empty()))),
        bad("consume characters MAX_AMOUNT plus 1 added in the builder", "amounts.characters",
            s -> s.consume(Consumption.builder(s.user()).characters(MAX).characters(1).build())),
        bad("reserve tokens -5", "amounts.tokens",
            s -> s.tracking().reserveQuota(Consumption.of(s.user(), TOKENS, -5))),
        // zero entries are dropped from a Consumption; one with no positive amount left is refused
        bad("consume characters 0 and requests 0", "amounts",
            s -> s.consume(Consumption.builder(s.user()).characters(0).requests(0).build())),
        bad("reserve tokens 0", "amounts", s -> s.tracking().reserveQuota(Consumption.of(s.user(), TOKENS, 0))),
        bad("enforce characters 0", "amounts",
            s -> s.quotas().enforceQuotaLimits(Consumption.of(s.user(), CHARACTERS, 0))),
        bad("check characters 0", "amounts", s -> s.tracking().checkQuota(Consumption.of(s.user(), CHARACTERS, 0))),
        bad("consume an empty amounts map", "amounts",
            s -> s.consume(new Consumption(s.user(), Map.of(), Optional.empty()))),
        bad("consume a null amounts map", "amounts", s -> s.consume(new Consumption(s.user(), null, Optional.empty()))),
        bad("consume an amounts map holding a null amount", "amounts", s -> {
          Map<QuotaType, Long> m = new HashMap<>();
          m.put(CHARACTERS, null);
          s.consume(new Consumption(s.user(), m, Optional.empty()));
        }),
        bad("reserve 17 quota types", "amounts", s -> {
          Consumption.Builder b = Consumption.builder(s.user()).characters(1);
          IntStream.range(0, Consumption.MAX_RESERVED_TYPES).forEach(i -> b.amount(QuotaType.of("c" + i), 1));
          s.tracking().reserveQuota(b.build());
        }),
        bad("consume a null request", "request", s -> s.tracking().consumeQuota((Consumption) null)),
        bad("consume custom type gpu-seconds that no tier sets", "amounts.gpu-seconds",
            s -> s.consume(Consumption.of(s.user(), UNKNOWN, 1))),
        bad("consume gpu-seconds next to characters, under a key", "amounts.gpu-seconds", s -> s.consume(
            Consumption.builder(s.user()).characters(5).amount(UNKNOWN, 1).idempotencyKey("k-unknown").build())),
        bad("reserve custom type gpu-seconds", "amounts.gpu-seconds",
            s -> s.tracking().reserveQuota(Consumption.of(s.user(), UNKNOWN, 1))),
        bad("check custom type gpu-seconds", "amounts.gpu-seconds",
            s -> s.tracking().checkQuota(Consumption.of(s.user(), UNKNOWN, 1))),
        bad("quota type name in upper case GPU", "quotaType",
            s -> s.consume(Consumption.of(s.user(), QuotaType.of("GPU"), 1))),
        bad("quota type name of 65 characters", "quotaType",
            s -> s.consume(Consumption.of(s.user(), QuotaType.of("g".repeat(65)), 1))),
        bad("quota type null in the builder", "quotaType",
            s -> s.consume(Consumption.builder(s.user()).amount(null, 1).build())));
  }

  private static List<Case> ids() {
    return List.of(
        bad("userId null", "userId", s -> s.consume(Consumption.of(null, CHARACTERS, 1))),
        bad("userId blank", "userId", s -> s.consume(Consumption.of("   ", CHARACTERS, 1))),
        bad("userId of 129 characters", "userId", s -> s.consume(Consumption.of(LONG_129, CHARACTERS, 1))),
        bad("userId with \\n", "userId", s -> s.consume(Consumption.of(s.user() + "\n", CHARACTERS, 1))),
        bad("userId with \\u0000", "userId", s -> s.consume(Consumption.of(s.user() + "\u0000", CHARACTERS, 1))),
        bad("userId with \\u2028", "userId", s -> s.consume(Consumption.of(s.user() + "\u2028", CHARACTERS, 1))),
        bad("userId with an unpaired high surrogate", "userId",
            s -> s.consume(Consumption.of(HIGH_ALONE, CHARACTERS, 1))),
        bad("userId with an unpaired low surrogate", "userId",
            s -> s.consume(Consumption.of(LOW_ALONE, CHARACTERS, 1))),
        bad("getQuotaStatus of a blank userId", "userId", s -> s.quotas().getQuotaStatus(" ")),
        bad("auditTrail of a userId with \\t", "userId", s -> s.quotas().auditTrail(s.user() + "\t")),
        bad("getUserUsage of a 129-character userId", "userId", s -> s.tracking().getUserUsage(LONG_129)),
        bad("event builder for a null userId", "userId", s -> s.tracking().event(null)),
        bad("idempotencyKey blank", "idempotencyKey", s -> s.consume(keyed(s, "  "))),
        bad("idempotencyKey of 129 characters", "idempotencyKey", s -> s.consume(keyed(s, LONG_129))),
        bad("idempotencyKey with \\n", "idempotencyKey", s -> s.consume(keyed(s, "k\n1"))),
        bad("idempotencyKey with \\u2028", "idempotencyKey", s -> s.consume(keyed(s, "k\u20281"))),
        bad("idempotencyKey with an unpaired surrogate", "idempotencyKey", s -> s.consume(keyed(s, HIGH_ALONE))),
        bad("reserve under an idempotencyKey with \\u0000", "idempotencyKey",
            s -> s.tracking().reserveQuota(Consumption.builder(s.user()).tokens(1).idempotencyKey("\u0000").build())),
        bad("eventId blank", "eventId", s -> s.track(s.event().eventId(" "))),
        bad("eventId of 129 characters", "eventId", s -> s.track(s.event().eventId(LONG_129))),
        bad("eventId with \\u0000 (consumed)", "eventId",
            s -> s.tracking().consumeQuota(s.event().eventId("e\u0000").build())),
        bad("eventId with an unpaired surrogate", "eventId", s -> s.track(s.event().eventId(LOW_ALONE))),
        bad("sessionId of 129 characters", "sessionId", s -> s.track(s.event().sessionId(LONG_129))),
        bad("sessionId with \\n", "sessionId", s -> s.track(s.event().sessionId("s\n"))),
        bad("sessionId with an unpaired surrogate", "sessionId", s -> s.track(s.event().sessionId(HIGH_ALONE))));
  }

  private static Consumption keyed(Subject s, String key) {
    return Consumption.builder(s.user()).characters(1).idempotencyKey(key).build();
  }

  private static List<Case> events() {
    return List.of(
        bad("event characters -1", "characters", s -> s.track(s.event().characters(-1))),
        bad("event requests MAX_AMOUNT + 1", "requests", s -> s.track(s.event().requests(MAX + 1))),
        bad("event inputTokens MAX_AMOUNT plus outputTokens 1", "tokens",
            s -> s.track(s.event().inputTokens(MAX).outputTokens(1))),
        bad("event of 33 custom quota types", "customQuantities", s -> {
          UsageEvent.Builder b = s.event();
          IntStream.range(0, UsageEvent.MAX_CUSTOM_QUANTITIES + 1).forEach(i -> b.quantity(QuotaType.of("c" + i), 1));
          s.track(b);
        }),
        bad("event custom quantity of built-in type tokens", "customQuantities",
            s -> s.track(s.event().quantity(TOKENS, 1))),
        bad("event custom quantity Long.MAX_VALUE", "customQuantities.gpu-seconds",
            s -> s.track(s.event().quantity(UNKNOWN, Long.MAX_VALUE))),
        bad("consume an event of custom type gpu-seconds that no tier sets", "amounts.gpu-seconds",
            s -> s.tracking().consumeQuota(s.event().quantity(UNKNOWN, 3).build())),
        bad("consume an event with no quantities", "amounts",
            s -> s.tracking().consumeQuota(s.tracking().event(s.user()).build())),
        bad("event occurredAt 24h + 1s ahead (tracked)", "occurredAt",
            s -> s.track(s.event().occurredAt(ahead(s, Duration.ofHours(24).plusSeconds(1))))),
        bad("event occurredAt 24h + 1s ahead (consumed)", "occurredAt",
            s -> s.tracking().consumeQuota(
                s.event().occurredAt(ahead(s, Duration.ofHours(24).plusSeconds(1))).build())),
        bad("event occurredAt Instant.MAX", "occurredAt", s -> s.track(s.event().occurredAt(Instant.MAX))),
        bad("event occurredAt null", "occurredAt", s -> s.track(s.event().occurredAt(null))),
        bad("event processingTime -1 ms", "processingTime",
            s -> s.track(s.event().processingTime(Duration.ofMillis(-1)))),
        bad("event feature blank", "feature", s -> s.track(s.event().feature(" "))),
        bad("event userAgent of 513 characters", "userAgent", s -> s.track(s.event().userAgent("a".repeat(513)))),
        bad("trackUsage of null", "event", s -> s.tracking().trackUsage(null)),
        bad("consumeQuota of a null event", "event", s -> s.tracking().consumeQuota((UsageEvent) null)));
  }

  private static Instant ahead(Subject s, Duration d) {
    return s.clock().instant().plus(d);
  }

  private static List<Case> metadataAndOrigin() {
    return List.of(
        bad("metadata of 33 entries", "metadata", s -> s.track(s.event().metadata(entries(33, 1)))),
        bad("metadata value of 1,025 characters", "metadata.note",
            s -> s.track(s.event().metadata("note", "v".repeat(1025)))),
        bad("metadata of 8,193 characters in all", "metadata", s -> {
          Map<String, String> m = entries(8, 1024); // keys "k00".."k07": 8 * (3 + 1024) = 8,216
          m.put("k07", "v".repeat(1024 - 23)); // 7 * 1,027 + 3 + 1,001 = 8,193
          s.track(s.event().metadata(m));
        }),
        bad("metadata value with \\n", "metadata.note", s -> s.track(s.event().metadata("note", "a\nb"))),
        bad("metadata value with \\u0000", "metadata.note", s -> s.track(s.event().metadata("note", "a\u0000b"))),
        bad("metadata value with \\u2028", "metadata.note", s -> s.track(s.event().metadata("note", "a\u2028b"))),
        bad("metadata value with an unpaired surrogate", "metadata.note",
            s -> s.track(s.event().metadata("note", HIGH_ALONE))),
        bad("metadata key with \\r", "metadata", s -> s.track(s.event().metadata("no\rte", "v"))),
        bad("metadata key of 65 characters", "metadata", s -> s.track(s.event().metadata("k".repeat(65), "v"))),
        bad("ipAddress host name example.com", "ipAddress", s -> s.track(s.event().ipAddress("example.com"))),
        bad("ipAddress host name localhost (consumed)", "ipAddress",
            s -> s.tracking().consumeQuota(s.event().ipAddress("localhost").build())),
        bad("ipAddress 256.1.1.1", "ipAddress", s -> s.track(s.event().ipAddress("256.1.1.1"))),
        bad("ipAddress with a port 10.0.0.1:80", "ipAddress", s -> s.track(s.event().ipAddress("10.0.0.1:80"))));
  }

  private static Map<String, String> entries(int count, int valueLength) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      m.put(String.format("k%02d", i), "v".repeat(valueLength));
    }
    return m;
  }

  private static List<Case> settings() {
    ZoneId utc = ZoneId.of("UTC");
    Quota q = Quota.monthly(CHARACTERS, 5);
    return List.of(
        bad("initializeUserQuotas with unknown tier gold", "tier",
            s -> s.quotas().initializeUserQuotas(s.user(), "gold", "ops")),
        bad("changeTier to unknown tier gold", "tier", s -> s.quotas().changeTier(s.user(), "gold", "ops", "upgrade")),
        bad("changeTier to a null tier", "tier", s -> s.quotas().changeTier(s.user(), null, "ops", "upgrade")),
        bad("initializeUserQuotas by a blank actor", "actor",
            s -> s.quotas().initializeUserQuotas(s.user(), "free", " ")),
        bad("updateQuota by an actor of 129 characters", "actor",
            s -> s.quotas().updateQuota(s.user(), q, LONG_129, "r")),
        bad("updateQuota by an actor with \\n", "actor", s -> s.quotas().updateQuota(s.user(), q, "ops\n", "r")),
        bad("changeTier by an actor with an unpaired surrogate", "actor",
            s -> s.quotas().changeTier(s.user(), Tier.FREE, HIGH_ALONE, "r")),
        bad("updateQuota with a blank reason", "reason", s -> s.quotas().updateQuota(s.user(), q, "ops", "  ")),
        bad("changeTier with a null reason", "reason", s -> s.quotas().changeTier(s.user(), Tier.FREE, "ops", null)),
        bad("updateQuota with a reason of 513 characters", "reason",
            s -> s.quotas().updateQuota(s.user(), q, "ops", "r".repeat(513))),
        bad("changeBillingCycle to anchor day 0", "billingAnchorDay",
            s -> s.quotas().changeBillingCycle(s.user(), utc, 0, "ops", "r")),
        bad("changeBillingCycle to anchor day 32", "billingAnchorDay",
            s -> s.quotas().changeBillingCycle(s.user(), utc, 32, "ops", "r")),
        bad("changeBillingCycle to a null zone", "zone",
            s -> s.quotas().changeBillingCycle(s.user(), null, 1, "ops", "r")),
        bad("updateQuota with a null quota", "quota", s -> s.quotas().updateQuota(s.user(), null, "ops", "r")),
        bad("updateQuota to limit -1", "limit", s -> s.quotas().updateQuota(s.user(), q.withLimit(-1), "ops", "r")),
        bad("updateQuota to limit MAX_AMOUNT + 1", "limit",
            s -> s.quotas().updateQuota(s.user(), Quota.monthly(TOKENS, MAX + 1), "ops", "r")),
        bad("updateQuota with a quota of null type", "quotaType",
            s -> s.quotas().updateQuota(s.user(), Quota.monthly(null, 5), "ops", "r")),
        // with the default settle delay (24 h 5 min) a day's carried units would arrive after the day ended
        bad("updateQuota to a daily quota carrying into days it cannot reach", "rollover",
            s -> s.quotas().updateQuota(s.user(), DAILY_CARRYING, "ops", "r")),
        bad("updateQuotas to a daily quota carrying into days it cannot reach", "rollover",
            s -> s.quotas().updateQuotas(List.of(s.user()), DAILY_CARRYING, "ops", "r")),
        bad("removeQuotaOverride of a null type", "quotaType",
            s -> s.quotas().removeQuotaOverride(s.user(), null, "ops", "r")),
        bad("Tier with a blank name", "tier", s -> Tier.builder(" ").build()),
        bad("Tier with a name with \\n", "tier", s -> Tier.builder("gold\n").build()),
        bad("Tier that is its own parent", "tier.parent", s -> Tier.builder("gold").parent("gold").build()),
        bad("engine with a tier whose parent is unknown", "tier.parent",
            s -> s.engines().apply(b -> b.tier(Tier.builder("gold").parent("ghost").build()))),
        bad("engine with an unknown default tier", "defaultTier", s -> s.engines().apply(b -> b.defaultTier("ghost"))),
        bad("UserQuota with anchor day 0", "billingAnchorDay",
            s -> new UserQuota(s.user(), "free", Map.of(), utc, 0, 0)),
        bad("UserQuota with anchor day 32", "billingAnchorDay",
            s -> new UserQuota(s.user(), "free", Map.of(), utc, 32, 0)),
        bad("UserQuota with a tokens quota under the characters key", "overrides",
            s -> new UserQuota(s.user(), "free", Map.of(CHARACTERS, Quota.monthly(TOKENS, 1)), utc, 1, 0)),
        bad("RolloverPolicy with cap -1", "rollover.capAmount", s -> RolloverPolicy.carryUpTo(-1)),
        bad("getSystemUsage with to before from", "to",
            s -> s.tracking().getSystemUsage(
                Instant.parse("2026-03-02T00:00:00Z"), Instant.parse("2026-03-01T00:00:00Z"))),
        bad("getSystemUsage with a null from", "from", s -> s.tracking().getSystemUsage(null, Instant.EPOCH)));
  }

  private static List<Case> reservations() {
    return List.of(
        bad("commit requests, which were not reserved", "actual.requests", s -> s.commit(Map.of(REQUESTS, 1L))),
        bad("commit gpu-seconds, which no tier sets", "actual.gpu-seconds", s -> s.commit(Map.of(UNKNOWN, 1L))),
        bad("commit tokens -1", "actual.tokens", s -> s.commit(Map.of(TOKENS, -1L))),
        bad("commit tokens Long.MAX_VALUE", "actual.tokens", s -> s.commit(Map.of(TOKENS, Long.MAX_VALUE))),
        bad("commit tokens MAX_AMOUNT + 1", "actual.tokens", s -> s.commit(Map.of(TOKENS, MAX + 1))),
        bad("commit a null actual map", "actual", s -> s.commit(null)),
        bad("commit a null reservation", "reservation", s -> s.tracking().commitReservation(null, Map.of(TOKENS, 1L))),
        bad("release a null reservation", "reservation", s -> s.tracking().releaseReservation(null)));
  }
}
