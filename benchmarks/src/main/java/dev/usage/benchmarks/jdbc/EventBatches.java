package dev.usage.benchmarks.jdbc;

import dev.usage.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Batches of distinct, realistic events for the ingestion benchmarks: 10,000 users, a few features and
 * endpoints, times spread over the 30 days before the start, the seed's optional columns mostly set (as
 * the text-correction service records them). Event ids never repeat within a JVM. Not thread-safe.
 */
final class EventBatches {

  private static final String[] FEATURES = {"grammar", "style", "translate", "summarize", "tone"};
  private static final String[] AGENTS = {"Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15", "okhttp/4.12.0", "python-requests/2.32.3"};
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final int users;
  private final Instant end = Instant.now();
  private final long spanSeconds = Duration.ofDays(30).toSeconds();
  private final SplittableRandom random = new SplittableRandom(42);

  EventBatches(int users) {
    this.users = users;
  }

  List<UsageEvent> next(int size) {
    List<UsageEvent> batch = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      long id = SEQUENCE.incrementAndGet();
      int feature = random.nextInt(FEATURES.length);
      boolean ok = random.nextInt(50) != 0;
      UsageEvent.Builder b = UsageEvent.builder()
          .eventId("evt-" + Long.toString(id, 36) + "-" + Long.toHexString(random.nextLong()))
          .userId("user-" + random.nextInt(users))
          .occurredAt(end.minusSeconds(random.nextLong(spanSeconds)).minusNanos(random.nextInt(1_000_000_000)))
          .feature(FEATURES[feature])
          .endpoint("/api/v1/" + FEATURES[feature])
          .characters(1 + random.nextInt(5_000))
          .requests(1)
          .inputTokens(random.nextInt(2_000))
          .outputTokens(random.nextInt(2_000))
          .processingTime(Duration.ofMillis(20 + random.nextInt(3_000)))
          .sessionId("sess-" + random.nextInt(100_000))
          .ipAddress("10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256))
          .userAgent(AGENTS[random.nextInt(AGENTS.length)])
          .success(ok);
      if (!ok) {
        b.errorCode("UPSTREAM_TIMEOUT");
      }
      batch.add(b.build());
    }
    return batch;
  }
}
