package dev.usage.jdbc;

import dev.usage.QuotaType;
import dev.usage.spi.CounterDelta;
import dev.usage.spi.Hold;
import dev.usage.spi.IdempotencyMarker;
import dev.usage.spi.SpiCodec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Statements on {@code usage_reservations} and {@code usage_idempotency}. Called with the user's state
 * row locked, which serializes every writer of these rows for the user; rows are named by full key.
 */
final class HoldRows {

  /** Reservation states as stored. */
  enum State { HELD, LAPSED, COMMITTED, RELEASED }

  /** A stored reservation. */
  record Reservation(String id, State state, List<CounterDelta> deltas, Map<QuotaType, Long> committed,
      Instant expiresAt, Instant retainUntil) {}

  /** A stored idempotency marker, with the hold it made if any. */
  record Marker(String fingerprint, Instant expiresAt, Optional<Hold> hold) {}

  private final Db db;

  HoldRows(Db db) {
    this.db = db;
  }

  Optional<Marker> marker(Handle h, String user, String key) {
    return db.bind(h.createQuery("SELECT fingerprint, expires_at, reservation_id, hold_expires_at, hold_retain_until"
        + " FROM usage_idempotency WHERE user_id = ? AND idem_key = ?"), user, key).map((rs, ctx) -> {
          String reservation = rs.getString("reservation_id");
          Optional<Hold> hold = reservation == null ? Optional.empty() : Optional.of(new Hold(reservation,
              db.instant(rs, "hold_expires_at"), db.instant(rs, "hold_retain_until")));
          return new Marker(rs.getString("fingerprint"), db.instant(rs, "expires_at"), hold);
        }).findFirst();
  }

  void deleteMarker(Handle h, String user, String key) {
    db.update(h, "DELETE FROM usage_idempotency WHERE user_id = ? AND idem_key = ?", user, key);
  }

  void insertMarker(Handle h, String user, IdempotencyMarker m, Optional<Hold> hold) {
    db.update(h, "INSERT INTO usage_idempotency (user_id, idem_key, fingerprint, expires_at, reservation_id,"
        + " hold_expires_at, hold_retain_until) VALUES (?, ?, ?, ?, ?, ?, ?)", user, m.key(), m.fingerprint(),
        m.expiresAt(), hold.map(Hold::reservationId).map(Object.class::cast).orElse(db.nullString()),
        db.nullableInstant(hold.map(Hold::expiresAt).orElse(null)),
        db.nullableInstant(hold.map(Hold::retainUntil).orElse(null)));
  }

  void insertReservation(Handle h, String user, Hold hold, List<CounterDelta> deltas) {
    db.update(h, "INSERT INTO usage_reservations (user_id, reservation_id, state, deltas, committed, expires_at,"
        + " retain_until) VALUES (?, ?, ?, ?, NULL, ?, ?)", user, hold.reservationId(), State.HELD.name(),
        SpiCodec.encodeDeltas(deltas), hold.expiresAt(), hold.retainUntil());
  }

  Optional<Reservation> reservation(Handle h, String user, String id) {
    return db.bind(h.createQuery("SELECT reservation_id, state, deltas, committed, expires_at, retain_until"
        + " FROM usage_reservations WHERE user_id = ? AND reservation_id = ?"), user, id)
        .map((rs, ctx) -> reservation(rs)).findFirst();
  }

  private Reservation reservation(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Reservation(rs.getString("reservation_id"), State.valueOf(rs.getString("state")),
        SpiCodec.decodeDeltas(rs.getString("deltas")), SpiCodec.decodeAmounts(rs.getString("committed")),
        db.instant(rs, "expires_at"), db.instant(rs, "retain_until"));
  }

  /** The user's reservations still marked held (some may have lapsed by now). */
  List<Reservation> held(Handle h, String user) {
    return db.bind(h.createQuery("SELECT reservation_id, state, deltas, committed, expires_at, retain_until"
        + " FROM usage_reservations WHERE user_id = ? AND state = ?"), user, State.HELD.name())
        .map((rs, ctx) -> reservation(rs)).list();
  }

  void setState(Handle h, String user, String id, State state, Map<QuotaType, Long> committed) {
    db.update(h, "UPDATE usage_reservations SET state = ?, committed = ? WHERE user_id = ? AND reservation_id = ?",
        state.name(), state == State.COMMITTED ? SpiCodec.encodeAmounts(committed) : db.nullString(), user, id);
  }
}
