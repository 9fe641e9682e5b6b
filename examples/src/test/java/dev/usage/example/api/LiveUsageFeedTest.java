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
 * writes block falls behind on its own and is dropped, while the others get every update in order.
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
  void aStreamThatStopsReadingIsDroppedWithoutHoldingUpTheCallerOrTheOtherStreams() throws Exception {
    CountDownLatch stuck = new CountDownLatch(1);
    feed.subscribe("alice", new SseEmitter() {
      @Override
      public void send(SseEventBuilder event) throws IOException {
        stuck.countDown();
        try {
          unblock.await(); // a browser that stopped reading: the write never returns
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    List<Object> seen = new CopyOnWriteArrayList<>();
    feed.subscribe("alice", new SseEmitter() {
      @Override
      public void send(SseEventBuilder event) {
        seen.add(event.build());
      }
    });
    stuck.await(); // the first stream's sender is blocked in its first write

    int updates = LiveUsageFeed.MAX_QUEUED + 10;
    for (int i = 0; i < updates; i++) {
      // the caller returns at once each time; were it writing itself, this loop would never end
      feed.deliver(new LiveQuota("alice", "consumed", List.of(), Instant.EPOCH.plusSeconds(i)));
    }

    assertThat(feed.subscribers()).as("the stuck stream fell too far behind and was dropped").isEqualTo(1);
    // the healthy stream: its "subscribed" comment, then every update
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen).hasSize(1 + updates));
  }
}
