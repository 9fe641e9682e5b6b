package dev.usage.memory;

import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaType;
import dev.usage.spi.ConsumeCommand;
import dev.usage.spi.ConsumeOutcome;
import dev.usage.spi.CounterDelta;
import dev.usage.spi.CounterKey;
import dev.usage.spi.CounterValue;
import dev.usage.spi.Hold;
import dev.usage.spi.IdempotencyMarker;
import dev.usage.spi.SettleCommand;
import dev.usage.spi.SettleOutcome;
import dev.usage.spi.StoredCounter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One user's counters, idempotency markers and reservations. Not thread-safe: the store calls it with
 * the instance's monitor held, which makes every command atomic for the user.
 */
final class UserCounters {

  private static final class Counter {
    final Instant periodStart;
    final Instant periodEnd;
    long used;
    long reserved;
    Instant expiresAt;

    Counter(CounterDelta first) {
      this.periodStart = first.periodStart();
      this.periodEnd = first.periodEnd();
      this.expiresAt = first.counterExpiresAt();
    }
  }

  private record Marker(String fingerprint, Instant expiresAt, Optional<Hold> hold) {}

  private enum State { HELD, LAPSED, COMMITTED, RELEASED }

  private static final class Held {
    final List<CounterDelta> deltas;
    final Instant expiresAt;
    final Instant retainUntil;
    State state = State.HELD;
    Map<QuotaType, Long> committed = Map.of();

    Held(List<CounterDelta> deltas, Instant expiresAt, Instant retainUntil) {
      this.deltas = deltas;
      this.expiresAt = expiresAt;
      this.retainUntil = retainUntil;
    }
  }

  private final Map<CounterKey, Counter> counters = new HashMap<>(8);
  private final Map<String, Marker> markers = new HashMap<>(4);
  private final Map<String, Held> reservations = new HashMap<>(4);
  /** Earliest instant at which something held here expires; nothing to sweep before it. */
  private Instant nextExpiry = Instant.MAX;
  /** Set, under the monitor, when the store dropped this state for holding nothing; callers look again. */
  boolean retired;

  ConsumeOutcome consume(ConsumeCommand command) {
    Instant now = command.now();
    sweep(now);
    List<CounterDelta> deltas = command.deltas();
    if (command.marker().isPresent()) {
      Marker m = markers.get(command.marker().get().key());
      if (m != null) {
        ConsumeOutcome.Result r = m.fingerprint.equals(command.marker().get().fingerprint())
            ? ConsumeOutcome.Result.REPLAYED : ConsumeOutcome.Result.CONFLICT;
        return new ConsumeOutcome(r, values(deltas), List.of(), m.hold);
      }
    }
    int n = deltas.size();
    CounterKey[] keys = new CounterKey[n];
    Counter[] found = new Counter[n];
    List<QuotaType> rejected = null;
    for (int i = 0; i < n; i++) {
      CounterDelta d = deltas.get(i);
      keys[i] = d.key();
      Counter c = found[i] = counters.get(keys[i]);
      long total = d.amount() + (c == null ? 0 : c.used + c.reserved);
      if (d.isLimited() && total > d.limit()) {
        if (rejected == null) {
          rejected = new ArrayList<>(n);
        }
        rejected.add(d.type());
      } else if (total > Quota.MAX_AMOUNT) {
        throw new InvalidUsageException("amounts." + d.type().name(),
            "would take the counter past " + Quota.MAX_AMOUNT);
      }
    }
    if (rejected != null) {
      return new ConsumeOutcome(ConsumeOutcome.Result.REJECTED, values(deltas), rejected, Optional.empty());
    }
    boolean hold = command.hold().isPresent();
    CounterValue[] after = new CounterValue[n];
    for (int i = 0; i < n; i++) {
      CounterDelta d = deltas.get(i);
      Counter c = found[i];
      if (c == null) {
        c = new Counter(d);
        counters.put(keys[i], c);
      } else if (d.counterExpiresAt().isAfter(c.expiresAt)) {
        c.expiresAt = d.counterExpiresAt();
      }
      if (hold) {
        c.reserved += d.amount();
      } else {
        c.used += d.amount();
      }
      after[i] = new CounterValue(d.type(), d.periodId(), c.used, c.reserved);
      noteExpiry(c.expiresAt);
    }
    if (hold) {
      Hold h = command.hold().get();
      reservations.put(h.reservationId(), new Held(deltas, h.expiresAt(), h.retainUntil()));
      noteExpiry(h.expiresAt());
    }
    if (command.marker().isPresent()) {
      IdempotencyMarker m = command.marker().get();
      markers.put(m.key(), new Marker(m.fingerprint(), m.expiresAt(), command.hold()));
      noteExpiry(m.expiresAt());
    }
    return new ConsumeOutcome(ConsumeOutcome.Result.ADMITTED, List.of(after), List.of(), command.hold());
  }

  SettleOutcome commit(SettleCommand command) {
    sweep(command.now());
    Held h = reservations.get(command.reservationId());
    if (h == null) {
      return new SettleOutcome(SettleOutcome.Result.NOT_FOUND, List.of());
    }
    switch (h.state) {
      case COMMITTED:
        return new SettleOutcome(h.committed.equals(command.actual())
            ? SettleOutcome.Result.REPLAYED : SettleOutcome.Result.CONFLICT, values(h.deltas));
      case RELEASED:
        return new SettleOutcome(SettleOutcome.Result.CONFLICT, values(h.deltas));
      default:
        break;
    }
    for (QuotaType t : command.actual().keySet()) {
      if (h.deltas.stream().noneMatch(d -> d.type().equals(t))) {
        throw new InvalidUsageException("actual." + t.name(), "was not reserved");
      }
    }
    for (CounterDelta d : h.deltas) {
      Counter c = counters.get(d.key());
      long held = h.state == State.HELD ? d.amount() : 0;
      long total = (c == null ? 0 : c.used + c.reserved - held) + command.actual().getOrDefault(d.type(), 0L);
      if (total > Quota.MAX_AMOUNT) {
        throw new InvalidUsageException("actual." + d.type().name(), "would take the counter past " + Quota.MAX_AMOUNT);
      }
    }
    if (h.state == State.HELD) {
      unhold(h);
    }
    for (CounterDelta d : h.deltas) {
      Counter c = counters.computeIfAbsent(d.key(), k -> new Counter(d));
      c.used += command.actual().getOrDefault(d.type(), 0L);
    }
    h.state = State.COMMITTED;
    h.committed = command.actual();
    return new SettleOutcome(SettleOutcome.Result.SETTLED, values(h.deltas));
  }

  SettleOutcome release(SettleCommand command) {
    sweep(command.now());
    Held h = reservations.get(command.reservationId());
    if (h == null) {
      return new SettleOutcome(SettleOutcome.Result.NOT_FOUND, List.of());
    }
    switch (h.state) {
      case COMMITTED:
        return new SettleOutcome(SettleOutcome.Result.CONFLICT, values(h.deltas));
      case RELEASED:
        return new SettleOutcome(SettleOutcome.Result.REPLAYED, values(h.deltas));
      case HELD:
        unhold(h);
        break;
      default:
        break;
    }
    h.state = State.RELEASED;
    return new SettleOutcome(SettleOutcome.Result.SETTLED, values(h.deltas));
  }

  List<CounterValue> read(List<CounterKey> keys, Instant now) {
    sweep(now);
    List<CounterValue> out = new ArrayList<>(keys.size());
    for (CounterKey k : keys) {
      Counter c = counters.get(k);
      out.add(c == null ? CounterValue.empty(k) : new CounterValue(k.type(), k.periodId(), c.used, c.reserved));
    }
    return out;
  }

  /** Whether nothing is kept here any more (after a sweep). */
  boolean isEmpty() {
    return counters.isEmpty() && markers.isEmpty() && reservations.isEmpty();
  }

  List<StoredCounter> scan(String userId, Instant now) {
    sweep(now);
    List<StoredCounter> out = new ArrayList<>(counters.size());
    counters.forEach((k, c) -> {
      if (c.used != 0 || c.reserved != 0) {
        out.add(new StoredCounter(userId, k.type(), k.periodId(), c.periodStart, c.periodEnd, c.used, c.reserved));
      }
    });
    return out;
  }

  private List<CounterValue> values(List<CounterDelta> deltas) {
    List<CounterValue> out = new ArrayList<>(deltas.size());
    for (CounterDelta d : deltas) {
      Counter c = counters.get(d.key());
      out.add(c == null ? CounterValue.empty(d.key()) : new CounterValue(d.type(), d.periodId(), c.used, c.reserved));
    }
    return out;
  }

  /** Takes a held reservation's amounts off its counters' {@code reserved}. */
  private void unhold(Held h) {
    for (CounterDelta d : h.deltas) {
      Counter c = counters.get(d.key());
      if (c != null) {
        c.reserved -= d.amount();
      }
    }
  }

  private void noteExpiry(Instant at) {
    if (at.isBefore(nextExpiry)) {
      nextExpiry = at;
    }
  }

  /** Lapses holds, forgets markers, reservations and counters whose time is up. */
  private void sweep(Instant now) {
    if (now.isBefore(nextExpiry)) {
      return;
    }
    Instant next = Instant.MAX;
    for (Iterator<Held> it = reservations.values().iterator(); it.hasNext(); ) {
      Held h = it.next();
      if (h.state == State.HELD && !now.isBefore(h.expiresAt)) {
        unhold(h);
        h.state = State.LAPSED;
      }
      if (!now.isBefore(h.retainUntil)) {
        it.remove();
      } else {
        next = min(next, h.state == State.HELD ? h.expiresAt : h.retainUntil);
      }
    }
    for (Iterator<Marker> it = markers.values().iterator(); it.hasNext(); ) {
      Marker m = it.next();
      if (!now.isBefore(m.expiresAt)) {
        it.remove();
      } else {
        next = min(next, m.expiresAt);
      }
    }
    for (Iterator<Counter> it = counters.values().iterator(); it.hasNext(); ) {
      Counter c = it.next();
      if (!now.isBefore(c.expiresAt)) {
        it.remove();
      } else {
        next = min(next, c.expiresAt);
      }
    }
    nextExpiry = next;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
