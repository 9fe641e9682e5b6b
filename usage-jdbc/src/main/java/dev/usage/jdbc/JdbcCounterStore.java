package dev.usage.jdbc;

import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaType;
import dev.usage.UsageStorageException;
import dev.usage.jdbc.CounterRows.MissingRows;
import dev.usage.jdbc.CounterRows.Row;
import dev.usage.jdbc.HoldRows.Reservation;
import dev.usage.jdbc.HoldRows.State;
import dev.usage.spi.ConsumeCommand;
import dev.usage.spi.ConsumeOutcome;
import dev.usage.spi.CounterDelta;
import dev.usage.spi.CounterKey;
import dev.usage.spi.CounterPage;
import dev.usage.spi.CounterStore;
import dev.usage.spi.CounterValue;
import dev.usage.spi.SettleCommand;
import dev.usage.spi.SettleOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counters, reservations and idempotency markers in SQL tables.
 *
 * <p>Atomicity: every multi-row operation runs in one transaction that first locks the user's row in
 * {@code usage_user_state}, then the counter rows it reads, by full primary key; so one user's operations
 * apply one at a time across threads and processes, and operations of different users share no lock.
 * A consume of a single existing counter without key or hold is one conditional update (PostgreSQL, H2),
 * which needs no user lock: it adds only if the row has room. On PostgreSQL every other consume is one
 * call of the schema's {@code usage_consume} function, which takes the transactional path's steps in one
 * statement (one round trip) and creates missing rows itself. Elsewhere, rows a transaction must lock are
 * created beforehand in auto-commit mode, so that no transaction locks a missing row (MariaDB and MySQL
 * would lock the gap, and new users' inserts would deadlock).
 *
 * <p>Settings: a command carrying a settings version is refused as STALE, changing nothing, unless the
 * user's row in {@code user_quotas} has that version (0: no row), checked in the same statement or
 * transaction as the add; so engines may cache settings ({@code CHECKS_SETTINGS_VERSION}). On PostgreSQL
 * the one-statement path compares the version recorded on the counter row instead of reading
 * {@code user_quotas}: {@code usage_consume} records the version it checked (under the user's row lock),
 * and a settings save takes that lock and resets the recorded versions in its own transaction.
 *
 * <p>Failures: deadlocks and serialization failures are retried a bounded number of times; a connection
 * that could not be had, or was lost before a transaction's commit, is retried; one lost while a
 * statement or commit was in flight is retried only for keyed consumes and settles (the retry answers
 * REPLAYED; after a transaction's commit, what the lost run answered, where the retry replays that run's own
 * effect); otherwise {@link dev.usage.UsageStorageException} says the outcome is unknown. Thread-safe.
 */
public final class JdbcCounterStore implements CounterStore {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcCounterStore.class);
  private static final int ENSURE_ROUNDS = 3;

  private final Db db;
  private final CounterRows counters;
  private final HoldRows holds;
  private final CounterMaintenance maintenance;
  private final PostgresConsume postgres;

  JdbcCounterStore(Db db) {
    this.db = db;
    this.counters = new CounterRows(db);
    this.holds = new HoldRows(db);
    this.maintenance = new CounterMaintenance(db, counters, holds);
    this.postgres = db.postgres() ? new PostgresConsume(db) : null;
  }

  @Override
  public ConsumeOutcome consume(ConsumeCommand command) {
    if (command.deltas().size() == 1 && command.marker().isEmpty() && command.hold().isEmpty()) {
      CounterDelta d = command.deltas().get(0);
      Optional<CounterValue> added = db.autocommitJdbc("consume", false,
          c -> counters.addInOneStatement(c, command.userId(), d, command.now(), command.settingsVersion()));
      if (added.isPresent()) {
        CounterValue v = added.get();
        if (v.reserved() > 0) {
          // the statement does not release lapsed holds: report what stays held once they are released, with
          // the used count the statement left (a read now could include later consumes: QuotaChange.counted)
          try {
            CounterValue held = read(command.userId(), List.of(d.key()), command.now()).get(0);
            v = new CounterValue(v.type(), v.periodId(), v.used(), held.reserved());
          } catch (UsageStorageException e) {
            // the add is made: it is answered, with the statement's reserved part (lapsed holds still in it)
            LOG.warn("Reading the holds of user {} after a consume failed ({}); the consume is answered with the"
                + " reserved units its statement saw", command.userId(), e.getMessage());
          }
        }
        return new ConsumeOutcome(ConsumeOutcome.Result.ADMITTED, List.of(v), List.of(), Optional.empty());
      }
    }
    // a keyed consume is safe to run again: a retry after a lost answer finds its own marker (REPLAYED: in one
    // statement the answer is lost with the connection, so it may not be told that it was its own)
    if (postgres != null) {
      Optional<ConsumeOutcome> done = db.autocommit("consume", command.marker().isPresent(),
          h -> postgres.consume(h, command));
      if (done.isPresent()) {
        return done.get();
      }
      // a hold of the user has lapsed: the transactional path releases it first
    }
    // a retry after a lost commit finds the marker: its own (the lost run admitted it), or one there before
    return withRows(command.userId(), command.deltas(), () -> command.marker().isPresent()
        ? db.transaction("consume", h -> consume(h, command), (lost, answer) ->
            lost.result() == ConsumeOutcome.Result.ADMITTED && answer.result() == ConsumeOutcome.Result.REPLAYED
                ? lost : answer)
        : db.transaction("consume", false, h -> consume(h, command)));
  }

  private ConsumeOutcome consume(Handle h, ConsumeCommand command) {
    String user = command.userId();
    Instant now = command.now();
    Optional<Instant> lapse = counters.lockUser(h, user);
    if (command.settingsVersion().isPresent()
        && counters.settingsVersion(h, user) != command.settingsVersion().getAsLong()) {
      return new ConsumeOutcome(ConsumeOutcome.Result.STALE, List.of(), List.of(), Optional.empty());
    }
    Map<CounterKey, Row> rows = counters.lock(h, user, command.deltas(), now);
    // the next lapse once the due ones are released: a new hold sooner than it (or than none) becomes it
    Optional<Instant> nextLapse = lapse.isPresent() && !now.isBefore(lapse.get())
        ? maintenance.lapseHolds(h, user, now, rows) : lapse;
    List<CounterDelta> deltas = command.deltas();
    if (command.marker().isPresent()) {
      String key = command.marker().get().key();
      Optional<HoldRows.Marker> stored = holds.marker(h, user, key);
      if (stored.isPresent() && now.isBefore(stored.get().expiresAt())) {
        ConsumeOutcome.Result r = stored.get().fingerprint().equals(command.marker().get().fingerprint())
            ? ConsumeOutcome.Result.REPLAYED : ConsumeOutcome.Result.CONFLICT;
        return new ConsumeOutcome(r, values(deltas, rows), List.of(), stored.get().hold());
      }
      if (stored.isPresent()) {
        holds.deleteMarker(h, user, key);
      }
    }
    List<QuotaType> rejected = new ArrayList<>(0);
    for (CounterDelta d : deltas) {
      Row r = rows.get(d.key());
      long total = d.amount() + r.used + r.reserved;
      if (d.isLimited() && total > d.limit()) {
        rejected.add(d.type());
      } else if (total > Quota.MAX_AMOUNT) {
        throw new InvalidUsageException("amounts." + d.type().name(), "would take the counter past " + Quota.MAX_AMOUNT);
      }
    }
    if (!rejected.isEmpty()) {
      return new ConsumeOutcome(ConsumeOutcome.Result.REJECTED, values(deltas, rows), rejected, Optional.empty());
    }
    counters.add(h, user, deltas, rows, command.hold().isPresent());
    command.hold().ifPresent(hold -> {
      holds.insertReservation(h, user, hold, deltas);
      if (nextLapse.isEmpty() || hold.expiresAt().isBefore(nextLapse.get())) {
        counters.setNextExpiry(h, user, hold.expiresAt());
      }
    });
    command.marker().ifPresent(m -> holds.insertMarker(h, user, m, command.hold()));
    return new ConsumeOutcome(ConsumeOutcome.Result.ADMITTED, values(deltas, rows), List.of(), command.hold());
  }

  @Override
  public SettleOutcome commit(SettleCommand command) {
    return settle(command, true);
  }

  @Override
  public SettleOutcome release(SettleCommand command) {
    return settle(command, false);
  }

  private SettleOutcome settle(SettleCommand command, boolean commit) {
    String what = commit ? "commit" : "release";
    // a retry after a lost commit finds the reservation settled: by the lost run (which answered SETTLED), or before;
    // counters the reservation names but that were purged are re-created by withRows
    return withRows(command.userId(), List.of(), () -> db.transaction(what, h -> settle(h, command, commit),
        (lost, answer) -> lost.result() == SettleOutcome.Result.SETTLED
            && answer.result() == SettleOutcome.Result.REPLAYED ? lost : answer));
  }

  private SettleOutcome settle(Handle h, SettleCommand command, boolean commit) {
    String user = command.userId();
    Instant now = command.now();
    Optional<Optional<Instant>> state = counters.lockUserIfPresent(h, user);
    if (state.isEmpty()) {
      return new SettleOutcome(SettleOutcome.Result.NOT_FOUND, List.of());
    }
    Optional<Reservation> found = holds.reservation(h, user, command.reservationId());
    if (found.isEmpty() || !now.isBefore(found.get().retainUntil())) {
      return new SettleOutcome(SettleOutcome.Result.NOT_FOUND, List.of());
    }
    Map<CounterKey, Row> rows = counters.lock(h, user, found.get().deltas(), now);
    Optional<Instant> nextLapse = state.get();
    if (nextLapse.isPresent() && !now.isBefore(nextLapse.get())) {
      maintenance.lapseHolds(h, user, now, rows);
      found = holds.reservation(h, user, command.reservationId());
    }
    Reservation r = found.orElseThrow();
    List<CounterDelta> deltas = r.deltas();
    switch (r.state()) {
      case COMMITTED:
        return new SettleOutcome(commit && r.committed().equals(command.actual())
            ? SettleOutcome.Result.REPLAYED : SettleOutcome.Result.CONFLICT, values(deltas, rows));
      case RELEASED:
        return new SettleOutcome(commit ? SettleOutcome.Result.CONFLICT : SettleOutcome.Result.REPLAYED,
            values(deltas, rows));
      default:
        break;
    }
    boolean held = r.state() == State.HELD;
    if (commit) {
      for (QuotaType t : command.actual().keySet()) {
        if (deltas.stream().noneMatch(d -> d.type().equals(t))) {
          throw new InvalidUsageException("actual." + t.name(), "was not reserved");
        }
      }
      for (CounterDelta d : deltas) {
        Row row = rows.get(d.key());
        long total = row.used + row.reserved - (held ? d.amount() : 0) + command.actual().getOrDefault(d.type(), 0L);
        if (total > Quota.MAX_AMOUNT) {
          throw new InvalidUsageException("actual." + d.type().name(), "would take the counter past " + Quota.MAX_AMOUNT);
        }
      }
    }
    for (CounterDelta d : deltas) {
      Row row = rows.get(d.key());
      long used = commit ? command.actual().getOrDefault(d.type(), 0L) : 0;
      long unheld = held ? d.amount() : 0;
      if (used != 0 || unheld != 0) {
        counters.adjust(h, user, d.key(), used, -unheld);
        row.used += used;
        row.reserved -= unheld;
      }
    }
    holds.setState(h, user, r.id(), commit ? State.COMMITTED : State.RELEASED, command.actual());
    return new SettleOutcome(SettleOutcome.Result.SETTLED, values(deltas, rows));
  }

  @Override
  public List<CounterValue> read(String userId, List<CounterKey> keys, Instant now) {
    Map<CounterKey, Row> rows = db.autocommit("read", true, h -> counters.read(h, userId, keys, now));
    if (rows.values().stream().anyMatch(r -> r.reserved > 0) && maintenance.lapseDueHolds(userId, now)) {
      rows = db.autocommit("read", true, h -> counters.read(h, userId, keys, now));
    }
    List<CounterValue> out = new ArrayList<>(keys.size());
    for (CounterKey k : keys) {
      Row r = rows.get(k);
      out.add(r == null ? CounterValue.empty(k) : r.value());
    }
    return out;
  }

  @Override
  public CounterPage scan(Optional<String> cursor, int limit, Instant now) {
    if (cursor.isEmpty()) {
      maintenance.lapseAllDueHolds(now);
      maintenance.purgeExpired(now);
    }
    return maintenance.page(cursor, Math.max(1, limit), now);
  }

  /** Runs {@code work}; when it finds rows missing, creates them in auto-commit mode and runs it again. */
  private <T> T withRows(String user, List<CounterDelta> deltas, Supplier<T> work) {
    for (int round = 1; ; round++) {
      try {
        return work.get();
      } catch (MissingRows missing) {
        if (round >= ENSURE_ROUNDS) {
          throw new dev.usage.UsageStorageException("counter rows for " + user
              + " vanished repeatedly while being created (is a purge running with a wrong clock?)");
        }
        List<CounterDelta> create = missing.counters.isEmpty() ? deltas : missing.counters;
        db.autocommit("create counters", true, h -> {
          counters.ensure(h, user, create);
          return null;
        });
      }
    }
  }

  private static List<CounterValue> values(List<CounterDelta> deltas, Map<CounterKey, Row> rows) {
    List<CounterValue> out = new ArrayList<>(deltas.size());
    for (CounterDelta d : deltas) {
      Row r = rows.get(d.key());
      out.add(r == null ? CounterValue.empty(d.key()) : r.value());
    }
    return out;
  }
}
