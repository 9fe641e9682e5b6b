package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.UsageStorageException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every connection of the application is killed by the server every 500 ms while threads consume: no
 * over-admission, counters equal the sum of recorded events, and the pool recovers within 5 seconds.
 */
abstract class ConnectionKillScenario {

  private static final long LIMIT = 100;
  private static final Duration LOAD = Duration.ofSeconds(8);

  /** A pool of 8 connections on a database of the test's own, and the fault that kills its connections. */
  abstract HikariDataSource pool();

  abstract ServerFaults faults();

  @Test
  void killedConnectionsNeitherOverAdmitNorLoseEventsAndThePoolRecovers() throws Exception {
    HikariDataSource ds = pool();
    String keyed = "kill-keyed-" + UUID.randomUUID();
    String plain = "kill-plain-" + UUID.randomUUID();
    Instant from = Instant.now().minus(Duration.ofHours(1));
    try (ds; JdbcUsageStorage storage = JdbcUsageStorage.builder(ds).build();
        UsageEngine engine = UsageEngine.builder().storage(storage).trackingMode(TrackingMode.SYNC)
            .closeOnShutdown(false).defaultQuota(Quota.monthly(QuotaType.REQUESTS, LIMIT)).build()) {
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger killRounds = new AtomicInteger();
      AtomicInteger killed = new AtomicInteger();
      Set<String> admitted = ConcurrentHashMap.newKeySet();
      AtomicLong plainAllowed = new AtomicLong();
      AtomicLong plainInDoubt = new AtomicLong();
      AtomicLong callerRetries = new AtomicLong();
      AtomicLong denied = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(11);
      try {
        Future<?> killer = pool.submit(() -> {
          while (!stop.get()) {
            TimeUnit.MILLISECONDS.sleep(500);
            killed.addAndGet(faults().killAll());
            killRounds.incrementAndGet();
          }
          return null;
        });
        List<Future<?>> workers = new java.util.ArrayList<>();
        for (int t = 0; t < 8; t++) {
          workers.add(pool.submit(() -> {
            while (!stop.get()) {
              UsageEvent event = engine.tracking().event(keyed).requests(1).characters(10).build();
              QuotaDecision d = retrying(() -> engine.tracking().consumeQuota(event), callerRetries);
              if (d.allowed()) {
                admitted.add(event.eventId());
              } else {
                denied.incrementAndGet();
              }
              TimeUnit.MILLISECONDS.sleep(2);
            }
            return null;
          }));
        }
        for (int t = 0; t < 2; t++) {
          workers.add(pool.submit(() -> {
            while (!stop.get()) {
              try {
                if (engine.tracking().consumeQuota(Consumption.of(plain, QuotaType.REQUESTS, 1)).allowed()) {
                  plainAllowed.incrementAndGet();
                }
              } catch (UsageStorageException inDoubt) {
                plainInDoubt.incrementAndGet();
              }
              TimeUnit.MILLISECONDS.sleep(2);
            }
            return null;
          }));
        }
        TimeUnit.MILLISECONDS.sleep(LOAD.toMillis());
        stop.set(true);
        killer.get(30, TimeUnit.SECONDS);
        for (Future<?> w : workers) {
          w.get(60, TimeUnit.SECONDS);
        }
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }

      // the pool recovers: no connection stays busy or awaited, and work succeeds, within 5 seconds
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        assertThat(ds.getHikariPoolMXBean().getActiveConnections()).isZero();
        assertThat(ds.getHikariPoolMXBean().getThreadsAwaitingConnection()).isZero();
        assertThat(engine.tracking().checkQuota(Consumption.of(keyed, QuotaType.REQUESTS, 1))).isNotNull();
      });

      long used = engine.quotas().getQuotaStatus(keyed).stream().filter(s -> s.type().equals(QuotaType.REQUESTS))
          .findFirst().orElseThrow().used();
      long recorded = storage.events().userTotals(keyed, from, Instant.now().plusSeconds(60))
          .getOrDefault(QuotaType.REQUESTS, 0L);
      long plainUsed = engine.quotas().getQuotaStatus(plain).stream()
          .filter(s -> s.type().equals(QuotaType.REQUESTS)).findFirst().orElseThrow().used();
      System.out.printf("kill rounds %d, connections killed %d, keyed admitted %d denied %d (caller retries %d),"
          + " plain allowed %d + in doubt %d, plain used %d%n", killRounds.get(), killed.get(), admitted.size(),
          denied.get(), callerRetries.get(), plainAllowed.get(), plainInDoubt.get(), plainUsed);

      assertThat(killRounds.get()).as("kill rounds").isGreaterThanOrEqualTo(10);
      assertThat(killed.get()).as("connections killed").isGreaterThan(10);
      assertThat(denied.get()).as("demand exceeded the limit while connections were being killed").isPositive();
      assertThat(used).as("exactly the limit: no over-admission, no lost admission").isEqualTo(LIMIT);
      assertThat(used).as("every admission the callers saw, counted once").isEqualTo(admitted.size());
      assertThat(recorded).as("counter equals the sum of recorded events").isEqualTo(used);
      assertThat(plainUsed).as("plain consumes: what was answered allowed, plus at most those in doubt")
          .isBetween(plainAllowed.get(), Math.min(LIMIT, plainAllowed.get() + plainInDoubt.get()));
    }
  }

  /** A caller that retries the same keyed request until it gets an answer, as a client would. */
  private static QuotaDecision retrying(Supplier<QuotaDecision> call, AtomicLong retries) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return call.get();
      } catch (UsageStorageException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        retries.incrementAndGet();
        TimeUnit.MILLISECONDS.sleep(10);
      }
    }
  }
}
