package dev.usage.benchmarks.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.benchmarks.ConsumeShape;
import dev.usage.benchmarks.ConsumeSide;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cross-check of the JMH consume comparisons with less noise between the sides: ours and bare run in
 * the same JVM, on the same database and pool, in alternating 5-second windows (after a warm-up of each),
 * so that JIT state, machine load and H2's table locks affect both alike. Prints each window and the
 * median ratio. Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.usage.benchmarks.jdbc.SameJvmConsume postgres|h2 [rounds]}.
 */
public final class SameJvmConsume {

  private SameJvmConsume() {}

  public static void main(String[] args) throws Exception {
    boolean postgres = args.length > 0 && args[0].equals("postgres");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int threads = postgres ? 32 : 8;
    int users = 10_000;
    HikariDataSource pool = postgres ? BenchDatabases.freshPostgres(16) : BenchDatabases.freshH2(8);
    try (ConsumeSide ours = new EngineConsume(pool, users, ConsumeShape.ONE_QUOTA);
        ConsumeSide bare = new BareConsume(pool, users, ConsumeShape.ONE_QUOTA, false)) {
      window(ours, threads, users, 5);
      window(bare, threads, users, 5);
      double[] ratios = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        boolean oursFirst = r % 2 == 0;
        double a = window(oursFirst ? ours : bare, threads, users, 5);
        double b = window(oursFirst ? bare : ours, threads, users, 5);
        double o = oursFirst ? a : b;
        double x = oursFirst ? b : a;
        ratios[r] = o / x;
        System.out.printf(Locale.ROOT, "round %d: ours %,.0f ops/s, bare %,.0f ops/s, ratio %.2f%n", r + 1, o, x, ratios[r]);
      }
      java.util.Arrays.sort(ratios);
      System.out.printf(Locale.ROOT, "%s, %d threads, %d users: median ratio %.2f (range %.2f - %.2f)%n",
          postgres ? "PostgreSQL" : "H2", threads, users, ratios[rounds / 2], ratios[0], ratios[rounds - 1]);
      ours.verify();
      bare.verify();
    } finally {
      pool.close();
      if (postgres) {
        BenchDatabases.dropPostgres();
      }
    }
  }

  private static double window(ConsumeSide side, int threads, int users, int seconds) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder done = new LongAdder();
    for (int t = 0; t < threads; t++) {
      pool.execute(() -> {
        while (!stop.get()) {
          side.consume(ThreadLocalRandom.current().nextInt(users));
          done.increment();
        }
      });
    }
    long start = System.nanoTime();
    TimeUnit.SECONDS.sleep(seconds);
    long count = done.sum();
    double elapsed = (System.nanoTime() - start) / 1e9;
    stop.set(true);
    pool.shutdown();
    pool.awaitTermination(30, TimeUnit.SECONDS);
    return count / elapsed;
  }
}
