package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.UsageEvent;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

/** The rollups on PostgreSQL on loopback, in a schema of their own. */
class PostgresAggregationIT extends AggregationCases {

  @Override
  HikariDataSource newPool() {
    return TestDatabases.postgres(12, "_agg");
  }

  /**
   * PostgreSQL's markers carry no lock of their own (see DirtyDays): a rebuild of a slice must wait for an
   * open rebuild of the same slice, even when that one deleted no marker (a forced rebuild, as
   * {@code aggregate(from, to)} runs) and a newer append has marked the slice since, or the older rebuild
   * could commit its rows after the newer one's and leave the newer events out with no marker left.
   */
  @Test
  void rebuildsOfOneSliceRunOneAfterTheOther() throws Exception {
    LocalDate day = LocalDate.of(2024, 2, 20);
    List<UsageEvent> events = new ArrayList<>(List.of(at("a-1", "user-1", "2024-02-20T08:00:00Z")));
    append(events);
    aggregations().aggregatePending();
    Db db = new Db(pool, JdbcDialect.POSTGRESQL, Duration.ofSeconds(30), 1);
    DirtyDays dirty = new DirtyDays(db);
    DayRollup rollup = new DayRollup(db);
    try (Handle first = db.jdbi.open(); Handle second = db.jdbi.open()) {
      first.begin();
      assertThat(dirty.claim(first, day, "user-1", true)).as("a forced rebuild always goes ahead").isTrue();

      UsageEvent newer = at("a-2", "user-1", "2024-02-20T09:00:00Z");
      append(List.of(newer));
      events.add(newer);
      CompletableFuture<Boolean> secondClaim = CompletableFuture.supplyAsync(() -> {
        second.begin();
        return dirty.claim(second, day, "user-1", false);
      });
      Thread.sleep(500);
      assertThat(secondClaim).as("the second rebuild waits for the first").isNotDone();

      rollup.rebuild(first, day, "user-1");
      dirty.finish(first, day, "user-1");
      first.commit();
      assertThat(secondClaim.get(10, TimeUnit.SECONDS)).as("the newer append's marker is there").isTrue();
      rollup.rebuild(second, day, "user-1");
      dirty.finish(second, day, "user-1");
      second.commit();
    }
    assertThat(aggregations().pendingDays()).isEmpty();
    assertMatches(events);
  }
}
