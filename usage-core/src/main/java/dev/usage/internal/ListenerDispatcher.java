package dev.usage.internal;

import dev.usage.ListenerStats;
import dev.usage.UsageListener;
import dev.usage.UsageListeners;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands notifications to the registered listeners on one daemon thread, through a bounded queue that never
 * blocks the publisher. With no listener registered, publishing costs a volatile read. Thread-safe.
 */
public final class ListenerDispatcher implements UsageListeners, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ListenerDispatcher.class);
  private static final long POLL_MILLIS = 100;

  private final CopyOnWriteArrayList<Registered> listeners = new CopyOnWriteArrayList<>();
  private final BlockingQueue<Consumer<UsageListener>> queue;
  private final Duration closeTimeout;
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final Object startLock = new Object();
  private volatile Thread thread;
  private volatile boolean closed;

  public ListenerDispatcher(int capacity, Duration closeTimeout) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.closeTimeout = closeTimeout;
  }

  @Override
  public Registration register(UsageListener listener) {
    Checks.notNull("listener", listener);
    // a registration of its own, so that closing it removes this one even if the listener is registered twice
    Registered registered = new Registered(listener);
    listeners.add(registered);
    start();
    return () -> listeners.remove(registered);
  }

  /** Whether anyone listens; publishers may skip building a notification when not. */
  public boolean active() {
    return !listeners.isEmpty();
  }

  /** Queues {@code notification} for every listener; drops and counts it when the queue is full. */
  public void publish(Consumer<UsageListener> notification) {
    if (listeners.isEmpty()) {
      return;
    }
    // taken back when close() began meanwhile: its thread may have found the queue empty and ended
    if (closed || !queue.offer(notification) || closed && queue.remove(notification)) {
      if (dropped.incrementAndGet() % 10_000 == 1) {
        log.warn("Usage listener queue full or closed: {} notifications dropped so far", dropped.get());
      }
      return;
    }
    published.incrementAndGet();
  }

  @Override
  public ListenerStats stats() {
    return new ListenerStats(listeners.size(), published.get(), dropped.get(), failed.get(), queue.size());
  }

  private void start() {
    if (thread != null) {
      return;
    }
    synchronized (startLock) {
      if (thread == null && !closed) {
        Thread t = new Thread(this::run, "usage-listeners");
        t.setDaemon(true);
        t.start();
        thread = t;
      }
    }
  }

  private void run() {
    try {
      while (!(closed && queue.isEmpty())) {
        Consumer<UsageListener> n = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (n != null) {
          deliver(n);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void deliver(Consumer<UsageListener> notification) {
    for (Registered r : listeners) {
      try {
        notification.accept(r.listener);
      } catch (RuntimeException | LinkageError e) {
        failed.incrementAndGet();
        log.warn("Usage listener {} failed", r.listener, e);
      }
    }
  }

  /**
   * Stops accepting notifications and delivers the queued ones, waiting up to the close timeout (an interrupt
   * does not end the wait; the caller's interrupt flag is set again).
   */
  @Override
  public void close() {
    Thread t;
    synchronized (startLock) {
      closed = true;
      t = thread;
    }
    if (t == null) {
      return;
    }
    if (!Waits.join(t, System.nanoTime() + closeTimeout.toNanos())) {
      log.warn("Usage listeners still busy after {}; {} notifications not delivered", closeTimeout, queue.size());
      t.interrupt();
    }
  }

  /**
   * One registration of a listener, compared by identity (a listener registered twice has two); it is not a
   * listener itself, so every {@link UsageListener} method reaches the listener as published.
   */
  private static final class Registered {
    final UsageListener listener;

    Registered(UsageListener listener) {
      this.listener = listener;
    }
  }
}
