package dev.usage.testkit;

import dev.usage.Consumption;
import dev.usage.Notification;
import dev.usage.NotificationSettings;
import dev.usage.Quota;
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

/**
 * The child side of a two-JVM test. Arguments: fixture class (public, no-arg constructor), user id,
 * request limit, threads, attempts per thread, clock instant, and optionally {@code keyed}. Opens the
 * fixture's storage, prints {@code READY}, waits for {@code GO}, consumes one request per attempt (keyed:
 * under the idempotency key {@code dup-<attempt>}, the same in every thread and process), prints
 * {@code {"allowed":..,"replayed":..}} per decision and {@code DONE}. With {@code notify} instead of
 * {@code keyed}, the quota is SOFT (every consume admitted, so both processes see it past each threshold), the
 * engine sends threshold notifications (80 % and 100 %) to a recording channel, and after
 * the engine has closed (every notification delivered) prints {@code {"notified":<threshold>}} for each.
 */
public final class Contender {

  private Contender() {}

  /** One request of attempt {@code attempt}; keyed requests share their key across threads and JVMs. */
  static Consumption request(String user, int attempt, boolean keyed) {
    Consumption.Builder b = Consumption.builder(user).requests(1);
    return (keyed ? b.idempotencyKey("dup-" + attempt) : b).build();
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 6 && args.length != 7) {
      throw new IllegalArgumentException("fixtureClass userId limit threads attempts instant [keyed|notify]");
    }
    boolean keyed = args.length == 7 && "keyed".equals(args[6]);
    boolean notify = args.length == 7 && "notify".equals(args[6]);
    RecordingChannel channel = new RecordingChannel("mail");
    StorageFixture fixture = (StorageFixture) Class.forName(args[0]).getDeclaredConstructor().newInstance();
    String user = args[1];
    long limit = Long.parseLong(args[2]);
    int threads = Integer.parseInt(args[3]);
    int attempts = Integer.parseInt(args[4]);
    Clock clock = Clock.fixed(Instant.parse(args[5]), ZoneOffset.UTC);
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    UsageEngine.Builder builder = UsageEngine.builder().clock(clock).trackingMode(TrackingMode.SYNC)
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, limit)).closeOnShutdown(false);
    if (notify) {
      builder.defaultQuota(Quota.monthly(QuotaType.REQUESTS, limit).soft())
          .notifications(NotificationSettings.builder().channel(channel).build());
    }
    try (UsageStorage storage = fixture.open();
        UsageEngine engine = builder.storage(storage).build()) {
      out.println("READY");
      out.flush();
      String go = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (!"GO".equals(go)) {
        throw new IllegalStateException("expected GO, got " + go);
      }
      List<QuotaDecision> ds = Hammer.run(threads, attempts, Duration.ofMinutes(2),
          (t, a) -> engine.tracking().consumeQuota(request(user, a, keyed)));
      for (QuotaDecision d : ds) {
        out.println("{\"allowed\":" + d.allowed() + ",\"replayed\":" + d.replayed() + "}");
      }
      if (notify) {
        engine.close(); // waits for the notifications under way
        for (Notification n : channel.sent) {
          out.println("{\"notified\":" + n.thresholdPercent() + "}");
        }
      }
      out.println("DONE");
      out.flush();
    } finally {
      fixture.close();
    }
  }
}
