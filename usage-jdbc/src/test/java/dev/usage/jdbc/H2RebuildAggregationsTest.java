package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.AggregationReport;
import dev.usage.UsageEvent;
import dev.usage.spi.EventAnalytics;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link EventAnalytics#rebuildAggregations} on JDBC is {@link JdbcAggregations#aggregate}: rows rebuilt, idempotent. */
class H2RebuildAggregationsTest {

  @Test
  void rebuildsTheDaysRollupsFromTheRawEventsAndAgainIdentically() {
    try (HikariDataSource pool = TestDatabases.h2()) {
      JdbcUsageStorage storage = JdbcUsageStorage.builder(pool).build();
      EventAnalytics analytics = storage.events().analytics().orElseThrow();
      LocalDate day = LocalDate.of(2026, 5, 4);
      Instant noon = Instant.parse("2026-05-04T12:00:00Z");
      storage.events().append(List.of(
          UsageEvent.builder().eventId("r1").userId("u1").occurredAt(noon).characters(10).requests(1).build(),
          UsageEvent.builder().eventId("r2").userId("u1").occurredAt(noon.plusSeconds(60)).characters(5).build(),
          UsageEvent.builder().eventId("r3").userId("u2").occurredAt(noon).characters(7).build(),
          UsageEvent.builder().eventId("r4").userId("u3").occurredAt(noon.plusSeconds(86_400)).characters(1).build()));

      assertThat(analytics.rebuildAggregations(day, day.plusDays(1))).isEqualTo(new AggregationReport(1, 2));
      List<UsageAggregate> totals = storage.aggregations().totals(Granularity.DAY, Optional.empty(), day, day.plusDays(1));
      assertThat(totals).singleElement().satisfies(t -> {
        assertThat(t.events()).isEqualTo(3);
        assertThat(t.characters()).isEqualTo(22);
      });
      assertThat(analytics.rebuildAggregations(day, day.plusDays(1))).isEqualTo(new AggregationReport(1, 2));
      assertThat(storage.aggregations().totals(Granularity.DAY, Optional.empty(), day, day.plusDays(1)))
          .isEqualTo(totals);
      assertThat(analytics.rebuildAggregations(day, day.plusDays(2))).isEqualTo(new AggregationReport(2, 3));
    }
  }
}
