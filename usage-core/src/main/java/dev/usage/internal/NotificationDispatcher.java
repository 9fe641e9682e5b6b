package dev.usage.internal;

import dev.usage.Notification;
import dev.usage.NotificationChannel;
import dev.usage.NotificationSettings;
import dev.usage.NotificationStats;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications to channels: one daemon thread per channel (a slow channel delays only itself),
 * a bound on the deliveries waiting, and retries with exponential backoff. When every channel of a
 * notification has given up (or the dispatcher closed before it could deliver), the notification's
 * {@code undelivered} callback runs, once. Thread-safe.
 */
final class NotificationDispatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NotificationDispatcher.class);

  private final NotificationSettings settings;
  private final Duration closeTimeout;
  private final Map<String, ScheduledThreadPoolExecutor> executors = new LinkedHashMap<>();
  private final Map<Attempt, ScheduledFuture<?>> waiting = new ConcurrentHashMap<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;
  /** First attempts queued on a channel's thread and not started yet. */
  private final Set<Attempt> queued = ConcurrentHashMap.newKeySet();

  NotificationDispatcher(NotificationSettings settings, Duration closeTimeout) {
    this.settings = settings;
    this.closeTimeout = closeTimeout;
    for (NotificationChannel c : settings.channels()) {
      ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1,
          DefaultAnalyticsService.daemonThreads("usage-notify-" + c.name()));
      e.setRemoveOnCancelPolicy(true);
      executors.put(c.name(), e);
    }
  }

  /**
   * Queues {@code n} for each of {@code channels}; {@code undelivered} runs once if none of them delivers
   * it in the end.
   *
   * @return false, and nothing queued, when the queue is full or the dispatcher closed
   */
  boolean dispatch(Notification n, List<NotificationChannel> channels, Runnable undelivered) {
    if (closed) {
      drop();
      return false;
    }
    if (pending.addAndGet(channels.size()) > settings.queueCapacity()) {
      pending.addAndGet(-channels.size());
      drop();
      return false;
    }
    Outcome outcome = new Outcome(channels.size(), undelivered);
    for (NotificationChannel c : channels) {
      Attempt a = new Attempt(n, c, 1, outcome);
      queued.add(a);
      try {
        executors.get(c.name()).execute(() -> {
          if (queued.remove(a)) {
            run(a);
          }
        });
      } catch (RejectedExecutionException closing) {
        if (queued.remove(a)) {
          failed.incrementAndGet();
          finish(a, false);
        }
      }
    }
    return true;
  }

  private void drop() {
    if (dropped.incrementAndGet() % 1_000 == 1) {
      log.warn("Notification queue full or closed: {} notifications dropped so far", dropped.get());
    }
  }

  private void run(Attempt a) {
    waiting.remove(a);
    try {
      a.channel.send(a.notification);
      sent.incrementAndGet();
      finish(a, true);
    } catch (Exception | LinkageError e) {
      if (a.number < settings.maxAttempts() && !closed) {
        Duration wait = backoff(a.number);
        log.debug("Notification channel {} failed (attempt {}); retrying in {}", a.channel.name(), a.number, wait, e);
        retried.incrementAndGet();
        Attempt next = new Attempt(a.notification, a.channel, a.number + 1, a.outcome);
        try {
          waiting.put(next, executors.get(a.channel.name()).schedule(() -> run(next), wait.toNanos(), TimeUnit.NANOSECONDS));
        } catch (RejectedExecutionException closing) {
          waiting.remove(next);
          failed.incrementAndGet();
          finish(next, false);
        }
      } else {
        failed.incrementAndGet();
        log.warn("Notification {} to {} not delivered by channel {} after {} attempts", a.notification.kind(),
            a.notification.userId(), a.channel.name(), a.number, e);
        finish(a, false);
      }
    }
  }

  /** The wait before attempt {@code after + 1}: the initial backoff doubled per attempt, capped. */
  private Duration backoff(int after) {
    Duration d = settings.initialBackoff();
    for (int i = 1; i < after && d.compareTo(settings.maxBackoff()) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : d;
  }

  private void finish(Attempt a, boolean delivered) {
    pending.decrementAndGet();
    if (a.outcome.lastAndUndelivered(delivered)) {
      try {
        a.outcome.undelivered.run();
      } catch (RuntimeException e) {
        log.warn("Withdrawing an undelivered notification to {} failed", a.notification.userId(), e);
      }
    }
  }

  NotificationStats stats() {
    return new NotificationStats(sent.get(), retried.get(), failed.get(), dropped.get(), Math.max(0, pending.get()));
  }

  /**
   * Stops accepting notifications, abandons retries still waiting (their notifications count as not
   * delivered), and waits up to the close timeout for the deliveries under way and queued (an interrupt does
   * not end the wait; the caller's interrupt flag is set again); those a channel has not started by then count as
   * not delivered too.
   */
  @Override
  public void close() {
    closed = true;
    waiting.forEach((a, f) -> {
      if (f.cancel(false)) {
        waiting.remove(a);
        failed.incrementAndGet();
        finish(a, false);
      }
    });
    executors.values().forEach(ScheduledThreadPoolExecutor::shutdown);
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    for (ScheduledThreadPoolExecutor e : executors.values()) {
      if (!Waits.untilDeadline(deadline, nanos -> e.awaitTermination(nanos, TimeUnit.NANOSECONDS))) {
        log.warn("Notification channel still busy after {}; stopping it", closeTimeout);
        e.shutdownNow();
      }
    }
    // deliveries a stopped channel never started count as not delivered, so their claims are withdrawn
    for (Attempt a : queued) {
      if (queued.remove(a)) {
        failed.incrementAndGet();
        finish(a, false);
      }
    }
  }

  /** One attempt to deliver one notification on one channel; compared by identity. */
  private static final class Attempt {
    final Notification notification;
    final NotificationChannel channel;
    final int number;
    final Outcome outcome;

    Attempt(Notification notification, NotificationChannel channel, int number, Outcome outcome) {
      this.notification = notification;
      this.channel = channel;
      this.number = number;
      this.outcome = outcome;
    }
  }

  /** Counts a notification's channels down; tells the last one whether none delivered. */
  private static final class Outcome {
    private final AtomicInteger open;
    private final AtomicBoolean delivered = new AtomicBoolean();
    final Runnable undelivered;

    Outcome(int channels, Runnable undelivered) {
      this.open = new AtomicInteger(channels);
      this.undelivered = undelivered;
    }

    /** Records one channel's end; true exactly once, for the last channel, when no channel delivered. */
    boolean lastAndUndelivered(boolean ok) {
      if (ok) {
        delivered.set(true);
      }
      return open.decrementAndGet() == 0 && !delivered.get();
    }
  }
}
