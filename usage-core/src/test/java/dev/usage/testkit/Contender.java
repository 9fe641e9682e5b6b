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
 * With {@code reset}, see {@link #resetRace}.
 */
public final class Contender {

  private Contender() {}

  /** One request of attempt {@code attempt}; keyed requests share their key across threads and JVMs. */
  static Consumption request(String user, int attempt, boolean keyed) {
    Consumption.Builder b = Consumption.builder(user).requests(1);
    return (keyed ? b.idempotencyKey("dup-" + attempt) : b).build();
  }

  /** A clock that runs with the system's from an instant chosen when the race starts. */
  static final class RaceClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    /** From now on, this clock reads {@code at} plus the time passed since. */
    void startAt(Instant at) {
      offset = Duration.between(Instant.now(), at);
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(offset);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  /**
   * The engine of a reset race: a carrying monthly request quota, periods final 2 s after they end
   * (reservation TTL and idempotency window of 1 s each), on {@code clock}.
   */
  static UsageEngine.Builder resetRaceEngine(UsageEngine.Builder b, long limit, Clock clock) {
    return b.clock(clock).trackingMode(TrackingMode.SYNC).closeOnShutdown(false)
        .reservationTtl(Duration.ofSeconds(1)).idempotencyWindow(Duration.ofSeconds(1))
        .counterRetention(Duration.ofDays(120))
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, limit).withRollover(dev.usage.RolloverPolicy.carryAll()));
  }

  /**
   * One attempt of a reset race: every 25th runs the reset job, the others consume a request; each waits
   * 20 ms first, so that a thread's attempts span the period's end and the moment it becomes final. A
   * thread's first reset run comes after 24 consumes: a reset job scanning a store full of other tests' users
   * can take longer than the race's lead before the boundary, and a thread that began with one made no
   * consume in March.
   */
  static Object raceAttempt(UsageEngine engine, String user, int attempt) throws InterruptedException {
    Thread.sleep(20);
    if (attempt % 25 == 24) {
      return engine.quotas().resetMonthlyQuotas();
    }
    return engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1));
  }

  /**
   * The child of a reset race: once told {@code GO}, its clock reads the given instant and runs on; it
   * makes {@link #raceAttempt}s and prints {@code {"allowed":..,"period":"<start>"}} per consume and
   * {@code {"closed":n}} per reset run.
   */
  private static void resetRace(String[] args) throws Exception {
    StorageFixture fixture = (StorageFixture) Class.forName(args[0]).getDeclaredConstructor().newInstance();
    String user = args[1];
    RaceClock clock = new RaceClock();
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    try (UsageStorage storage = fixture.open();
        UsageEngine engine = resetRaceEngine(UsageEngine.builder(), Long.parseLong(args[2]), clock).storage(storage)
            .build()) {
      out.println("READY");
      out.flush();
      String go = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (!"GO".equals(go)) {
        throw new IllegalStateException("expected GO, got " + go);
      }
      clock.startAt(Instant.parse(args[5]));
      List<Object> results = Hammer.run(Integer.parseInt(args[3]), Integer.parseInt(args[4]), Duration.ofMinutes(2),
          (t, a) -> raceAttempt(engine, user, a));
      for (Object r : results) {
        out.println(r instanceof QuotaDecision d
            ? "{\"allowed\":" + d.allowed() + ",\"period\":\"" + d.statuses().get(0).periodStart() + "\"}"
            : "{\"closed\":" + ((dev.usage.ResetReport) r).periodsClosed() + "}");
      }
      out.println("DONE");
      out.flush();
    } finally {
      fixture.close();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 6 && args.length != 7) {
      throw new IllegalArgumentException("fixtureClass userId limit threads attempts instant [keyed|notify|reset]");
    }
    boolean keyed = args.length == 7 && "keyed".equals(args[6]);
    boolean notify = args.length == 7 && "notify".equals(args[6]);
    if (args.length == 7 && "reset".equals(args[6])) {
      resetRace(args);
      return;
    }
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
