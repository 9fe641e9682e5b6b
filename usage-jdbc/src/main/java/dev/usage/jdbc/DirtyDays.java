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
 * <p>H2, MariaDB and MySQL: an append marks its slices with an upsert, which row-locks each marker until
 * the append commits; a rebuild locks the marker ({@code FOR UPDATE}) before it reads the raw events and
 * deletes it before it commits. So an append either committed before the rebuild read (the rebuild sees
 * its events) or waits for the rebuild and leaves a fresh marker behind.
 *
 * <p>PostgreSQL: an append inserts one row per slice (no key, so appends never wait for each other or for
 * a rebuild). A rebuild takes a transaction-scoped advisory lock on the slice (so rebuilds of one slice
 * run one after the other), deletes the slice's rows, and only then reads the raw events, in a later
 * statement: every row it deleted belongs to an append committed before that statement, whose events the
 * read sees; the rows of appends not yet committed are invisible to the delete and stay for the next run.
 *
 * <p>Either way, no event is ever left out of a rollup unnoticed.
 */
final class DirtyDays {

  static final String NEXT_DAY = "SELECT MIN(bucket_day) FROM usage_aggregation_dirty WHERE bucket_day > ?"
      + " AND bucket_day < ?";
  static final String USERS = "SELECT user_id FROM usage_aggregation_dirty WHERE bucket_day = ? AND user_id > ?"
      + " ORDER BY user_id";
  /** PostgreSQL's markers may repeat a slice. */
  static final String PG_USERS = "SELECT DISTINCT user_id FROM usage_aggregation_dirty WHERE bucket_day = ?"
      + " AND user_id > ? ORDER BY user_id";
  /** Serializes the rebuilds of one slice on PostgreSQL; the first key is this library's ("usag"). */
  static final String PG_SLICE_LOCK = "SELECT 1 FROM (SELECT pg_advisory_xact_lock(1970495847,"
      + " hashtext(? || '/' || ?))) l";
  static final String LOCK = "SELECT marks FROM usage_aggregation_dirty WHERE bucket_day = ? AND user_id = ? FOR UPDATE";
  static final String CLEAR = "DELETE FROM usage_aggregation_dirty WHERE bucket_day = ? AND user_id = ?";
  private static final String BUMP = "UPDATE usage_aggregation_dirty SET marks = marks + 1"
      + " WHERE bucket_day = ? AND user_id = ?";
  private static final String INSERT = "INSERT INTO usage_aggregation_dirty (bucket_day, user_id, marks) VALUES (?, ?, 1)";

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
      // one plain insert for all slices: no key to probe, no row lock to wait for
      List<String> days = new ArrayList<>();
      List<String> users = new ArrayList<>();
      slices.forEach((day, dayUsers) -> dayUsers.forEach(u -> {
        days.add(day.toString());
        users.add(u);
      }));
      db.update(h, "INSERT INTO usage_aggregation_dirty (bucket_day, user_id) SELECT CAST(t.d AS DATE), t.u"
          + " FROM unnest(?, ?) AS t(d, u)", textArray(days), textArray(users));
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

  /**
   * Starts the rebuild of a slice in the rebuild's transaction (see the class comment): false when the slice
   * is not marked (rebuilt by someone else meanwhile) and {@code force} is not set. Call {@link #finish}
   * after the rebuild, in the same transaction.
   */
  boolean claim(Handle h, LocalDate day, String userId, boolean force) {
    if (db.dialect == JdbcDialect.POSTGRESQL) {
      db.bind(h.createQuery(PG_SLICE_LOCK), day.toString(), userId).mapTo(Integer.class).one();
      return db.update(h, CLEAR, Days.date(day), userId) > 0 || force;
    }
    if (force) {
      markOne(h, day, userId);
      return true;
    }
    return db.bind(h.createQuery(LOCK), Days.date(day), userId).mapTo(Long.class).findOne().isPresent();
  }

  /** Ends the rebuild of a slice {@link #claim}ed in this transaction. */
  void finish(Handle h, LocalDate day, String userId) {
    if (db.dialect != JdbcDialect.POSTGRESQL) {
      db.update(h, CLEAR, Days.date(day), userId);
    }
  }

  /** Marks one slice (and so locks its marker until the transaction ends); not on PostgreSQL. */
  private void markOne(Handle h, LocalDate day, String userId) {
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
      case MARIADB, MYSQL -> INSERT + " ON DUPLICATE KEY UPDATE marks = marks + 1";
      case H2, POSTGRESQL -> throw new IllegalStateException(db.dialect + " marks without an upsert");
    };
  }

  /** The first marked day after {@code after} and before {@code before}. */
  Optional<LocalDate> nextDay(Handle h, LocalDate after, LocalDate before) {
    return db.bind(h.createQuery(NEXT_DAY), Days.date(after), Days.date(before))
        .map((rs, ctx) -> Optional.ofNullable(rs.getObject(1, LocalDate.class))).one();
  }

  /** Up to {@code limit} users marked on {@code day}, after {@code afterUser} in the column's order. */
  List<String> users(Handle h, LocalDate day, String afterUser, int limit) {
    String sql = db.dialect == JdbcDialect.POSTGRESQL ? PG_USERS : USERS;
    return db.bind(h.createQuery(sql + " LIMIT " + limit), Days.date(day), afterUser).mapTo(String.class).list();
  }
}
