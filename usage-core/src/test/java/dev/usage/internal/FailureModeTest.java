package dev.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.AuditEntry;
import dev.usage.Consumption;
import dev.usage.FailureMode;
import dev.usage.InvalidUsageException;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.UsageStorageException;
import dev.usage.UserQuota;
import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.ConsumeCommand;
import dev.usage.spi.ConsumeOutcome;
import dev.usage.spi.CounterKey;
import dev.usage.spi.CounterPage;
import dev.usage.spi.CounterStore;
import dev.usage.spi.CounterValue;
import dev.usage.spi.EventStore;
import dev.usage.spi.SettleCommand;
import dev.usage.spi.SettleOutcome;
import dev.usage.spi.UsageStorage;
import dev.usage.spi.UserQuotaStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Semantics 8: when the counter store fails, fail-closed throws a typed error and fail-open allows with
 * {@code degraded}; settling a reservation never fails open. The failing store here is a test double of
 * our own SPI (the real outages are tested against real servers by each adapter).
 */
class FailureModeTest {

  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicBoolean settingsDown = new AtomicBoolean();
  private final AtomicBoolean eventsDown = new AtomicBoolean();
  private final InMemoryUsageStorage real = InMemoryUsageStorage.create();

  private final UserQuotaStore flakySettings = new UserQuotaStore() {
    @Override
    public Optional<UserQuota> find(String userId) {
      if (settingsDown.get()) {
        throw new IllegalStateException("settings store down");
      }
      return real.userQuotas().find(userId);
    }

    @Override
    public Optional<UserQuota> save(UserQuota next, AuditEntry entry) {
      return real.userQuotas().save(next, entry);
    }

    @Override
    public List<AuditEntry> auditTrail(String userId) {
      return real.userQuotas().auditTrail(userId);
    }

    @Override
    public long forEachAuditEntry(dev.usage.AuditFilter filter, dev.usage.AuditOrder order, long offset, long limit,
        java.util.function.Consumer<AuditEntry> sink) {
      return real.userQuotas().forEachAuditEntry(filter, order, offset, limit, sink);
    }

    @Override
    public List<String> auditedUsers(Optional<String> after, int limit) {
      return real.userQuotas().auditedUsers(after, limit);
    }
  };

  private final EventStore flakyEvents = new AppendHook(real.events(), () -> {
    if (eventsDown.get()) {
      throw new IllegalStateException("event store down");
    }
  });

  private final CounterStore flaky = new CounterStore() {
    private void check() {
      if (down.get()) {
        throw new IllegalStateException("connection refused");
      }
    }

    @Override
    public ConsumeOutcome consume(ConsumeCommand command) {
      check();
      return real.counters().consume(command);
    }

    @Override
    public SettleOutcome commit(SettleCommand command) {
      check();
      return real.counters().commit(command);
    }

    @Override
    public SettleOutcome release(SettleCommand command) {
      check();
      return real.counters().release(command);
    }

    @Override
    public List<CounterValue> read(String userId, List<CounterKey> keys, Instant now) {
      check();
      return real.counters().read(userId, keys, now);
    }

    @Override
    public CounterPage scan(Optional<String> cursor, int limit, Instant now) {
      check();
      return real.counters().scan(cursor, limit, now);
    }
  };

  private UsageEngine engine(FailureMode mode) {
    UsageStorage storage = UsageStorage.composite(flaky, flakyEvents, flakySettings, real.history(),
        real.capabilities());
    return UsageEngine.builder().storage(storage).failureMode(mode).trackingMode(TrackingMode.SYNC)
        .closeOnShutdown(false).build();
  }

  @Test
  void failClosedThrowsATypedErrorCarryingTheCause() {
    try (UsageEngine engine = engine(FailureMode.FAIL_CLOSED)) {
      down.set(true);
      assertThatThrownBy(() -> engine.tracking().consumeQuota(Consumption.of("u", QuotaType.REQUESTS, 1)))
          .isInstanceOf(UsageStorageException.class)
          .hasRootCauseMessage("connection refused");
      assertThatThrownBy(() -> engine.quotas().enforceQuotaLimits(Consumption.of("u", QuotaType.REQUESTS, 1)))
          .isInstanceOf(UsageStorageException.class);
      assertThatThrownBy(() -> engine.tracking().checkQuota(Consumption.of("u", QuotaType.REQUESTS, 1)))
          .isInstanceOf(UsageStorageException.class);
    }
  }

  @Test
  void failOpenAllowsFlaggedDegradedAndCountsNothing() {
    try (UsageEngine engine = engine(FailureMode.FAIL_OPEN)) {
      down.set(true);
      QuotaDecision d = engine.tracking().consumeQuota(Consumption.of("u", QuotaType.REQUESTS, 1));
      assertThat(d.allowed()).isTrue();
      assertThat(d.degraded()).isTrue();
      assertThat(d.statuses()).isEmpty();
      assertThat(engine.tracking().reserveQuota(Consumption.of("u", QuotaType.TOKENS, 5)).degraded()).isTrue();

      down.set(false);
      assertThat(engine.quotas().getQuotaStatus("u")).allSatisfy(s -> assertThat(s.used()).isZero());
      assertThat(engine.tracking().consumeQuota(Consumption.of("u", QuotaType.REQUESTS, 1)).degraded()).isFalse();
    }
  }

  @Test
  void settlingAReservationNeverFailsOpen() {
    try (UsageEngine engine = engine(FailureMode.FAIL_OPEN)) {
      Reservation r = engine.tracking().reserveQuota(Consumption.of("u", QuotaType.TOKENS, 5)).reservation().orElseThrow();
      down.set(true);
      assertThatThrownBy(() -> engine.tracking().commitReservation(r, Map.of(QuotaType.TOKENS, 5L)))
          .isInstanceOf(UsageStorageException.class);
      assertThatThrownBy(() -> engine.tracking().releaseReservation(r)).isInstanceOf(UsageStorageException.class);
    }
  }

  @Test
  void aCommitTheStoreSettledIsAnsweredAsChargedWhenTheSettingsCannotBeReadAfterIt() {
    try (UsageEngine engine = engine(FailureMode.FAIL_CLOSED)) {
      Reservation r = engine.tracking().reserveQuota(Consumption.of("u", QuotaType.TOKENS, 5)).reservation()
          .orElseThrow();
      settingsDown.set(true);

      QuotaDecision committed = engine.tracking().commitReservation(r, Map.of(QuotaType.TOKENS, 4L));

      assertThat(committed.allowed()).as("charged: a caller told otherwise would charge it again").isTrue();
      assertThat(committed.replayed()).isFalse();
      assertThat(committed.statuses()).isEmpty();
      settingsDown.set(false);
      assertThat(engine.quotas().getQuotaStatus("u")).filteredOn(st -> st.type().equals(QuotaType.TOKENS))
          .singleElement().satisfies(st -> {
            assertThat(st.used()).isEqualTo(4);
            assertThat(st.reserved()).isZero();
          });
    }
  }

  @Test
  void failOpenStillRefusesQuotaTypesNoTierKnowsWhenSettingsAreUnreachable() {
    try (UsageEngine engine = engine(FailureMode.FAIL_OPEN)) {
      settingsDown.set(true);
      assertThat(engine.tracking().consumeQuota(Consumption.of("u", QuotaType.REQUESTS, 1)).degraded()).isTrue();
      assertThatThrownBy(() -> engine.tracking().consumeQuota(Consumption.of("u", QuotaType.of("gpu-seconds"), 1)))
          .isInstanceOfSatisfying(InvalidUsageException.class,
              e -> assertThat(e.field()).isEqualTo("amounts.gpu-seconds"));
    }
  }

  @Test
  void countedEventWhoseRecordingFailsKeepsItsDecisionAndIsRecordedByARetry() {
    try (UsageEngine engine = engine(FailureMode.FAIL_CLOSED)) {
      UsageEvent event = engine.tracking().event("u").eventId("e1").characters(10).requests(1).build();
      eventsDown.set(true);

      QuotaDecision first = engine.tracking().consumeQuota(event);

      assertThat(first.allowed()).isTrue();
      assertThat(real.events().userTotals("u", Instant.EPOCH, Instant.MAX)).isEmpty();
      eventsDown.set(false);
      QuotaDecision retry = engine.tracking().consumeQuota(event);
      assertThat(retry.replayed()).isTrue();
      assertThat(real.events().userTotals("u", Instant.EPOCH, Instant.MAX)).containsEntry(QuotaType.CHARACTERS, 10L);
      assertThat(engine.quotas().getQuotaStatus("u")).filteredOn(st -> st.type().equals(QuotaType.CHARACTERS))
          .singleElement().satisfies(st -> assertThat(st.used()).isEqualTo(10));
    }
  }

  @Test
  void failOpenEventOnADeadBackendIsAllowedDegradedWithoutThrowing() {
    try (UsageEngine engine = engine(FailureMode.FAIL_OPEN)) {
      down.set(true);
      eventsDown.set(true);
      QuotaDecision d = engine.tracking().consumeQuota(engine.tracking().event("u").characters(10).build());
      assertThat(d.allowed()).isTrue();
      assertThat(d.degraded()).isTrue();
      assertThat(engine.tracking().trackingStats().failed()).isEqualTo(1);
    }
  }
}
