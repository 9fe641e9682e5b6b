package dev.usage.benchmarks;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/** Work outside the measured code (a side's setup and its end-of-trial check) spread over a few threads. */
public final class Parallel {

  private Parallel() {}

  /**
   * Runs {@code action} once for each of {@code 0..count-1}, on {@code threads} threads; rethrows the first
   * failure (its message first).
   */
  public static void forEach(int count, int threads, IntConsumer action) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      Future<?>[] done = new Future<?>[threads];
      for (int t = 0; t < threads; t++) {
        int first = t;
        done[t] = pool.submit(() -> {
          for (int i = first; i < count; i += threads) {
            action.accept(i);
          }
        });
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdown();
    }
  }
}
