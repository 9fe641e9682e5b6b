package dev.usage.example.api;

import dev.usage.QuotaChange;
import dev.usage.UsageListener;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Pushes every quota change to the dashboards watching it, as server-sent events named {@code quota}
 * (data: a {@link LiveQuota}). A user's stream carries that user's changes; an admin's "all users" stream
 * carries everyone's. Changes arrive from the engine's listener thread; a stream that fails to take one
 * (the browser went away) is dropped, and the browser's {@code EventSource} reconnects on its own.
 */
@Component
public class LiveUsageFeed implements UsageListener {

  private static final Logger log = LoggerFactory.getLogger(LiveUsageFeed.class);
  private static final Duration STREAM_TIMEOUT = Duration.ofMinutes(30);

  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();

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
    if (subscribers.isEmpty()) {
      return;
    }
    LiveQuota update = LiveQuota.of(change);
    for (Subscriber s : subscribers) {
      if (s.userId().isEmpty() || s.userId().equals(change.userId())) {
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

  /** The number of open streams. */
  public int subscribers() {
    return subscribers.size();
  }

  private record Subscriber(String userId, SseEmitter emitter) {}
}
