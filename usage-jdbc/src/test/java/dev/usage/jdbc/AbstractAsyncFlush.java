package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.TrackingStats;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * The engine's async buffer over a real database: every event tracked before {@code close()} is in
 * {@code usage_tracking} afterwards, exactly once. Subclasses name the database.
 */
abstract class AbstractAsyncFlush {

  static final int EVENTS = 100_000;

  /** A pool on the database under test, with the schema. */
  abstract HikariDataSource pool();

  @Test
  void closeWritesEveryTrackedEventExactlyOnce() {
    String prefix = "async-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    Instant now = Instant.parse("2025-06-01T12:00:00Z");
    try (HikariDataSource pool = pool()) {
      UsageEngine engine = UsageEngine.builder().storage(JdbcUsageStorage.builder(pool).build())
          .clock(Clock.fixed(now, ZoneOffset.UTC)).closeOnShutdown(false)
          // a loaded test machine must not turn back-pressure into refused events
          .offerTimeout(Duration.ofSeconds(30)).build();
      try {
        for (int i = 0; i < EVENTS; i++) {
          engine.tracking().trackUsage(UsageEvent.builder().eventId("e-" + i).userId(prefix + (i % 97))
              .occurredAt(now.minusMillis(i)).characters(10).requests(1).ipAddress("192.0.2.1").build());
        }
      } finally {
        engine.close();
      }
      TrackingStats stats = engine.tracking().trackingStats();

      long rows = Jdbi.create(pool).withHandle(h -> h.createQuery(
          "SELECT COUNT(*) FROM usage_tracking WHERE user_id LIKE ?").bind(0, prefix + "%").mapTo(Long.class).one());
      long characters = Jdbi.create(pool).withHandle(h -> h.createQuery(
          "SELECT SUM(characters) FROM usage_tracking WHERE user_id LIKE ?").bind(0, prefix + "%")
          .mapTo(Long.class).one());
      assertThat(rows).isEqualTo(EVENTS);
      assertThat(characters).isEqualTo(10L * EVENTS);
      assertThat(stats.written()).isEqualTo(EVENTS);
      assertThat(stats.failed() + stats.dropped() + stats.pending()).isZero();
    }
  }
}
