package dev.usage.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs a task from many threads at once, released together by a start gate. */
public final class Hammer {

  private Hammer() {}

  /** A task run repeatedly by each thread; {@code thread} and {@code attempt} number the call. */
  @FunctionalInterface
  public interface Attempt<T> {
    T run(int thread, int attempt) throws Exception;
  }

  /**
   * Runs {@code attempts} calls on each of {@code threads} threads, all starting together, and returns
   * every result. Fails if any call throws or the whole run takes longer than {@code timeout}.
   */
  public static <T> List<T> run(int threads, int attempts, Duration timeout, Attempt<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch gate = new CountDownLatch(1);
    try {
      List<Future<List<T>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Callable<List<T>> c = () -> {
          gate.await();
          List<T> results = new ArrayList<>(attempts);
          for (int a = 0; a < attempts; a++) {
            results.add(task.run(thread, a));
          }
          return results;
        };
        futures.add(pool.submit(c));
      }
      gate.countDown();
      List<T> all = new ArrayList<>(threads * attempts);
      long deadline = System.nanoTime() + timeout.toNanos();
      for (Future<List<T>> f : futures) {
        all.addAll(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }
}
