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
}
