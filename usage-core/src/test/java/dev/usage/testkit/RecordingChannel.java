package dev.usage.testkit;

import dev.usage.Notification;
import dev.usage.NotificationChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A notification channel that keeps what it is sent; optionally fails its first attempts. */
public final class RecordingChannel implements NotificationChannel {

  private final String name;
  private final AtomicInteger failuresLeft;
  private final AtomicInteger attempts = new AtomicInteger();
  /** What the channel accepted, in order. */
  public final List<Notification> sent = new CopyOnWriteArrayList<>();

  public RecordingChannel(String name) {
    this(name, 0);
  }

  /** A channel throwing on its first {@code failures} attempts ({@link Integer#MAX_VALUE}: always). */
  public RecordingChannel(String name, int failures) {
    this.name = name;
    this.failuresLeft = new AtomicInteger(failures);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void send(Notification n) {
    attempts.incrementAndGet();
    if (failuresLeft.getAndUpdate(f -> f == Integer.MAX_VALUE || f == 0 ? f : f - 1) > 0) {
      throw new IllegalStateException("channel " + name + " is down");
    }
    sent.add(n);
  }

  /** Calls of {@link #send}, failed ones included. */
  public int attempts() {
    return attempts.get();
  }
}
