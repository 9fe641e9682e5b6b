package dev.usage.example.api;

import dev.usage.QuotaChange;
import dev.usage.UsageListener;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Pushes every quota change to the dashboards watching it, as server-sent events named {@code quota}
 * (data: a {@link LiveQuota}). A user's stream carries that user's changes; an admin's "all users" stream
 * carries everyone's.
 *
 * <p>Changes arrive on the engine's listener thread, which also serves e-mail notifications and every other
 * listener, so it never writes to a socket: each stream keeps its unsent updates, the newest per user
 * (a burst of one user's changes reaches a slow browser as that user's latest standing), sent in order by a
 * sender thread of its own while it has any. A browser that stops reading thus holds one update per user
 * and one thread, until the server's write times out; a stream that fails to take an update (the browser
 * went away) is dropped, and the browser's {@code EventSource} reconnects on its own.
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
  // cached: a stream blocked in a write holds one thread until the write times out, never the others'
  private final ExecutorService senders = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "live-usage-sender");
    t.setDaemon(true);
    return t;
  });
  private volatile Consumer<QuotaChange> relay;
  private volatile boolean running = true;

  /**
   * From now on, hands this instance's changes to {@code publisher} instead of delivering them; the relay
   * calls {@link #deliver} with what every instance published.
   */
  public void relayThrough(Consumer<QuotaChange> publisher) {
    relay = publisher;
  }

  /**
   * A new stream of {@code userId}'s changes, or of every user's when {@code userId} is empty.
   *
   * @throws ResponseStatusException 503 once the application is stopping
   */
  public SseEmitter subscribe(String userId) {
    return subscribe(userId, new SseEmitter(STREAM_TIMEOUT.toMillis()));
  }

  /** As {@link #subscribe(String)}, onto {@code emitter}. */
  SseEmitter subscribe(String userId, SseEmitter emitter) {
    if (!running) {
      throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "the application is stopping");
    }
    Subscriber s = new Subscriber(userId, emitter);
    subscribers.add(s);
    emitter.onCompletion(() -> subscribers.remove(s));
    emitter.onTimeout(() -> {
      subscribers.remove(s);
      emitter.complete();
    });
    emitter.onError(e -> subscribers.remove(s));
    // tells the browser at once that the stream is open (and proxies not to wait for a first event)
    s.enqueue("", SseEmitter.event().comment("subscribed"));
    return emitter;
  }

  /** Whether a stream watches {@code userId}'s changes (its own, or every user's). */
  public boolean watches(String userId) {
    for (Subscriber s : subscribers) {
      if (s.userId().isEmpty() || s.userId().equals(userId)) {
        return true;
      }
    }
    return false;
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

  /** Queues {@code update} for the streams watching its user; returns at once. */
  public void deliver(LiveQuota update) {
    for (Subscriber s : subscribers) {
      if (s.userId().isEmpty() || s.userId().equals(update.userId())) {
        s.enqueue(update.userId(), SseEmitter.event().name("quota").data(update));
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
    senders.shutdown();
    try {
      senders.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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

  /**
   * One open stream and its updates not yet sent: the newest per user (each carries the user's whole
   * standing, so an older one not yet sent says nothing the newer does not), in the order they came.
   */
  private final class Subscriber {
    private final String userId;
    private final SseEmitter emitter;
    private final Map<String, SseEmitter.SseEventBuilder> pending = new LinkedHashMap<>();
    private boolean draining;

    Subscriber(String userId, SseEmitter emitter) {
      this.userId = userId;
      this.emitter = emitter;
    }

    String userId() {
      return userId;
    }

    SseEmitter emitter() {
      return emitter;
    }

    /** Queues {@code event} in place of any unsent one under {@code key}, and starts a sender if none runs. */
    void enqueue(String key, SseEmitter.SseEventBuilder event) {
      synchronized (this) {
        pending.remove(key);
        pending.put(key, event);
        if (draining) {
          return;
        }
        draining = true;
      }
      try {
        senders.execute(this::drain);
      } catch (RejectedExecutionException e) {
        synchronized (this) {
          draining = false; // stopping: the stream is being completed anyway
        }
      }
    }

    /** Sends what is pending, oldest first, until nothing is; one sender at a time per stream. */
    private void drain() {
      while (true) {
        SseEmitter.SseEventBuilder event;
        synchronized (this) {
          Iterator<SseEmitter.SseEventBuilder> oldest = pending.values().iterator();
          if (!oldest.hasNext()) {
            draining = false;
            return;
          }
          event = oldest.next();
          oldest.remove();
        }
        try {
          emitter.send(event);
        } catch (IOException | IllegalStateException e) {
          drop(e);
          return;
        }
      }
    }

    private void drop(Exception why) {
      if (subscribers.remove(this)) {
        log.debug("dropping a live stream that could not take an update: {}", why.toString());
        synchronized (this) {
          pending.clear();
        }
        emitter.completeWithError(why);
      }
    }
  }
}
