package dev.usage.example;

import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.Tier;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.jdbc.JdbcUsageStorage;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Drives the engine the way a text-correction service would: for each request, consume characters and
 * one request, reserve an estimate of LLM tokens, do the work, commit the actual tokens and record the
 * event. Runs until the free user is refused, then prints where every user stands.
 */
public final class TextCorrectionDemo {

  private static final List<String> TEXTS = List.of(
      "teh quick brown fox jumps over the lazy dog.  it was realy fast.",
      "i recieve many emails every day and i can not answer them all.",
      "their going to the libary tomorow to study for there exams.",
      "this sentence is allready correct, or is it?");

  private final UsageEngine engine;
  private final PrintStream out;

  TextCorrectionDemo(UsageEngine engine, PrintStream out) {
    this.engine = engine;
    this.out = out;
  }

  /**
   * Runs the demo on embedded H2 (no server needed), or on the database named by the system properties
   * {@code usage.jdbc.url}, {@code usage.jdbc.user} and {@code usage.jdbc.password} (PostgreSQL, MariaDB).
   */
  public static void main(String[] args) {
    String url = System.getProperty("usage.jdbc.url", "jdbc:h2:mem:usage-demo;DB_CLOSE_DELAY=-1");
    JdbcUsageStorage storage = JdbcUsageStorage.fromJdbcUrl(url, System.getProperty("usage.jdbc.user", "sa"),
        System.getProperty("usage.jdbc.password", "")).initializeSchema(true).build();
    System.out.printf(Locale.ROOT, "storage: %s (%s)%n%n", storage.dialect(), url);
    // Small limits so that the demo reaches a refusal within a few requests.
    try (UsageEngine engine = UsageEngine.builder()
        .storage(storage)
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 400))
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 20))
        .defaultQuota(Quota.monthly(QuotaType.TOKENS, 2_000))
        .tier(Tier.builder(Tier.PREMIUM).parent(Tier.FREE)
            .quota(Quota.monthly(QuotaType.CHARACTERS, 5_000))
            .quota(Quota.monthly(QuotaType.TOKENS, 20_000))
            .build())
        .build()) {
      new TextCorrectionDemo(engine, System.out).run();
    }
  }

  void run() {
    engine.quotas().initializeUserQuotas("alice", Tier.FREE, "demo");
    engine.quotas().initializeUserQuotas("bob", Tier.PREMIUM, "demo");
    int served = 0;
    for (int i = 0; ; i++) {
      String user = i % 3 == 2 ? "bob" : "alice";
      String text = TEXTS.get(i % TEXTS.size());
      QuotaDecision decision = correct(user, text);
      if (decision.allowed()) {
        served++;
        continue;
      }
      out.printf(Locale.ROOT, "request %d of %s DENIED: %s exhausted; resets in %d h %d min%n", i + 1, user,
          decision.violated(), decision.retryAfter().toHours(), decision.retryAfter().toMinutesPart());
      break;
    }
    out.printf(Locale.ROOT, "%d requests served%n%n", served);
    for (String user : List.of("alice", "bob")) {
      out.printf(Locale.ROOT, "%s (%s)%n", user, engine.tracking().getUserUsage(user).tier());
      for (QuotaStatus s : engine.quotas().getQuotaStatus(user)) {
        out.printf(Locale.ROOT, "  %-10s %6d / %-6d used, %6d left, %5.1f %%  %s, resets %s%n", s.type(), s.used(),
            s.limit(), s.remaining(), 100 * s.utilisation(), s.level(), s.resetAt());
      }
    }
  }

  /**
   * One request of the service: hold its characters, one request and an estimate of its tokens, all or
   * nothing; do the work; charge what it really cost; record the event.
   */
  QuotaDecision correct(String user, String text) {
    long estimate = estimateTokens(text) * 2; // input and output
    QuotaDecision hold = engine.tracking().reserveQuota(
        Consumption.builder(user).characters(text.length()).requests(1).tokens(estimate).build());
    if (!hold.allowed()) {
      return hold;
    }
    Reservation reservation = hold.reservation().orElseThrow();
    Instant started = Instant.now();
    String corrected = Corrector.correct(text);
    long inputTokens = estimateTokens(text);
    long outputTokens = estimateTokens(corrected);
    engine.tracking().commitReservation(reservation, Map.of(
        QuotaType.CHARACTERS, (long) text.length(),
        QuotaType.REQUESTS, 1L,
        QuotaType.TOKENS, inputTokens + outputTokens));
    UsageEvent event = engine.tracking().event(user)
        .feature("text-correction")
        .endpoint("POST /api/correct")
        .characters(text.length())
        .requests(1)
        .inputTokens(inputTokens)
        .outputTokens(outputTokens)
        .processingTime(Duration.between(started, Instant.now()))
        .build();
    engine.tracking().trackUsage(event);
    out.printf(Locale.ROOT, "%-5s %-66s -> %s%n", user, '"' + text + '"', corrected);
    return hold;
  }

  /** A documented estimate: about four characters per token, as for English text with GPT-style tokenizers. */
  static long estimateTokens(String text) {
    return Math.max(1, (text.length() + 3) / 4);
  }
}
