package dev.usage.redis;

import static dev.usage.redis.RedisScripts.number;
import static dev.usage.redis.RedisScripts.text;

import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaType;
import dev.usage.UsageStorageException;
import dev.usage.spi.ConsumeCommand;
import dev.usage.spi.ConsumeOutcome;
import dev.usage.spi.CounterDelta;
import dev.usage.spi.CounterKey;
import dev.usage.spi.CounterPage;
import dev.usage.spi.CounterPeriod;
import dev.usage.spi.CounterStore;
import dev.usage.spi.CounterValue;
import dev.usage.spi.EventStore;
import dev.usage.spi.Hold;
import dev.usage.spi.IdempotencyMarker;
import dev.usage.spi.SettleCommand;
import dev.usage.spi.SettleOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Counters, reservations and idempotency markers on Redis: every command is one Lua script on the keys of
 * one user (one hash tag, so one Cluster slot), which validates its arguments before its first write.
 *
 * <p>Time is the engine's: instants travel as microseconds and every expiry is judged against the command's
 * {@code now}; the keys' TTLs (set inside the scripts, relative to that {@code now}, a second past the
 * logical expiry) only let Redis reclaim memory.
 *
 * <p><b>Lost state.</b> Redis may lose keys: a restart without persistence, a failover to an empty replica,
 * {@code FLUSHALL}, eviction. Each Cluster slot has a sentinel key, and each user a root hash recording every
 * counter created. A script that finds the sentinel gone, or a counter gone that the root says is alive, does
 * not start the counter again from zero: with an event log configured
 * ({@link RedisUsageStorage.Builder#reseedFrom}) the user's counters are re-created from the events of their
 * periods (and the sentinel re-created); without one the command fails with {@link UsageStorageException}
 * until an administrator calls {@link RedisUsageStorage#acceptDataLoss()}, which re-creates the sentinels and
 * drops the roots' records of the counters lost so far (a later loss is detected again). Reservations and
 * idempotency markers lost with the data are not restored (their held amounts are free again; a key repeated
 * after the loss counts again); reservations that outlived their counter hold on it again when it is made anew.
 * Limits: unless re-seeding is configured, Redis that lost everything looks like a new installation to an
 * instance that starts (or restarts) before a running one has met the loss, as after a failover to an empty
 * replica during a rolling deployment; and a policy that may evict both a counter and its user's root at once
 * is warned about at start-up.
 */
public final class RedisCounterStore implements CounterStore {

  private final RedisConnector redis;
  private final RedisKeys keys;
  private final Optional<EventStore> reseedFrom;
  private final boolean checkSettings;
  private final RedisLostState lostState;
  private final RedisCounterScan scan;
  private final RedisConsumeBatcher batcher;

  RedisCounterStore(RedisConnector redis, RedisKeys keys, Optional<EventStore> reseedFrom, boolean checkSettings) {
    this.redis = redis;
    this.keys = keys;
    this.reseedFrom = reseedFrom;
    this.checkSettings = checkSettings;
    this.lostState = new RedisLostState(redis, keys, reseedFrom);
    this.scan = new RedisCounterScan(redis, keys);
    this.batcher = new RedisConsumeBatcher(redis);
  }

  @Override
  public ConsumeOutcome consume(ConsumeCommand c) {
    String user = keys.user(c.userId());
    // one timeout for the fast call and the full call after it
    long giveUpAt = redis.giveUpAt();
    if (c.hold().isEmpty() && countersAlive(c)) {
      Optional<ConsumeOutcome> fast = consumeFast(c, user, giveUpAt);
      if (fast.isPresent()) {
        return fast.get();
      }
    }
    return consumeFull(c, user, giveUpAt);
  }

  /**
   * Whether every counter of the command is still to expire after its {@code now}: the fast script compares a
   * counter's expiry only with the one it was given, as text, so a counter at or past it (in whole
   * microseconds, as the scripts count) is left to the full path here.
   */
  private static boolean countersAlive(ConsumeCommand c) {
    long now = TimeBuckets.floorMicros(c.now());
    for (CounterDelta d : c.deltas()) {
      if (TimeBuckets.floorMicros(d.counterExpiresAt()) <= now) {
        return false;
      }
    }
    return true;
  }

  /**
   * The common case in one short script (consume_fast.lua): counters that exist and are ready, no hold,
   * a key not seen yet. Empty when the script hands the command to the full path. Sent through
   * {@link RedisConsumeBatcher}: with the consumes of other callers that arrived meanwhile, on a standalone
   * server.
   */
  private Optional<ConsumeOutcome> consumeFast(ConsumeCommand c, String user, long giveUpAt) {
    List<CounterDelta> deltas = c.deltas();
    int n = deltas.size();
    // the marker's key and arguments only when there is one (see consume_fast.lua)
    IdempotencyMarker m = c.marker().isPresent() ? c.marker().get() : null;
    int kh = m == null ? 1 : 2;
    int h = m == null ? 4 : 6;
    // the counter hash once when every delta's counter is in it (the quotas of one period, the usual case)
    boolean shared = true;
    for (int i = 1; i < n && shared; i++) {
      shared = deltas.get(i).periodId().equals(deltas.get(0).periodId());
    }
    String[] k = new String[kh + (shared ? 1 : n)];
    String[] a = new String[h + 4 * n];
    k[0] = keys.settings(user);
    a[0] = micros(c.now());
    a[1] = checkSettings && c.settingsVersion().isPresent() ? Long.toString(c.settingsVersion().getAsLong()) : "";
    a[2] = redis.deadline(giveUpAt);
    if (m == null) {
      a[3] = "0";
    } else {
      k[1] = keys.marker(user, m.key());
      a[3] = "1";
      a[4] = micros(m.expiresAt()) + ":" + m.fingerprint();
      a[5] = Long.toString(ttlMillis(c.now(), m.expiresAt()));
    }
    for (int i = 0; i < n; i++) {
      CounterDelta d = deltas.get(i);
      if (i == 0 || !shared) {
        k[kh + i] = keys.counter(user, d.periodId());
      }
      int b = h + 4 * i;
      a[b] = d.type().name();
      a[b + 1] = Long.toString(d.amount());
      a[b + 2] = d.isLimited() ? Long.toString(d.limit()) : "-1";
      a[b + 3] = micros(d.counterExpiresAt());
    }
    List<Object> r = batcher.run(k, a, giveUpAt);
    return switch (text(r.get(0))) {
      case "X" -> Optional.empty();
      case "A" -> Optional.of(admitted(c, values(deltas, r, 1)));
      case "R" -> Optional.of(new ConsumeOutcome(ConsumeOutcome.Result.REJECTED, values(deltas, r, 2),
          rejected(text(r.get(1))), Optional.empty()));
      case "S" -> Optional.of(new ConsumeOutcome(ConsumeOutcome.Result.STALE, List.of(), List.of(), Optional.empty()));
      case "O" -> throw new InvalidUsageException("amounts." + text(r.get(1)), "would take the counter past "
          + Quota.MAX_AMOUNT);
      case "T" -> throw lateAnswer("consume");
      default -> throw new IllegalStateException("unexpected script answer " + r);
    };
  }

  /** Milliseconds from {@code now} until a second past {@code until}: a key's TTL (see common.lua's ttl). */
  private static long ttlMillis(Instant now, Instant until) {
    long micros = TimeBuckets.floorMicros(until) - TimeBuckets.floorMicros(now);
    return Math.max(1_000, Math.floorDiv(micros, 1_000) + 1_000);
  }

  private static ConsumeOutcome admitted(ConsumeCommand c, List<CounterValue> after) {
    return new ConsumeOutcome(ConsumeOutcome.Result.ADMITTED, after, List.of(), c.hold());
  }

  private static List<QuotaType> rejected(String types) {
    List<QuotaType> out = new ArrayList<>();
    for (String t : types.split(",")) {
      out.add(QuotaType.of(t));
    }
    return out;
  }

  /**
   * Every case, in one script (consume.lua), waiting at most until {@code giveUpAt}; after a re-seed (which
   * reads the event log), the call that follows has a timeout of its own.
   */
  private ConsumeOutcome consumeFull(ConsumeCommand c, String user, long giveUpAt) {
    List<CounterDelta> deltas = c.deltas();
    int n = deltas.size();
    String[] k = new String[5 + n];
    k[0] = keys.sentinelFor(user);
    k[1] = keys.root(user);
    k[2] = keys.settings(user);
    k[3] = c.marker().map(m -> keys.marker(user, m.key())).orElse(k[1]);
    k[4] = c.hold().map(h -> keys.hold(user, h.reservationId())).orElse(k[1]);
    String[] a = new String[14 + 7 * n];
    a[0] = user;
    a[1] = micros(c.now());
    a[2] = checkSettings && c.settingsVersion().isPresent() ? Long.toString(c.settingsVersion().getAsLong()) : "";
    a[3] = reseedFrom.isPresent() ? "1" : "0";
    a[4] = c.marker().isPresent() ? "1" : "0";
    a[5] = c.marker().map(m -> m.fingerprint()).orElse("");
    a[6] = c.marker().map(m -> micros(m.expiresAt())).orElse("0");
    a[7] = c.hold().isPresent() ? "1" : "0";
    a[8] = c.hold().map(h -> RedisKeys.encode(h.reservationId())).orElse("");
    a[9] = c.hold().map(h -> micros(h.expiresAt())).orElse("0");
    a[10] = c.hold().map(h -> micros(h.retainUntil())).orElse("0");
    a[11] = c.hold().map(Hold::reservationId).orElse("");
    a[12] = c.userId();
    for (int i = 0; i < n; i++) {
      CounterDelta d = deltas.get(i);
      k[5 + i] = keys.counter(user, d.periodId());
      int b = 14 + 7 * i;
      a[b] = d.type().name();
      a[b + 1] = d.periodId();
      a[b + 2] = Long.toString(d.amount());
      a[b + 3] = d.isLimited() ? Long.toString(d.limit()) : "-1";
      a[b + 4] = micros(d.periodStart());
      a[b + 5] = micros(d.periodEnd());
      a[b + 6] = micros(d.counterExpiresAt());
    }
    for (int attempt = 1; ; attempt++, giveUpAt = redis.giveUpAt()) {
      a[13] = redis.deadline(giveUpAt);
      List<Object> r = RedisScripts.run(redis, RedisScripts.CONSUME, "consume", giveUpAt, k, a);
      String status = text(r.get(0));
      switch (status) {
        case "A":
          return admitted(c, values(deltas, r, 1));
        case "R":
          return new ConsumeOutcome(ConsumeOutcome.Result.REJECTED, values(deltas, r, 2), rejected(text(r.get(1))),
              Optional.empty());
        case "P":
        case "C": {
          String id = text(r.get(1));
          Optional<Hold> hold = id.isEmpty() ? Optional.empty()
              : Optional.of(new Hold(id, instant(text(r.get(2))), instant(text(r.get(3)))));
          return new ConsumeOutcome(status.equals("P") ? ConsumeOutcome.Result.REPLAYED
              : ConsumeOutcome.Result.CONFLICT, values(deltas, r, 4), List.of(), hold);
        }
        case "S":
          return new ConsumeOutcome(ConsumeOutcome.Result.STALE, List.of(), List.of(), Optional.empty());
        case "O": {
          String t = text(r.get(1));
          throw new InvalidUsageException("amounts." + t, "would take the counter past " + Quota.MAX_AMOUNT);
        }
        case "T":
          throw lateAnswer("consume");
        default:
          lostState.recover(status, r, c.userId(), user, deltas.stream().map(CounterDelta::period).toList(), c.now(),
              attempt);
      }
    }
  }

  @Override
  public SettleOutcome commit(SettleCommand c) {
    Map<QuotaType, Long> actual = new TreeMap<>(java.util.Comparator.comparing(QuotaType::name));
    actual.putAll(c.actual());
    StringBuilder canonical = new StringBuilder();
    List<String> args = new ArrayList<>();
    actual.forEach((t, v) -> {
      canonical.append(t.name()).append('=').append(v).append(';');
      args.add(t.name());
      args.add(Long.toString(v));
    });
    return settle(c, "commit", canonical.toString(), args);
  }

  @Override
  public SettleOutcome release(SettleCommand c) {
    return settle(c, "release", "", List.of());
  }

  private SettleOutcome settle(SettleCommand c, String op, String canonical, List<String> pairs) {
    String user = keys.user(c.userId());
    String[] k = {keys.sentinelFor(user), keys.root(user), keys.hold(user, c.reservationId())};
    String[] a = new String[7 + pairs.size()];
    a[0] = user;
    a[1] = micros(c.now());
    a[2] = RedisKeys.encode(c.reservationId());
    a[3] = op;
    a[4] = canonical;
    a[6] = reseedFrom.isPresent() ? "1" : "0";
    for (int i = 0; i < pairs.size(); i++) {
      a[7 + i] = pairs.get(i);
    }
    for (int attempt = 1; ; attempt++) {
      long giveUpAt = redis.giveUpAt();
      a[5] = redis.deadline(giveUpAt);
      List<Object> r = RedisScripts.run(redis, RedisScripts.SETTLE, op, giveUpAt, k, a);
      String status = text(r.get(0));
      switch (status) {
        case "SET":
          return new SettleOutcome(SettleOutcome.Result.SETTLED, heldValues(r));
        case "P":
          return new SettleOutcome(SettleOutcome.Result.REPLAYED, heldValues(r));
        case "C":
          return new SettleOutcome(SettleOutcome.Result.CONFLICT, heldValues(r));
        case "F":
          return new SettleOutcome(SettleOutcome.Result.NOT_FOUND, List.of());
        case "I":
          throw new InvalidUsageException("actual." + text(r.get(1)), "was not reserved");
        case "O":
          throw new InvalidUsageException("actual." + text(r.get(1)), "would take the counter past " + Quota.MAX_AMOUNT);
        case "T":
          throw lateAnswer(op);
        default:
          // a lost sentinel: reservations are not restored, so a settle finds nothing once it is back; lost
          // counters (each named in the answer) are re-seeded together, and the settle charges them
          List<CounterPeriod> lost = new ArrayList<>();
          for (int i = 2; i + 5 <= r.size(); i += 5) {
            lost.add(new CounterPeriod(QuotaType.of(text(r.get(i))), text(r.get(i + 1)),
                instant(text(r.get(i + 2))), instant(text(r.get(i + 3))), instant(text(r.get(i + 4)))));
          }
          lostState.recover(status, r, c.userId(), user, lost, c.now(), attempt);
      }
    }
  }

  @Override
  public List<CounterValue> read(String userId, List<CounterKey> counterKeys, Instant now) {
    // a key names no period bounds, so nothing is seeded here: a user without a record reads as a new user would
    return read(userId, counterKeys, List.of(), now);
  }

  /**
   * With re-seeding on, lost counters, those of a user without a record, and those missing for a re-seeded
   * user are re-seeded from the event log with the bounds given, then read; for a user with neither a record
   * nor any of these counters, when the log holds nothing for them either, they read as zeros and nothing is
   * written. Without re-seeding, as {@link #read}.
   */
  @Override
  public List<CounterValue> readPeriods(String userId, List<CounterPeriod> periods, Instant now) {
    return read(userId, periods.stream().map(CounterPeriod::key).toList(),
        reseedFrom.isPresent() ? periods : List.of(), now);
  }

  /** Reads; {@code seedable} empty, or the counters to re-seed (the keys' own) when the script asks for it. */
  private List<CounterValue> read(String userId, List<CounterKey> counterKeys, List<CounterPeriod> seedable,
      Instant now) {
    String user = keys.user(userId);
    int n = counterKeys.size();
    if (n == 0) {
      return List.of();
    }
    String[] k = new String[2 + n];
    k[0] = keys.sentinelFor(user);
    k[1] = keys.root(user);
    String[] a = new String[3 + 3 * n];
    a[0] = user;
    a[1] = micros(now);
    a[2] = seedable.isEmpty() ? "0" : "1";
    for (int i = 0; i < n; i++) {
      CounterKey key = counterKeys.get(i);
      k[2 + i] = keys.counter(user, key.periodId());
      a[3 + 3 * i] = key.type().name();
      a[4 + 3 * i] = key.periodId();
      a[5 + 3 * i] = seedable.isEmpty() ? "0" : micros(seedable.get(i).periodStart());
    }
    for (int attempt = 1; ; attempt++) {
      List<Object> r = RedisScripts.run(redis, RedisScripts.READ, "read", k, a);
      if ("V".equals(text(r.get(0)))) {
        List<CounterValue> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          CounterKey key = counterKeys.get(i);
          out.add(new CounterValue(key.type(), key.periodId(), number(r.get(1 + 2 * i)), number(r.get(2 + 2 * i))));
        }
        return out;
      }
      if (!lostState.recoverRead(text(r.get(0)), r, userId, user, seedable, now, attempt)) {
        // an id with no state in Redis and nothing in the event log: zeros, with nothing written
        return counterKeys.stream().map(key -> new CounterValue(key.type(), key.periodId(), 0, 0)).toList();
      }
    }
  }

  @Override
  public CounterPage scan(Optional<String> cursor, int limit, Instant now) {
    return scan.page(cursor, limit, now);
  }

  /**
   * A script that ran after its deadline changed nothing: Redis ran it late (it was slow or stalled, the
   * operation had little of its time left when it sent the call, or Redis's clock is ahead of this host's).
   */
  static UsageStorageException lateAnswer(String what) {
    return new UsageStorageException("Redis ran " + what + " after its deadline (the server was slow or stalled,"
        + " the operation's earlier calls had taken most of its time, or the server's clock is ahead of this"
        + " host's); nothing was applied");
  }

  private static List<CounterValue> values(List<CounterDelta> deltas, List<Object> r, int from) {
    List<CounterValue> out = new ArrayList<>(deltas.size());
    for (int i = 0; i < deltas.size(); i++) {
      CounterDelta d = deltas.get(i);
      out.add(new CounterValue(d.type(), d.periodId(), number(r.get(from + 2 * i)), number(r.get(from + 2 * i + 1))));
    }
    return out;
  }

  /** A settle's counters: (type, period, used, reserved) after the status, in the hold's order. */
  private static List<CounterValue> heldValues(List<Object> r) {
    List<CounterValue> out = new ArrayList<>();
    for (int i = 1; i + 3 < r.size(); i += 4) {
      out.add(new CounterValue(QuotaType.of(text(r.get(i))), text(r.get(i + 1)), number(r.get(i + 2)),
          number(r.get(i + 3))));
    }
    return out;
  }

  static String micros(Instant t) {
    return Long.toString(TimeBuckets.floorMicros(t));
  }

  static Instant instant(String micros) {
    return TimeBuckets.instant(Long.parseLong(micros));
  }
}
