package dev.usage.jdbc;

import dev.usage.UsageEvent;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The (UTC day, user) slices whose rollups are stale, in {@code usage_aggregation_dirty}.
 *
 * <p>An append marks its slices with an upsert, which row-locks each marker until the append commits; a
 * rebuild locks the marker ({@code FOR UPDATE}) before it reads the raw events and deletes it before it
 * commits. So an append either committed before the rebuild read (the rebuild sees its events) or waits
 * for the rebuild and leaves a fresh marker behind: no event is ever left out of a rollup unnoticed.
 */
final class DirtyDays {

  static final String NEXT_DAY = "SELECT MIN(bucket_day) FROM usage_aggregation_dirty WHERE bucket_day > ?"
      + " AND bucket_day < ?";
  static final String USERS = "SELECT user_id FROM usage_aggregation_dirty WHERE bucket_day = ? AND user_id > ?"
      + " ORDER BY user_id";
  static final String LOCK = "SELECT marks FROM usage_aggregation_dirty WHERE bucket_day = ? AND user_id = ? FOR UPDATE";
  static final String CLEAR = "DELETE FROM usage_aggregation_dirty WHERE bucket_day = ? AND user_id = ?";
  private static final String BUMP = "UPDATE usage_aggregation_dirty SET marks = marks + 1"
      + " WHERE bucket_day = ? AND user_id = ?";
  private static final String INSERT = "INSERT INTO usage_aggregation_dirty (bucket_day, user_id, marks) VALUES (?, ?, 1)";
  private static final String CONFLICT_BUMP = "ON CONFLICT (bucket_day, user_id) DO UPDATE"
      + " SET marks = usage_aggregation_dirty.marks + 1";

  private final Db db;

  DirtyDays(Db db) {
    this.db = db;
  }

  /**
   * Marks the slices of {@code events} on the append's handle, in (day, user) order so that two appends
   * never lock markers in opposite orders. Call it last in the append's transaction: the marker locks are
   * then held only while it commits.
   */
  void mark(Handle h, List<UsageEvent> events) {
    Map<LocalDate, TreeSet<String>> slices = new TreeMap<>();
    for (UsageEvent e : events) {
      slices.computeIfAbsent(Days.of(e.occurredAt()), d -> new TreeSet<>()).add(e.userId());
    }
    if (db.dialect == JdbcDialect.H2) {
      slices.forEach((day, users) -> users.forEach(u -> markOne(h, day, u)));
      return;
    }
    if (db.dialect == JdbcDialect.POSTGRESQL) {
      // one statement for all slices, in the order of the arrays (unnest keeps it; WITH ORDINALITY names it)
      List<String> days = new ArrayList<>();
      List<String> users = new ArrayList<>();
      slices.forEach((day, dayUsers) -> dayUsers.forEach(u -> {
        days.add(day.toString());
        users.add(u);
      }));
      db.update(h, "INSERT INTO usage_aggregation_dirty (bucket_day, user_id, marks) SELECT CAST(t.d AS DATE), t.u, 1"
          + " FROM unnest(?, ?) WITH ORDINALITY AS t(d, u, n) ORDER BY t.n " + CONFLICT_BUMP, textArray(days),
          textArray(users));
      return;
    }
    PreparedBatch batch = h.prepareBatch(upsert());
    slices.forEach((day, users) -> users.forEach(u -> db.bind(batch, Days.date(day), u).add()));
    batch.execute();
  }

  private static Argument textArray(List<String> values) {
    return (position, statement, ctx) -> statement.setArray(position,
        statement.getConnection().createArrayOf("varchar", values.toArray()));
  }

  /** Marks one slice (and so locks its marker until the transaction ends). */
  void markOne(Handle h, LocalDate day, String userId) {
    if (db.dialect != JdbcDialect.H2) {
      db.update(h, upsert(), Days.date(day), userId);
      return;
    }
    // H2 has no upsert that locks the row it finds: update, else insert, else (a racing insert won) update
    if (db.update(h, BUMP, Days.date(day), userId) == 0) {
      try {
        db.update(h, INSERT, Days.date(day), userId);
      } catch (JdbiException e) {
        if (!Failure.isDuplicateKey(e)) {
          throw e;
        }
        db.update(h, BUMP, Days.date(day), userId);
      }
    }
  }

  private String upsert() {
    return switch (db.dialect) {
      case POSTGRESQL -> INSERT + " " + CONFLICT_BUMP;
      case MARIADB, MYSQL -> INSERT + " ON DUPLICATE KEY UPDATE marks = marks + 1";
      case H2 -> throw new IllegalStateException("H2 marks row by row");
    };
  }

  /** The first marked day after {@code after} and before {@code before}. */
  Optional<LocalDate> nextDay(Handle h, LocalDate after, LocalDate before) {
    return db.bind(h.createQuery(NEXT_DAY), Days.date(after), Days.date(before))
        .map((rs, ctx) -> Optional.ofNullable(rs.getObject(1, LocalDate.class))).one();
  }

  /** Up to {@code limit} users marked on {@code day}, after {@code afterUser} in the column's order. */
  List<String> users(Handle h, LocalDate day, String afterUser, int limit) {
    return db.bind(h.createQuery(USERS + " LIMIT " + limit), Days.date(day), afterUser)
        .mapTo(String.class).list();
  }

  /** Locks the slice's marker; false when it is gone (rebuilt by someone else meanwhile). */
  boolean lockIfMarked(Handle h, LocalDate day, String userId) {
    return db.bind(h.createQuery(LOCK), Days.date(day), userId).mapTo(Long.class).findOne().isPresent();
  }

  /** Removes the slice's marker (locked by this transaction). */
  void clear(Handle h, LocalDate day, String userId) {
    db.update(h, CLEAR, Days.date(day), userId);
  }
}
