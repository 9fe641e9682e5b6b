package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * {@link JdbcEventStore#append} on one database: the count of new events is exact (stored ids and ids
 * repeated within the batch are not counted), the first version of an id is kept, and custom units are
 * stored once, only for the events the append stored. Subclasses name the database (and the write path).
 */
abstract class AbstractAppendCheck {

  /** A data source on the database under test, with the schema; kept open for the test class. */
  abstract DataSource dataSource();

  JdbcUsageStorage storage() {
    return JdbcUsageStorage.builder(dataSource()).build();
  }

  @Test
  void countsOnlyNewEventsAndKeepsTheFirstVersion() {
    JdbcEventStore store = storage().events();
    String user = "append-" + UUID.randomUUID();
    Instant at = Instant.parse("2025-05-05T05:05:05.123456Z");
    List<UsageEvent> first = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      first.add(event(user, "e" + i, at, 1));
    }
    assertThat(store.append(first)).isEqualTo(100);

    List<UsageEvent> batch = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      batch.add(event(user, "e" + i, at, 10)); // e0..e99 are stored already
    }
    for (int i = 100; i < 110; i++) {
      batch.add(event(user, "e" + i, at, 1_000)); // repeated within the batch: the first (10) wins
    }
    assertThat(store.append(batch)).isEqualTo(900);
    assertThat(store.append(batch)).isZero();

    Map<QuotaType, Long> totals = store.userTotals(user, at, at.plusSeconds(1));
    assertThat(totals.get(QuotaType.CHARACTERS)).isEqualTo(100 * 1 + 900 * 10L);
    assertThat(totals.get(QuotaType.of("images"))).isEqualTo(1_000L);
    assertThat(rows(user)).isEqualTo(1_000);
  }

  @Test
  void customUnitsAreStoredOnlyForTheEventsTheAppendStored() {
    JdbcEventStore store = storage().events();
    String user = "custom-" + UUID.randomUUID();
    Instant at = Instant.parse("2025-05-05T05:05:05Z");
    QuotaType images = QuotaType.of("images");
    QuotaType pages = QuotaType.of("pages");
    assertThat(store.append(List.of(plain(user, "stored", at, 5).build()))).isOne();

    // a later version of a stored id with a custom unit of a new type: alone, and next to a new event
    assertThat(store.append(List.of(plain(user, "stored", at, 6).quantity(images, 3).build()))).isZero();
    assertThat(store.append(List.of(plain(user, "stored", at, 7).quantity(images, 3).build(),
        plain(user, "new", at, 1).quantity(pages, 2).build(), plain(user, "new", at, 9).quantity(images, 4).build())))
        .isOne();
    // both versions of a new id in one batch: the first, without custom units, wins
    assertThat(store.append(List.of(plain(user, "both", at, 1).build(),
        plain(user, "both", at, 2).quantity(images, 5).build()))).isOne();

    assertThat(store.userTotals(user, at, at.plusSeconds(1))).containsExactlyInAnyOrderEntriesOf(Map.of(
        QuotaType.CHARACTERS, 7L, pages, 2L));
    assertThat(customRows(user)).isOne();
  }

  private static UsageEvent.Builder plain(String user, String id, Instant at, long characters) {
    return UsageEvent.builder().eventId(id).userId(user).occurredAt(at).characters(characters);
  }

  static UsageEvent event(String user, String id, Instant at, long characters) {
    return UsageEvent.builder().eventId(id).userId(user).occurredAt(at).characters(characters).requests(1)
        .quantity(QuotaType.of("images"), 1).endpoint("/v1/\"quoted\", with comma").userAgent("agent \\ backslash")
        .metadata("k", "v\"").build();
  }

  long customRows(String user) {
    return Jdbi.create(dataSource()).withHandle(h -> h.createQuery(
        "SELECT COUNT(*) FROM usage_tracking_custom WHERE user_id = ?").bind(0, user).mapTo(Long.class).one());
  }

  long rows(String user) {
    return Jdbi.create(dataSource()).withHandle(h -> h.createQuery(
        "SELECT COUNT(*) FROM usage_tracking WHERE user_id = ?").bind(0, user).mapTo(Long.class).one());
  }
}
