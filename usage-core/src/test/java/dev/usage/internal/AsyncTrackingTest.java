package dev.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.usage.OverflowPolicy;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.TrackingRejectedException;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.EventStore;
import dev.usage.spi.UsageStorage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Semantics 7: async tracking buffers with an explicit overflow policy, retries a failing store, and
 * writes everything buffered on close. The event store is wrapped to make it block or fail on demand.
 */
class AsyncTrackingTest {

  private final InMemoryUsageStorage real = InMemoryUsageStorage.create();
  private final CountDownLatch open = new CountDownLatch(1);
  private final CountDownLatch entered = new CountDownLatch(1);
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final AtomicInteger errorsLeft = new AtomicInteger();
  private UsageEngine engine;

  private final EventStore gated = new AppendHook(real.events(), () -> {
    entered.countDown();
    try {
      open.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (failuresLeft.getAndDecrement() > 0) {
      throw new IllegalStateException("database restarting");
    }
    if (errorsLeft.getAndDecrement() > 0) {
      throw new NoClassDefFoundError("a driver class that failed to load");
    }
  });

  private UsageEngine engine(OverflowPolicy policy, int capacity) {
    UsageStorage storage = UsageStorage.composite(real.counters(), gated, real.userQuotas(), real.history(),
        real.capabilities());
    engine = UsageEngine.builder().storage(storage).trackingMode(TrackingMode.ASYNC).bufferCapacity(capacity)
        .batchSize(10).overflowPolicy(policy).offerTimeout(Duration.ofMillis(50)).closeOnShutdown(false).build();
    return engine;
  }

  @AfterEach
  void tearDown() {
    open.countDown();
    if (engine != null) {
      engine.close();
    }
  }

  private UsageEvent event(int i) {
    return engine.tracking().event("u").eventId("e" + i).characters(1).build();
  }

  /** Fills the buffer while the writer is stuck writing its first batch: returns how many were taken. */
  private int fill(int capacity) throws InterruptedException {
    engine.tracking().trackUsage(event(0));
    entered.await(); // the writer took event 0 and waits in append: the buffer is empty
    for (int i = 1; i <= capacity; i++) {
      engine.tracking().trackUsage(event(i));
    }
    return capacity + 1;
  }

  @Test
  void dropPolicyDropsAndCountsWhenFull() throws InterruptedException {
    engine(OverflowPolicy.DROP, 5);
    int taken = fill(5);
    engine.tracking().trackUsage(event(100));
    engine.tracking().trackUsage(event(101));

    open.countDown();
    engine.close();

    assertThat(engine.tracking().trackingStats().dropped()).isEqualTo(2);
    assertThat(engine.tracking().trackingStats().accepted()).isEqualTo(taken);
    assertThat(engine.tracking().trackingStats().written()).isEqualTo(taken);
  }

  @Test
  void failPolicyThrowsWhenFull() throws InterruptedException {
    engine(OverflowPolicy.FAIL, 5);
    fill(5);
    assertThatThrownBy(() -> engine.tracking().trackUsage(event(100)))
        .isInstanceOf(TrackingRejectedException.class).hasMessageContaining("buffer full");
    assertThat(engine.tracking().trackingStats().rejected()).isEqualTo(1);
    assertThat(engine.tracking().trackingStats().dropped()).isZero();
  }

  @Test
  void blockPolicyWaitsThenGivesUpWithATypedError() throws InterruptedException {
    engine(OverflowPolicy.BLOCK, 5);
    fill(5);
    assertThatThrownBy(() -> engine.tracking().trackUsage(event(100)))
        .isInstanceOf(TrackingRejectedException.class).hasMessageContaining("still full");
    assertThat(engine.tracking().trackingStats().rejected()).isEqualTo(1);
  }

  @Test
  void failingStoreIsRetriedAndNothingIsLost() {
    failuresLeft.set(2);
    engine(OverflowPolicy.BLOCK, 100);
    open.countDown();
    for (int i = 0; i < 30; i++) {
      engine.tracking().trackUsage(event(i));
    }

    engine.close();

    assertThat(engine.tracking().trackingStats().written()).isEqualTo(30);
    assertThat(engine.tracking().trackingStats().failed()).isZero();
    assertThat(real.events().userTotals("u", Instant.EPOCH, Instant.MAX)).containsEntry(QuotaType.CHARACTERS, 30L);
  }

  @Test
  void trackingAfterCloseIsRefused() {
    engine(OverflowPolicy.BLOCK, 10);
    open.countDown();
    engine.close();
    assertThatThrownBy(() -> engine.tracking().trackUsage(event(1))).isInstanceOf(TrackingRejectedException.class);
    assertThat(engine.tracking().trackingStats().rejected()).isEqualTo(1);
  }

  @Test
  void aCallerAlreadyInterruptedStillGetsEverythingBufferedWrittenByClose() throws Exception {
    engine(OverflowPolicy.BLOCK, 100);
    int taken = fill(20); // the writer holds event 0 in the store's gate, 20 more wait in the buffer
    Thread opener = new Thread(() -> {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
      open.countDown();
    });
    opener.start();

    Thread.currentThread().interrupt(); // cleanup in a finally after an interrupt
    engine.close();

    assertThat(Thread.interrupted()).as("the caller's interrupt status is kept").isTrue();
    opener.join();
    assertThat(engine.tracking().trackingStats().written()).isEqualTo(taken);
    assertThat(engine.tracking().trackingStats().failed()).isZero();
    assertThat(real.events().userTotals("u", Instant.EPOCH, Instant.MAX)).containsEntry(QuotaType.CHARACTERS, 21L);
  }

  @Test
  void anErrorFromTheStoreIsRetriedLikeAnExceptionAndTheWriterGoesOn() {
    errorsLeft.set(1);
    engine(OverflowPolicy.BLOCK, 100);
    open.countDown();
    for (int i = 0; i < 30; i++) {
      engine.tracking().trackUsage(event(i));
    }

    // written while the engine is open: a writer thread that died would leave them in the buffer
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.tracking().trackingStats().written() == 30);
    engine.close();
    assertThat(engine.tracking().trackingStats().failed()).isZero();
    assertThat(engine.tracking().trackingStats().pending()).isZero();
  }

  @Test
  void anErrorFromTheStoreOfASynchronousEngineCountsTheEventFailedAndReachesTheCaller() {
    errorsLeft.set(1);
    open.countDown();
    UsageStorage storage = UsageStorage.composite(real.counters(), gated, real.userQuotas(), real.history(),
        real.capabilities());
    engine = UsageEngine.builder().storage(storage).trackingMode(TrackingMode.SYNC).closeOnShutdown(false).build();
    assertThatThrownBy(() -> engine.tracking().trackUsage(event(1))).isInstanceOf(NoClassDefFoundError.class);
    engine.tracking().trackUsage(event(2));
    assertThat(engine.tracking().trackingStats()).satisfies(st -> {
      assertThat(st.accepted()).isEqualTo(2);
      assertThat(st.written()).isEqualTo(1);
      assertThat(st.failed()).isEqualTo(1);
      assertThat(st.pending()).isZero();
    });
  }

  @Test
  void aSynchronousEngineClosesOnlyOnceTheWritesUnderWayAreDone() throws Exception {
    UsageStorage storage = UsageStorage.composite(real.counters(), gated, real.userQuotas(), real.history(),
        real.capabilities());
    engine = UsageEngine.builder().storage(storage).trackingMode(TrackingMode.SYNC).closeOnShutdown(false).build();
    Thread caller = new Thread(() -> engine.tracking().trackUsage(event(1)));
    caller.start();
    entered.await(); // the write is under way, held in the store's gate
    Thread closer = new Thread(engine::close);
    closer.start();
    closer.join(300);
    assertThat(closer.isAlive()).as("close() waits for the write under way").isTrue();

    open.countDown();
    closer.join(10_000);
    caller.join(10_000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(engine.tracking().trackingStats().written()).isEqualTo(1);
    assertThat(real.events().userTotals("u", Instant.EPOCH, Instant.MAX)).containsEntry(QuotaType.CHARACTERS, 1L);
    assertThatThrownBy(() -> engine.tracking().trackUsage(event(2))).isInstanceOf(TrackingRejectedException.class);
  }

  @Test
  void eventsTrackedWhileClosingAreEitherStoredOrRefusedNeverLost() throws Exception {
    engine(OverflowPolicy.BLOCK, 1_000);
    open.countDown();
    AtomicInteger ids = new AtomicInteger();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    List<java.util.concurrent.Future<Integer>> trackers = new java.util.ArrayList<>();
    for (int t = 0; t < 4; t++) {
      trackers.add(pool.submit(() -> {
        int stored = 0;
        while (true) {
          try {
            engine.tracking().trackUsage(engine.tracking().event("u").eventId("c" + ids.incrementAndGet())
                .characters(1).build());
            stored++;
          } catch (TrackingRejectedException closed) {
            return stored;
          }
        }
      }));
    }
    org.awaitility.Awaitility.await().until(() -> engine.tracking().trackingStats().written() > 2_000);

    engine.close();

    int accepted = 0;
    for (java.util.concurrent.Future<Integer> f : trackers) {
      accepted += f.get();
    }
    pool.shutdown();
    assertThat(real.events().userTotals("u", Instant.EPOCH, Instant.MAX)).containsEntry(QuotaType.CHARACTERS,
        (long) accepted);
  }

  @Test
  void closeWithTheStoreDownKeepsItsTimeoutAndCountsEveryEvent() {
    failuresLeft.set(Integer.MAX_VALUE);
    UsageStorage storage = UsageStorage.composite(real.counters(), gated, real.userQuotas(), real.history(),
        real.capabilities());
    engine = UsageEngine.builder().storage(storage).trackingMode(TrackingMode.ASYNC).batchSize(2).writeAttempts(20)
        .flushInterval(Duration.ofMinutes(10)).closeTimeout(Duration.ofMillis(300)).closeOnShutdown(false).build();
    open.countDown();
    for (int i = 0; i < 5; i++) {
      engine.tracking().trackUsage(event(i));
    }

    long started = System.nanoTime();
    engine.close();
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(took).isLessThan(Duration.ofSeconds(3)); // 300 ms timeout plus at most one interrupted attempt
    assertThat(engine.tracking().trackingStats()).satisfies(st -> {
      assertThat(st.accepted()).isEqualTo(5);
      assertThat(st.failed()).isEqualTo(5);
      assertThat(st.written()).isZero();
      assertThat(st.pending()).isZero();
    });
  }

  @Test
  void closeWakesAnIdleWriterInsteadOfWaitingOutItsPollInterval() {
    UsageStorage storage = UsageStorage.composite(real.counters(), gated, real.userQuotas(), real.history(),
        real.capabilities());
    engine = UsageEngine.builder().storage(storage).trackingMode(TrackingMode.ASYNC)
        .flushInterval(Duration.ofMinutes(10)).closeTimeout(Duration.ofMinutes(1)).closeOnShutdown(false).build();
    open.countDown();
    engine.tracking().trackUsage(event(1));

    long started = System.nanoTime();
    engine.close();

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
    assertThat(engine.tracking().trackingStats().written()).isEqualTo(1);
  }

  @Test
  void aBurstIsWrittenAsOneFullBatchAndTheLingerEndsWhenTheBatchIsFull() {
    List<Integer> appended = new CopyOnWriteArrayList<>();
    engine = lingering(new AppendHook(real.events(), (List<UsageEvent> batch) -> appended.add(batch.size())), 50);
    for (int i = 0; i < 50; i++) {
      engine.tracking().trackUsage(event(i));
    }

    // a one-minute linger: only a full batch, not the linger running out, gets these written now
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.tracking().trackingStats().written() == 50);
    assertThat(appended).containsExactly(50);
  }

  @Test
  void callersFromManyThreadsWakeTheWriterForEveryFullBatchAndWhenItIsIdle() throws Exception {
    List<Integer> appended = new CopyOnWriteArrayList<>();
    // a minute's linger and idle wait: only a wake-up by a caller gets a batch written within the await
    UsageStorage storage = UsageStorage.composite(real.counters(),
        new AppendHook(real.events(), (List<UsageEvent> batch) -> appended.add(batch.size())), real.userQuotas(),
        real.history(), real.capabilities());
    engine = UsageEngine.builder().storage(storage).trackingMode(TrackingMode.ASYNC).batchSize(10)
        .batchLinger(Duration.ofMinutes(1)).flushInterval(Duration.ofMinutes(1)).closeTimeout(Duration.ofMinutes(1))
        .closeOnShutdown(false).build();
    int threads = 8;
    int perThread = 1_000;
    for (int round = 0; round < 3; round++) {
      int base = round * threads * perThread;
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> callers = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int from = base + t * perThread;
        Thread c = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = from; i < from + perThread; i++) {
            engine.tracking().trackUsage(event(i));
          }
        });
        c.start();
        callers.add(c);
      }
      start.countDown();
      for (Thread c : callers) {
        c.join();
      }
      long expected = (long) (round + 1) * threads * perThread;
      // every batch full (8,000 is a multiple of 10), each completed by the caller whose event filled it; the
      // writer then idles until the next round's first event wakes it
      await().atMost(Duration.ofSeconds(20)).until(() -> engine.tracking().trackingStats().written() == expected);
    }
    assertThat(appended).allMatch(n -> n == 10);
  }

  @Test
  void closeEndsTheLingerAndWritesThePartialBatch() {
    List<Integer> appended = new CopyOnWriteArrayList<>();
    engine = lingering(new AppendHook(real.events(), (List<UsageEvent> batch) -> appended.add(batch.size())), 50);
    for (int i = 0; i < 3; i++) {
      engine.tracking().trackUsage(event(i));
    }

    engine.close();

    assertThat(engine.tracking().trackingStats().written()).isEqualTo(3);
    assertThat(appended).containsExactly(3);
    assertThat(real.events().userTotals("u", Instant.EPOCH, Instant.MAX)).containsEntry(QuotaType.CHARACTERS, 3L);
  }

  private UsageEngine lingering(EventStore events, int batchSize) {
    UsageStorage storage = UsageStorage.composite(real.counters(), events, real.userQuotas(), real.history(),
        real.capabilities());
    return UsageEngine.builder().storage(storage).trackingMode(TrackingMode.ASYNC).batchSize(batchSize)
        .batchLinger(Duration.ofMinutes(1)).closeTimeout(Duration.ofMinutes(1)).closeOnShutdown(false).build();
  }
}
