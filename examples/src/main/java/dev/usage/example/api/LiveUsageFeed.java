package dev.usage.example.api;

import dev.usage.QuotaChange;
import dev.usage.UsageListener;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Pushes every quota change to the dashboards watching it, as server-sent events named {@code quota}
 * (data: a {@link LiveQuota}). A user's stream carries that user's changes; an admin's "all users" stream
 * carries everyone's. Changes arrive from the engine's listener thread; a stream that fails to take one
 * (the browser went away) is dropped, and the browser's {@code EventSource} reconnects on its own.
 *
 * <p>By default the changes made through this instance are delivered directly. With several instances
 * ({@code redis} profile) a {@linkplain #relayThrough relay} takes them instead, and every instance delivers
 * what the relay hands back, so each dashboard sees the traffic of all instances.
 */
@Component
public class LiveUsageFeed implements UsageListener, SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(LiveUsageFeed.class);
  private static final Duration STREAM_TIMEOUT = Duration.ofMinutes(30);

  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
  private volatile Consumer<QuotaChange> relay;
  private volatile boolean running;

  /**
   * From now on, hands this instance's changes to {@code publisher} instead of delivering them; the relay
   * calls {@link #deliver} with what every instance published.
   */
  public void relayThrough(Consumer<QuotaChange> publisher) {
    relay = publisher;
  }

  /** A new stream of {@code userId}'s changes, or of every user's when {@code userId} is empty. */
  public SseEmitter subscribe(String userId) {
    SseEmitter emitter = new SseEmitter(STREAM_TIMEOUT.toMillis());
    Subscriber s = new Subscriber(userId, emitter);
    subscribers.add(s);
    emitter.onCompletion(() -> subscribers.remove(s));
    emitter.onTimeout(() -> subscribers.remove(s));
    emitter.onError(e -> subscribers.remove(s));
    try {
      // tells the browser at once that the stream is open (and proxies not to wait for a first event)
      emitter.send(SseEmitter.event().comment("subscribed"));
    } catch (IOException e) {
      subscribers.remove(s);
      emitter.completeWithError(e);
    }
    return emitter;
  }

  @Override
  public void onQuotaChange(QuotaChange change) {
    Consumer<QuotaChange> r = relay;
    if (r != null) {
      r.accept(change);
    } else if (!subscribers.isEmpty()) {
      deliver(LiveQuota.of(change));
    }
  }

  /** Sends {@code update} to the streams watching its user. */
  public void deliver(LiveQuota update) {
    for (Subscriber s : subscribers) {
      if (s.userId().isEmpty() || s.userId().equals(update.userId())) {
        try {
          s.emitter().send(SseEmitter.event().name("quota").data(update));
        } catch (IOException | IllegalStateException e) {
          log.debug("dropping a live stream that could not take an update: {}", e.toString());
          subscribers.remove(s);
          s.emitter().completeWithError(e);
        }
      }
    }
  }

  @Override
  public void start() {
    running = true;
  }

  /**
   * Ends every open stream. Runs before the web server's graceful shutdown (a higher phase stops first),
   * which would otherwise wait its whole timeout for streams that never end on their own.
   */
  @Override
  public void stop() {
    running = false;
    for (Subscriber s : subscribers) {
      subscribers.remove(s);
      s.emitter().complete();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** The number of open streams. */
  public int subscribers() {
    return subscribers.size();
  }

  private record Subscriber(String userId, SseEmitter emitter) {}
}
