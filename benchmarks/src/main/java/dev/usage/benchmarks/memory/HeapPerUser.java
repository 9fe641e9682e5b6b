package dev.usage.benchmarks.memory;

import dev.usage.Consumption;
import dev.usage.QuotaDecision;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Heap per tracked user, in a JVM of its own: an engine with the in-memory storage and the default tiers
 * and quotas (SYNC mode, so no event buffer), then {@link #USERS} users made active by one consume each of
 * all three default quotas (100 characters + 1 request + 25 tokens: three counters and a cached settings
 * entry per user). Used heap is read from {@link MemoryMXBean} after {@code System.gc()} (repeated until it
 * stops falling) before and after the users; the difference over the users is the figure. It includes the
 * user id strings ({@code user-N}, made in the loop), which the engine keeps as keys.
 */
public final class HeapPerUser {

  static final int USERS = 100_000;

  private HeapPerUser() {}

  /** Prints {@code RESULT <bytes per user> <used before> <used after> <users>} as its last line. */
  public static void main(String[] args) {
    UsageEngine engine = UsageEngine.builder().trackingMode(TrackingMode.SYNC).closeOnShutdown(false).build();
    // warm the engine's own lazily made state (one user) before the baseline
    engine.tracking().consumeQuota(Consumption.builder("warm-up").characters(100).requests(1).tokens(25).build());
    long before = usedAfterGc();
    for (int i = 0; i < USERS; i++) {
      QuotaDecision d = engine.tracking().consumeQuota(
          Consumption.builder("user-" + i).characters(100).requests(1).tokens(25).build());
      if (!d.allowed()) {
        throw new IllegalStateException("user-" + i + " refused: " + d);
      }
    }
    long after = usedAfterGc();
    Reference.reachabilityFence(engine);
    double perUser = (after - before) / (double) USERS;
    System.out.printf(Locale.ROOT, "RESULT %.1f %d %d %d%n", perUser, before, after, USERS);
    engine.close();
  }

  private static long usedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      long used = memory.getHeapMemoryUsage().getUsed();
      if (i >= 2 && used >= last) {
        return Math.min(used, last);
      }
      last = Math.min(last, used);
    }
    return last;
  }

  /**
   * Runs {@link #main} in a fresh JVM (this JVM's java and class path, {@code -Xmx2g}) and returns the
   * Markdown of its result, or of its failure.
   */
  static String measureInFreshJvm() {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g", "-cp", System.getProperty("java.class.path"),
        HeapPerUser.class.getName()));
    List<String> lines = new ArrayList<>();
    int exit;
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          lines.add(l);
        }
      }
      exit = p.waitFor();
    } catch (IOException e) {
      return "Heap per tracked user: **not measured** (" + e.getMessage() + ").\n";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "Heap per tracked user: **not measured** (interrupted).\n";
    }
    String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    if (exit != 0 || !last.startsWith("RESULT ")) {
      return "Heap per tracked user: **not measured** (exit " + exit + ": " + String.join(" / ", lines) + ").\n";
    }
    String[] f = last.split(" ");
    return String.format(Locale.ROOT, "Heap per tracked user (`HeapPerUser`, a fresh JVM with `-Xmx2g`, in-memory "
            + "engine with the default quotas, %,d users each consumed once on all three): **%,.0f bytes per user** "
            + "(used heap after GC %,d bytes before the users, %,d after).%n",
        Integer.parseInt(f[4]), Double.parseDouble(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
  }
}
