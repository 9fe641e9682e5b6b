package dev.usage.testkit;

import dev.usage.Consumption;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.spi.UsageStorage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * The first requests of many new users at once, of four kinds per user (a keyed event, a plain
 * characters + request consume, a token reservation then its commit, a single request), so that every
 * path that creates a user's rows races the others. Also the child side of the two-JVM run: arguments
 * fixtureClass userPrefix users firstKind kinds instant; it prints READY, waits for GO, then one line per
 * request ({@code ok} or the error) and DONE.
 */
public final class NewUserStorm {

  private NewUserStorm() {}

  /** The user of number {@code n}. */
  public static String user(String prefix, int n) {
    return prefix + "-" + n;
  }

  /**
   * Runs request kinds {@code firstKind .. firstKind + kinds - 1} for each of {@code users} users, all
   * threads released at once; one result per request, "ok" or the error a caller would have seen.
   */
  public static List<String> run(UsageEngine engine, String prefix, int users, int firstKind, int kinds) throws Exception {
    return Hammer.run(users * kinds, 1, Duration.ofMinutes(2), (t, a) -> {
      String user = user(prefix, t / kinds);
      int kind = firstKind + t % kinds;
      try {
        QuotaDecision d = switch (kind) {
          case 0 -> engine.tracking().consumeQuota(engine.tracking().event(user).eventId("first-" + user)
              .characters(50).requests(1).build());
          case 1 -> engine.tracking().consumeQuota(Consumption.builder(user).characters(100).requests(1).build());
          case 2 -> {
            QuotaDecision held = engine.tracking().reserveQuota(Consumption.of(user, QuotaType.TOKENS, 500));
            yield engine.tracking().commitReservation(held.reservation().orElseThrow(),
                Map.of(QuotaType.TOKENS, 300L));
          }
          default -> engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1));
        };
        return d.allowed() ? "ok" : "denied " + d.violated();
      } catch (RuntimeException e) {
        return e.toString();
      }
    });
  }

  /** An engine for the storm on {@code storage}, at a fixed instant. */
  public static UsageEngine engine(UsageStorage storage, Instant at) {
    return UsageEngine.builder().storage(Storages.shared(storage)).clock(Clock.fixed(at, ZoneOffset.UTC))
        .trackingMode(TrackingMode.SYNC).closeOnShutdown(false).build();
  }

  public static void main(String[] args) throws Exception {
    StorageFixture fixture = (StorageFixture) Class.forName(args[0]).getDeclaredConstructor().newInstance();
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    try (UsageStorage storage = fixture.open(); UsageEngine engine = engine(storage, Instant.parse(args[5]))) {
      out.println("READY");
      out.flush();
      String go = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (!"GO".equals(go)) {
        throw new IllegalStateException("expected GO, got " + go);
      }
      for (String r : run(engine, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
          Integer.parseInt(args[4]))) {
        out.println("{\"result\":\"" + r.replace("\\", "\\\\").replace("\"", "'") + "\"}");
      }
      out.println("DONE");
      out.flush();
    } finally {
      fixture.close();
    }
  }
}
