package dev.usage.jdbc;

import dev.usage.AggregationReport;
import dev.usage.InvalidUsageException;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;

/**
 * Rollups of the event log into {@code usage_aggregations} (custom units into
 * {@code usage_aggregations_custom}): per UTC day, ISO week (Monday, UTC) and UTC month, per user and
 * feature, computed in SQL.
 *
 * <p>Appending events marks their (day, user) slices stale in the same transaction;
 * {@link #aggregatePending()} rebuilds the marked slices. Each slice is rebuilt in one transaction (its
 * DAY rows, then that user's WEEK and MONTH rows containing the day), so a crash leaves every slice
 * either rebuilt or still marked. Rebuilding is idempotent: re-running a day rewrites identical rows.
 * Events recorded late for an old day mark it again. Several threads or processes may run it at once:
 * each slice is rebuilt under a lock of its own (its marker's row lock; on PostgreSQL an advisory lock).
 * Run it regularly (the Spring module schedules it): on PostgreSQL an append adds one marker row per
 * (day, user) it touches, without looking for an existing one, so {@code usage_aggregation_dirty} holds up
 * to one row per appended batch and slice until the next run deletes them.
 *
 * <p>Obtained from {@link JdbcUsageStorage#aggregations()}. Thread-safe. Every method throws
 * {@link dev.usage.UsageStorageException} when the database fails and
 * {@link InvalidUsageException} (naming the field) for bad arguments.
 */
public final class JdbcAggregations {

  /**
   * Longest range {@link #aggregate} and the queries accept, in days: the UTC days a {@link dev.usage.TimeRange}
   * of its longest ({@value dev.usage.TimeRange#MAX_DAYS} days) can touch, so that
   * {@code AnalyticsService.calculateAggregations} takes every range it can be given.
   */
  public static final int MAX_RANGE_DAYS = dev.usage.TimeRange.MAX_DAYS + 1;
  private static final int PAGE = 500;
  static final String RAW_USERS = "SELECT DISTINCT user_id FROM usage_tracking WHERE occurred_at >= ? AND occurred_at < ?";
  static final String ROLLUP_USERS = "SELECT DISTINCT user_id FROM usage_aggregations WHERE granularity = ?"
      + " AND bucket_start = ?";

  private final Db db;
  private final DirtyDays dirty;
  private final DayRollup rollup;
  private final AggregateQueries queries;

  JdbcAggregations(Db db, DirtyDays dirty) {
    this.db = db;
    this.dirty = dirty;
    this.rollup = new DayRollup(db);
    this.queries = new AggregateQueries(db);
  }

  /** Rebuilds every slice marked stale; slices marked while it runs may be left for the next run. */
  public AggregationReport aggregatePending() {
    return aggregatePendingBefore(Days.AFTER_ALL);
  }

  /** As {@link #aggregatePending()}, for the days before {@code before} only. */
  AggregationReport aggregatePendingBefore(LocalDate before) {
    int days = 0;
    int slices = 0;
    LocalDate after = Days.BEFORE_ALL;
    Optional<LocalDate> day;
    while ((day = next(after, before)).isPresent()) {
      LocalDate d = day.get();
      int rebuilt = 0;
      String afterUser = "";
      while (true) {
        String cursor = afterUser;
        List<String> users = db.autocommit("read stale days", true, h -> dirty.users(h, d, cursor, PAGE));
        if (users.isEmpty()) {
          break;
        }
        for (String u : users) {
          rebuilt += rebuild(d, u, false) ? 1 : 0;
        }
        afterUser = users.get(users.size() - 1);
      }
      days += rebuilt > 0 ? 1 : 0;
      slices += rebuilt;
      after = d;
    }
    return new AggregationReport(days, slices);
  }

  private Optional<LocalDate> next(LocalDate after, LocalDate before) {
    return db.autocommit("read stale days", true, h -> dirty.nextDay(h, after, before));
  }

  /**
   * Rebuilds every user's rollups of the UTC days in {@code [from, toExclusive)} (and the weeks and
   * months containing them) from the raw events, whether marked stale or not.
   */
  public AggregationReport aggregate(LocalDate from, LocalDate toExclusive) {
    checkRange(from, toExclusive);
    int days = 0;
    int slices = 0;
    for (LocalDate d = from; d.isBefore(toExclusive); d = d.plusDays(1)) {
      LocalDate day = d;
      TreeSet<String> users = db.autocommit("read users of a day", true, h -> usersOf(h, day));
      for (String u : users) {
        rebuild(day, u, true);
      }
      days += users.isEmpty() ? 0 : 1;
      slices += users.size();
    }
    return new AggregationReport(days, slices);
  }

  private TreeSet<String> usersOf(Handle h, LocalDate day) {
    TreeSet<String> users = new TreeSet<>(db.bind(h.createQuery(RAW_USERS), Days.start(day),
        Days.start(day.plusDays(1))).mapTo(String.class).list());
    for (String g : List.of(Granularity.DAY.name(), "PURGE")) {
      users.addAll(db.bind(h.createQuery(ROLLUP_USERS), g, Days.date(day)).mapTo(String.class).list());
    }
    users.addAll(dirty.users(h, day, "", Integer.MAX_VALUE));
    return users;
  }

  private boolean rebuild(LocalDate day, String userId, boolean force) {
    return db.transaction("aggregate " + day, true, h -> {
      db.readCommitted(h);
      if (!dirty.claim(h, day, userId, force)) {
        return false;
      }
      rollup.rebuild(h, day, userId);
      dirty.finish(h, day, userId);
      return true;
    });
  }

  /** The days with stale slices, oldest first. */
  public List<LocalDate> pendingDays() {
    return db.autocommit("read stale days", true, h -> {
      List<LocalDate> out = new ArrayList<>();
      Optional<LocalDate> d = dirty.nextDay(h, Days.BEFORE_ALL, Days.AFTER_ALL);
      while (d.isPresent()) {
        out.add(d.get());
        d = dirty.nextDay(h, d.get(), Days.AFTER_ALL);
      }
      return out;
    });
  }

  /**
   * The rows of buckets starting in {@code [from, toExclusive)}, one per (bucket, user, feature), ordered
   * by bucket, user and feature; of one user when {@code userId} is given.
   */
  public List<UsageAggregate> rows(Granularity granularity, Optional<String> userId, LocalDate from,
      LocalDate toExclusive) {
    check(granularity, userId, from, toExclusive);
    return db.autocommit("read aggregations", true, h -> queries.rows(h, granularity, userId, from, toExclusive));
  }

  /**
   * One row per bucket starting in {@code [from, toExclusive)}, summed over features and over users (or
   * of one user when {@code userId} is given), ordered by bucket. Buckets without events are left out.
   */
  public List<UsageAggregate> totals(Granularity granularity, Optional<String> userId, LocalDate from,
      LocalDate toExclusive) {
    check(granularity, userId, from, toExclusive);
    return db.autocommit("read aggregations", true, h -> queries.totals(h, granularity, userId, from, toExclusive));
  }

  private static void check(Granularity granularity, Optional<String> userId, LocalDate from, LocalDate to) {
    if (granularity == null) {
      throw new InvalidUsageException("granularity", "must not be null");
    }
    if (userId == null) {
      throw new InvalidUsageException("userId", "must not be null (use Optional.empty() for all users)");
    }
    userId.ifPresent(u -> {
      if (u.isBlank() || u.length() > 128) {
        throw new InvalidUsageException("userId", "must be 1..128 characters and not blank");
      }
    });
    checkRange(from, to);
  }

  private static void checkRange(LocalDate from, LocalDate to) {
    if (from == null) {
      throw new InvalidUsageException("from", "must not be null");
    }
    if (to == null) {
      throw new InvalidUsageException("toExclusive", "must not be null");
    }
    if (from.isBefore(LocalDate.EPOCH)) {
      throw new InvalidUsageException("from", "must not be before 1970-01-01, was " + from);
    }
    if (!to.isAfter(from)) {
      throw new InvalidUsageException("toExclusive", "must be after from (" + from + "), was " + to);
    }
    if (ChronoUnit.DAYS.between(from, to) > MAX_RANGE_DAYS) {
      throw new InvalidUsageException("toExclusive", "must be at most " + MAX_RANGE_DAYS + " days after from, was " + to);
    }
  }
}
