package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.PeriodUsage;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Instants read back exactly through the event log and the period history: microseconds kept, nanoseconds
 * truncated (documented on {@link JdbcEventStore}), instants in DST gaps and overlaps, the epoch and the
 * last microsecond of year 9999 (the latest MariaDB's DATETIME(6) holds). Each case runs with the JVM's
 * default time zone set to a zone with DST, so a driver or mapping that converted through the default
 * zone would shift or fold an instant and fail here.
 */
abstract class AbstractTimestampRoundTrip {

  private static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999999Z");

  static final List<Instant> INSTANTS = List.of(
      Instant.parse("2025-03-01T12:34:56.123456Z"),
      Instant.parse("2025-03-01T12:34:56.000001Z"),
      Instant.parse("2025-03-01T12:34:57.654321999Z"), // stored as .654321
      Instant.parse("2024-03-10T07:00:00.000001Z"), // New York: 02:00 local does not exist
      Instant.parse("2024-11-03T05:30:00.5Z"), Instant.parse("2024-11-03T06:30:00.5Z"), // New York: 01:30 twice
      Instant.parse("2024-03-31T01:30:00Z"), // Paris: 02:30 local does not exist
      Instant.parse("2024-10-27T00:30:00Z"), Instant.parse("2024-10-27T01:30:00Z"), // Paris: 02:30 twice
      Instant.parse("2024-04-06T15:15:00Z"), // Lord Howe: 01:45 local, the second time (a 30-minute shift)
      Instant.EPOCH,
      LAST.minusNanos(1_000), LAST);

  /** A pool on the database under test, with the schema (made after the default zone is set). */
  abstract HikariDataSource pool();

  abstract JdbcDialect dialect();

  @ParameterizedTest
  @ValueSource(strings = {"UTC", "America/New_York", "Europe/Paris", "Australia/Lord_Howe"})
  void instantsReadBackExactlyWhateverTheDefaultZone(String zone) {
    TimeZone before = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone(zone));
    try (HikariDataSource pool = pool()) {
      JdbcUsageStorage storage = JdbcUsageStorage.builder(pool).build();
      Db db = new Db(pool, dialect(), Duration.ofSeconds(5), 1);
      String user = "ts-" + UUID.randomUUID();
      List<UsageEvent> events = new ArrayList<>();
      List<PeriodUsage> periods = new ArrayList<>();
      for (int i = 0; i < INSTANTS.size(); i++) {
        Instant t = INSTANTS.get(i);
        events.add(UsageEvent.builder().eventId("e" + i).userId(user).occurredAt(t).characters(1L << i).build());
        periods.add(new PeriodUsage(user, QuotaType.of("t" + i), QuotaPeriod.MONTH, t.minus(Duration.ofDays(1)), t,
            100, i, 0, t));
      }
      assertThat(storage.events().append(events)).isEqualTo(INSTANTS.size());
      storage.history().close(periods);

      for (int i = 0; i < INSTANTS.size(); i++) {
        Instant stored = INSTANTS.get(i).truncatedTo(ChronoUnit.MICROS);
        String eventId = "e" + i;
        Instant read = db.autocommit("read", true, h -> db.bind(h.createQuery(
            "SELECT occurred_at FROM usage_tracking WHERE user_id = ? AND event_id = ?"), user, eventId)
            .map((rs, ctx) -> db.instant(rs, "occurred_at")).one());
        assertThat(read).as("event at %s", stored).isEqualTo(stored);
        // the event is inside [t, t + 1µs) and outside [t - 1µs, t) (amounts are distinct bits)
        Map<QuotaType, Long> inside = storage.events().userTotals(user, stored, stored.plusNanos(1_000));
        if (!stored.equals(LAST)) {
          assertThat(inside).as("totals at %s", stored).isEqualTo(Map.of(QuotaType.CHARACTERS, 1L << i));
        }
        if (!stored.equals(Instant.EPOCH)) {
          long earlier = storage.events().userTotals(user, stored.minusNanos(1_000), stored)
              .getOrDefault(QuotaType.CHARACTERS, 0L);
          assertThat(earlier & (1L << i)).as("totals just before %s", stored).isZero();
        }
      }
      List<PeriodUsage> expected = periods.stream().map(p -> new PeriodUsage(p.userId(), p.type(), p.period(),
          p.periodStart().truncatedTo(ChronoUnit.MICROS), p.periodEnd().truncatedTo(ChronoUnit.MICROS), p.limit(),
          p.used(), p.rolledOver(), p.closedAt().truncatedTo(ChronoUnit.MICROS))).toList();
      assertThat(storage.history().history(user)).containsExactlyInAnyOrderElementsOf(expected);
    } finally {
      TimeZone.setDefault(before);
    }
  }
}
