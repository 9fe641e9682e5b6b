package dev.usage.jdbc;

import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaType;
import dev.usage.spi.ConsumeCommand;
import dev.usage.spi.ConsumeOutcome;
import dev.usage.spi.CounterDelta;
import dev.usage.spi.CounterValue;
import dev.usage.spi.Hold;
import dev.usage.spi.IdempotencyMarker;
import dev.usage.spi.SpiCodec;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;

/**
 * A whole consume in one round trip on PostgreSQL, through the schema's {@code usage_consume} function,
 * which takes the same steps as {@link JdbcCounterStore}'s transactional path in one statement, except
 * releasing lapsed holds: when one is due it answers SWEEP and changes nothing, and the transactional path
 * runs instead. Keep the function's judging order (settings version, marker, limits, then the
 * {@code MAX_AMOUNT} cap) in step with that path and with the in-memory store.
 */
final class PostgresConsume {

  private static final String CALL = "SELECT outcome, used, reserved, types, hold_id, hold_expires, hold_retain"
      + " FROM usage_consume(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final Db db;

  PostgresConsume(Db db) {
    this.db = db;
  }

  /** The outcome; empty when a lapsed hold must first be released by the transactional path (nothing changed). */
  Optional<ConsumeOutcome> consume(Handle h, ConsumeCommand c) {
    List<CounterDelta> d = c.deltas();
    Optional<IdempotencyMarker> m = c.marker();
    Optional<Hold> hold = c.hold();
    Object[] args = {c.userId(), texts(d, x -> x.type().name()), texts(d, CounterDelta::periodId),
        texts(d, x -> db.instantText(x.periodStart())), texts(d, x -> db.instantText(x.periodEnd())),
        longs(d, CounterDelta::amount), longs(d, CounterDelta::limit),
        texts(d, x -> db.instantText(x.counterExpiresAt())),
        c.now(), c.settingsVersion().isPresent() ? (Object) c.settingsVersion().getAsLong() : nullOf(java.sql.Types.BIGINT),
        text(m.map(IdempotencyMarker::key)), text(m.map(IdempotencyMarker::fingerprint)),
        db.nullableInstant(m.map(IdempotencyMarker::expiresAt).orElse(null)), text(hold.map(Hold::reservationId)),
        db.nullableInstant(hold.map(Hold::expiresAt).orElse(null)),
        db.nullableInstant(hold.map(Hold::retainUntil).orElse(null)),
        text(hold.map(x -> SpiCodec.encodeDeltas(d)))};
    return db.bind(h.createQuery(CALL), args).map((rs, ctx) -> outcome(rs, c)).one();
  }

  private Optional<ConsumeOutcome> outcome(ResultSet rs, ConsumeCommand c) throws SQLException {
    String outcome = rs.getString("outcome");
    List<CounterDelta> d = c.deltas();
    switch (outcome) {
      case "SWEEP":
        return Optional.empty();
      case "STALE":
        return Optional.of(new ConsumeOutcome(ConsumeOutcome.Result.STALE, List.of(), List.of(), Optional.empty()));
      case "INVALID":
        throw new InvalidUsageException("amounts." + strings(rs.getArray("types")).get(0),
            "would take the counter past " + Quota.MAX_AMOUNT);
      default:
        break;
    }
    Long[] used = (Long[]) rs.getArray("used").getArray();
    Long[] reserved = (Long[]) rs.getArray("reserved").getArray();
    List<CounterValue> values = new ArrayList<>(d.size());
    for (int i = 0; i < d.size(); i++) {
      values.add(new CounterValue(d.get(i).type(), d.get(i).periodId(), used[i], reserved[i]));
    }
    String holdId = rs.getString("hold_id");
    Optional<Hold> hold = holdId == null ? Optional.empty()
        : Optional.of(new Hold(holdId, db.instant(rs, "hold_expires"), db.instant(rs, "hold_retain")));
    return Optional.of(switch (outcome) {
      case "ADMITTED" -> new ConsumeOutcome(ConsumeOutcome.Result.ADMITTED, values, List.of(), hold);
      case "REPLAYED" -> new ConsumeOutcome(ConsumeOutcome.Result.REPLAYED, values, List.of(), hold);
      case "CONFLICT" -> new ConsumeOutcome(ConsumeOutcome.Result.CONFLICT, values, List.of(), hold);
      case "REJECTED" -> new ConsumeOutcome(ConsumeOutcome.Result.REJECTED, values,
          strings(rs.getArray("types")).stream().map(QuotaType::of).toList(), Optional.empty());
      default -> throw new IllegalStateException("usage_consume answered " + outcome);
    });
  }

  private static List<String> strings(Array array) throws SQLException {
    return List.of((String[]) array.getArray());
  }

  private static Argument texts(List<CounterDelta> deltas, Function<CounterDelta, String> f) {
    String[] values = deltas.stream().map(f).toArray(String[]::new);
    return (position, statement, ctx) -> statement.setArray(position,
        statement.getConnection().createArrayOf("text", values));
  }

  private static Argument longs(List<CounterDelta> deltas, java.util.function.ToLongFunction<CounterDelta> f) {
    Long[] values = deltas.stream().map(x -> f.applyAsLong(x)).toArray(Long[]::new);
    return (position, statement, ctx) -> statement.setArray(position,
        statement.getConnection().createArrayOf("int8", values));
  }

  private Object text(Optional<String> value) {
    return value.isPresent() ? value.get() : db.nullString();
  }

  private static Argument nullOf(int type) {
    return (position, statement, ctx) -> statement.setNull(position, type);
  }
}
