package dev.usage.example.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The live feed never makes its caller (the engine's listener thread) wait for a browser: a stream whose
 * writes block holds only the newest update per user, while the others get the updates and end with the
 * newest.
 */
class LiveUsageFeedTest {

  private final LiveUsageFeed feed = new LiveUsageFeed();
  private final CountDownLatch unblock = new CountDownLatch(1);

  @AfterEach
  void stop() {
    unblock.countDown();
    feed.stop();
  }

  @Test
  @Timeout(30) // a feed that writes on the caller's thread would hang here for good: fail instead
  void aStreamThatStopsReadingHoldsUpNeitherTheCallerNorTheOtherStreams() throws Exception {
    CountDownLatch stuck = new CountDownLatch(1);
    List<LiveQuota> late = new CopyOnWriteArrayList<>();
    feed.subscribe("alice", new SseEmitter() {
      @Override
      public void send(SseEventBuilder event) {
        if (stuck.getCount() == 1) {
          stuck.countDown();
          try {
            unblock.await(); // a browser that stopped reading: the write does not return
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        } else {
          late.addAll(updates(event));
        }
      }
    });
    List<LiveQuota> seen = new CopyOnWriteArrayList<>();
    feed.subscribe("alice", new SseEmitter() {
      @Override
      public void send(SseEventBuilder event) {
        seen.addAll(updates(event));
      }
    });
    stuck.await(); // the first stream's sender is blocked in its first write

    int updates = 1_000;
    for (int i = 0; i < updates; i++) {
      feed.deliver(new LiveQuota("alice", "consumed", List.of(), Instant.EPOCH.plusSeconds(i)));
    }
    Instant newest = Instant.EPOCH.plusSeconds(updates - 1);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(seen).isNotEmpty().last().extracting(LiveQuota::at).isEqualTo(newest));
    assertThat(feed.subscribers()).isEqualTo(2);
    unblock.countDown();
    // once the browser reads again, it gets alice's newest standing, not the thousand before it
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(late).hasSize(1));
    assertThat(late.get(0).at()).isEqualTo(newest);
  }

  /** The updates an event carries (none for a comment). */
  private static List<LiveQuota> updates(SseEmitter.SseEventBuilder event) {
    return event.build().stream().map(d -> d.getData()).filter(LiveQuota.class::isInstance)
        .map(LiveQuota.class::cast).toList();
  }
}
