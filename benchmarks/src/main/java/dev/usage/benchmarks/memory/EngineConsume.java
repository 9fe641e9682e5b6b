package dev.usage.benchmarks.memory;

import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UsageTrackingService;
import dev.usage.benchmarks.ConsumeShape;
import dev.usage.benchmarks.CounterTotals;
import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.StorageCapability;
import dev.usage.spi.UsageStorage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Ours: {@code engine.tracking().consumeQuota} through the public API, SYNC mode, over the in-memory storage
 * ({@link InMemoryUsageStorage}), with monthly quotas of characters, requests and tokens at {@link Expected#LIMIT}.
 * One quota: {@code Consumption.of(user, REQUESTS, 1)}, built once per user. Three quotas: characters +
 * requests + tokens under the call's idempotency key, built per call. Every user consumes once in the
 * constructor, so the measured consumes find their counters.
 *
 * <p>With {@code cacheSettings} (a diagnostic, not a supported set-up) the same in-memory stores are put
 * together with {@link UsageStorage#composite} declaring {@link StorageCapability#CHECKS_SETTINGS_VERSION},
 * which turns the engine's settings cache on: the in-memory counter store does not check the version, which is
 * harmless here because no settings change during a trial. It shows what the per-call settings read costs.
 */
final class EngineConsume implements LocalSide {

  private final InMemoryUsageStorage storage = InMemoryUsageStorage.create();
  private final UsageEngine engine;
  private final UsageTrackingService tracking;
  private final ConsumeShape shape;
  private final String[] users;
  private final Consumption[] requests;
  private final LongAdder admitted = new LongAdder();

  EngineConsume(int users, ConsumeShape shape, boolean cacheSettings) {
    this.shape = shape;
    UsageStorage used = cacheSettings ? UsageStorage.composite(storage.counters(), storage.events(),
        storage.userQuotas(), storage.history(), Set.of(StorageCapability.CHECKS_SETTINGS_VERSION)) : storage;
    this.engine = UsageEngine.builder()
        .storage(used)
        .trackingMode(TrackingMode.SYNC)
        .closeOnShutdown(false)
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, Expected.LIMIT))
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, Expected.LIMIT))
        .defaultQuota(Quota.monthly(QuotaType.TOKENS, Expected.LIMIT))
        .build();
    this.tracking = engine.tracking();
    this.users = new String[users];
    this.requests = new Consumption[users];
    for (int i = 0; i < users; i++) {
      this.users[i] = "user-" + i;
      requests[i] = Consumption.of(this.users[i], QuotaType.REQUESTS, 1);
    }
    for (int i = 0; i < users; i++) {
      consume(i, "setup-" + i);
    }
  }

  private Consumption request(int user, String key) {
    return shape == ConsumeShape.ONE_QUOTA ? requests[user]
        : ConsumeShape.threeQuotas(users[user], key);
  }

  @Override
  public void consume(int user, String key) {
    QuotaDecision d = tracking.consumeQuota(request(user, key));
    if (!d.allowed() || d.degraded() || d.replayed()) {
      throw new IllegalStateException("consume not admitted and counted: " + d);
    }
    admitted.increment();
  }

  /** Reads the counters through the storage's own scan, one page of 1,000 at a time. */
  @Override
  public void verify() {
    if (shape == ConsumeShape.THREE_QUOTAS_WITH_KEY) {
      QuotaDecision again = tracking.consumeQuota(request(0, "setup-0"));
      if (!again.allowed() || !again.replayed()) {
        throw new IllegalStateException("idempotency key setup-0 sent again was not replayed: " + again);
      }
    }
    CounterTotals totals = CounterTotals.scan(storage.counters());
    Map<QuotaType, Long> used = totals.used();
    Map<QuotaType, Long> expected = shape.units(admitted.sum());
    if (!used.equals(expected) || totals.users() != users.length) {
      throw new IllegalStateException("counters hold " + used + " for " + totals.users() + " users, but "
          + admitted.sum() + " consumes of " + users.length + " users were admitted (expected " + expected + ")");
    }
  }

  @Override
  public void close() {
    engine.close();
  }
}
