package dev.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usage.QuotaStatus;
import dev.usage.UsageListener;
import dev.usage.UsageListeners;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What is published reaches each registration of a listener, whichever listener method it calls. */
class ListenerDispatcherTest {

  @Test
  void aPublishedCallReachesTheListenerOncePerRegistration() throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    UsageListener listener = new UsageListener() {
      @Override
      public void onResetApproaching(String userId, List<QuotaStatus> monthly) {
        heard.add(userId);
      }
    };
    ListenerDispatcher dispatcher = new ListenerDispatcher(10, Duration.ofSeconds(5));
    dispatcher.register(listener);
    UsageListeners.Registration second = dispatcher.register(listener);

    dispatcher.publish(l -> l.onResetApproaching("ann", List.of()));
    await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 2);
    second.close();
    dispatcher.publish(l -> l.onResetApproaching("bob", List.of()));
    dispatcher.close();

    assertThat(heard).containsExactly("ann", "ann", "bob");
  }

  @Test
  void aCloseTimeoutUnderAMillisecondStillEndsTheWaitForABusyListener() {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
    ListenerDispatcher dispatcher = new ListenerDispatcher(10, Duration.ofNanos(500_000));
    dispatcher.register(new UsageListener() {
      @Override
      public void onResetApproaching(String userId, List<QuotaStatus> monthly) {
        busy.countDown();
        try {
          release.await(); // a hung call of the host's, until interrupted
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    dispatcher.publish(l -> l.onResetApproaching("ann", List.of()));
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> busy.getCount() == 0);
      // Thread.join(0) waits for good: a timeout of 0 ms must not become one
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), dispatcher::close);
    } finally {
      release.countDown();
    }
  }
}
