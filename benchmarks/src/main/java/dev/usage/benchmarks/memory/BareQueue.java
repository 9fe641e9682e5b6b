package dev.usage.benchmarks.memory;

import dev.usage.UsageEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bare primitive under {@code trackUsage}: an {@link ArrayBlockingQueue} of 10,000 events and one writer
 * thread that waits for them as the engine's ASYNC writer does with its defaults (a first event within
 * 100 ms, then {@code drainTo} and {@code poll} with the time left until the batch has 500 events or 5 ms
 * have passed), and then only counts the batch. The caller offers and counts a drop when the queue is full.
 */
final class BareQueue implements AutoCloseable {

  private static final int BATCH = 500;
  private static final long FIRST_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final ArrayBlockingQueue<UsageEvent> queue = new ArrayBlockingQueue<>(10_000);
  private final LongAdder written = new LongAdder();
  private final Thread writer = new Thread(this::drain, "bare-queue-writer");
  private volatile boolean closed;
  private long offered;
  private long dropped;

  BareQueue() {
    writer.setDaemon(true);
    writer.start();
  }

  /** From one caller thread only. */
  void offer(UsageEvent e) {
    offered++;
    if (!queue.offer(e)) {
      dropped++;
    }
  }

  private void drain() {
    List<UsageEvent> batch = new ArrayList<>(BATCH);
    try {
      while (!closed || !queue.isEmpty()) {
        UsageEvent first = queue.poll(FIRST_WAIT_NANOS, TimeUnit.NANOSECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        long deadline = System.nanoTime() + LINGER_NANOS;
        while (true) {
          queue.drainTo(batch, BATCH - batch.size());
          long left = deadline - System.nanoTime();
          if (batch.size() >= BATCH || closed || left <= 0) {
            break;
          }
          UsageEvent next = queue.poll(left, TimeUnit.NANOSECONDS);
          if (next == null) {
            break;
          }
          batch.add(next);
        }
        written.add(batch.size());
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the writer once the queue is empty, then checks that every offer was written and none dropped. */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.out.printf("%nbareQueue: %,d offers, %,d written, %,d dropped%n", offered, written.sum(), dropped);
    if (dropped != 0 || written.sum() != offered) {
      throw new IllegalStateException("bare queue: " + offered + " offers, " + written.sum() + " written, "
          + dropped + " dropped");
    }
  }
}
