package dev.usage.redis;

import static dev.usage.redis.RedisCounterStore.micros;
import static dev.usage.redis.RedisScripts.number;
import static dev.usage.redis.RedisScripts.text;

import dev.usage.Quota;
import dev.usage.QuotaType;
import dev.usage.UsageStorageException;
import dev.usage.spi.CounterPeriod;
import dev.usage.spi.EventStore;
import io.lettuce.core.RedisException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What the counter store does when a script finds state missing (see {@link RedisCounterStore}): re-seed the
 * user's counters from the durable event log, or refuse with a typed error until an administrator accepts
 * the loss.
 */
final class RedisLostState {

  private final RedisConnector redis;
  private final RedisKeys keys;
  private final Optional<EventStore> reseedFrom;

  RedisLostState(RedisConnector redis, RedisKeys keys, Optional<EventStore> reseedFrom) {
    this.redis = redis;
    this.keys = keys;
    this.reseedFrom = reseedFrom;
  }

  /**
   * Answers a script that found state missing: {@code L} (the sentinel or a counter is gone) or {@code N} (a
   * counter is gone, or the user has no root, with re-seeding on). Re-seeds and returns, so the caller
   * runs its script again; or throws.
   */
  void recover(String status, List<Object> r, String userId, String user, List<CounterPeriod> counters,
      Instant now, int attempt) {
    requireFewAttempts(userId, attempt);
    if (status.equals("L")) {
      String what = r.size() > 1 ? text(r.get(1)) : "state";
      if (reseedFrom.isEmpty()) {
        throw new UsageStorageException("Redis lost quota state of user " + userId + " (" + ("sentinel".equals(what)
            ? "the data epoch of its slot is gone: restart without persistence, failover or FLUSHALL"
            : "a counter alive until later is gone: evicted or deleted") + "); refusing to start counting from zero."
            + " Configure reseedFrom(eventStore) to rebuild counters from the event log, or call"
            + " RedisUsageStorage.acceptDataLoss()");
      }
      if ("sentinel".equals(what)) {
        newEpoch(keys.sentinelFor(user));
        return;
      }
    } else if (!status.equals("N")) {
      throw new IllegalStateException("unexpected script answer " + r);
    }
    if (reseedFrom.isPresent() && !counters.isEmpty()) {
      seed(userId, user, counters, totals(userId, counters), now);
    } else if (reseedFrom.isPresent()) {
      // a read without period bounds (CounterStore.read) of a user not re-seeded yet: the next consume seeds
      throw new UsageStorageException("Redis lost quota state of user " + userId + "; it is re-seeded from the"
          + " event log by the user's next consume");
    }
  }

  /**
   * As {@link #recover}, for a read of {@code counters} (empty: a read without period bounds). For a user
   * with no record and none of the counters read ({@code N none}: an id that may never have been used;
   * status reads come here for any id), when the event log holds nothing for them either, nothing is seeded
   * and the answer is false: the read is zeros, and nothing is written. True: run the read again.
   */
  boolean recoverRead(String status, List<Object> r, String userId, String user, List<CounterPeriod> counters,
      Instant now, int attempt) {
    boolean none = r.size() > 1 && "none".equals(text(r.get(1)));
    if (!status.equals("N") || !none || reseedFrom.isEmpty() || counters.isEmpty()) {
      recover(status, r, userId, user, counters, now, attempt);
      return true;
    }
    requireFewAttempts(userId, attempt);
    List<Long> used = totals(userId, counters);
    if (used.stream().allMatch(u -> u == 0)) {
      return false;
    }
    seed(userId, user, counters, used, now);
    return true;
  }

  private static void requireFewAttempts(String userId, int attempt) {
    if (attempt > 3) {
      throw new UsageStorageException("Redis state of user " + userId + " kept changing while it was re-seeded");
    }
  }

  /** What the event log holds for each counter, at most {@link Quota#MAX_AMOUNT}. */
  private List<Long> totals(String userId, List<CounterPeriod> counters) {
    Map<List<Instant>, Map<QuotaType, Long>> byPeriod = new HashMap<>();
    List<Long> out = new ArrayList<>(counters.size());
    for (CounterPeriod d : counters) {
      Map<QuotaType, Long> sums = byPeriod.computeIfAbsent(List.of(d.periodStart(), d.periodEnd()),
          p -> reseedFrom.get().userTotals(userId, d.periodStart(), d.periodEnd()));
      out.add(Math.min(Quota.MAX_AMOUNT, sums.getOrDefault(d.type(), 0L)));
    }
    return out;
  }

  /** Re-creates the command's counters with {@code used} from the event log (see the class comment). */
  private void seed(String userId, String user, List<CounterPeriod> counters, List<Long> used, Instant now) {
    String[] k = new String[2 + counters.size()];
    k[0] = keys.sentinelFor(user);
    k[1] = keys.root(user);
    String[] a = new String[4 + 6 * counters.size()];
    a[0] = user;
    a[1] = micros(now);
    a[2] = userId;
    for (int i = 0; i < counters.size(); i++) {
      CounterPeriod d = counters.get(i);
      k[2 + i] = keys.counter(user, d.periodId());
      int b = 4 + 6 * i;
      a[b] = d.type().name();
      a[b + 1] = d.periodId();
      a[b + 2] = micros(d.periodStart());
      a[b + 3] = micros(d.periodEnd());
      a[b + 4] = micros(d.counterExpiresAt());
      a[b + 5] = Long.toString(used.get(i));
    }
    long giveUpAt = redis.giveUpAt();
    a[3] = redis.deadline(giveUpAt);
    List<Object> r = RedisScripts.run(redis, RedisScripts.SEED, "re-seed", giveUpAt, k, a);
    if ("T".equals(text(r.get(0)))) {
      throw RedisCounterStore.lateAnswer("re-seed");
    }
  }

  /**
   * Forgives the lost counters of every user (see {@link RedisUsageStorage#acceptDataLoss()}): {@code SCAN}s
   * each node for users' roots and drops, per root, the entries of counters that are gone (accept_loss.lua).
   *
   * @return the number of entries dropped
   */
  long forgiveAll() {
    long[] dropped = {0};
    // a root seen twice drops nothing the second time
    redis.forEachKey(keys.prefix() + ":{*}:root", "accept data loss (scan)", root -> dropped[0] += number(
        RedisScripts.run(redis, RedisScripts.ACCEPT_LOSS, "accept data loss", new String[] {root},
            root.substring(0, root.length() - "root".length())).get(0)));
    return dropped[0];
  }

  /** Sets a new data epoch on a sentinel unless one is there. */
  void newEpoch(String sentinel) {
    try {
      redis.sync().setnx(sentinel, UUID.randomUUID().toString());
    } catch (RedisException e) {
      throw RedisScripts.failure("sentinel", e);
    }
  }
}
