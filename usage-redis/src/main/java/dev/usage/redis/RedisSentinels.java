package dev.usage.redis;

import io.lettuce.core.RedisFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The per-slot sentinels that let the scripts tell "this user is new" from "Redis lost this user's state"
 * (see {@link RedisCounterStore}). Each holds a data epoch; a slot whose sentinel is gone lost its data.
 */
final class RedisSentinels {

  /** What {@link #ensure} found. */
  enum State { CREATED, PRESENT, PARTLY_MISSING }

  /** Commands pipelined at a time: each chunk completes well within one command timeout. */
  private static final int CHUNK = 512;

  private final RedisConnector redis;
  private final RedisKeys keys;

  RedisSentinels(RedisConnector redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /**
   * At start-up: when no sentinel exists (a new installation, or one that lost everything while no instance
   * ran), creates all with a new epoch; when some are missing (a node or part of the data was lost while
   * others kept theirs), leaves them missing so that the users of those slots are detected as lost.
   */
  State ensure() {
    long present = 0;
    for (int from = 0; from < RedisKeys.slots(); from += CHUNK) {
      List<RedisFuture<Long>> exists = new ArrayList<>(CHUNK);
      for (int slot = from; slot < Math.min(RedisKeys.slots(), from + CHUNK); slot++) {
        exists.add(redis.async().exists(keys.sentinel(slot)));
      }
      for (RedisFuture<Long> f : exists) {
        present += RedisScripts.await(redis, f, "check sentinels");
      }
    }
    if (present == RedisKeys.slots()) {
      return State.PRESENT;
    }
    if (present > 0) {
      return State.PARTLY_MISSING;
    }
    createMissing();
    return State.CREATED;
  }

  /** Creates every missing sentinel with one new epoch: the users of those slots start afresh. */
  void createMissing() {
    String epoch = UUID.randomUUID().toString();
    for (int from = 0; from < RedisKeys.slots(); from += CHUNK) {
      List<RedisFuture<?>> sets = new ArrayList<>(CHUNK);
      for (int slot = from; slot < Math.min(RedisKeys.slots(), from + CHUNK); slot++) {
        sets.add(redis.async().setnx(keys.sentinel(slot), epoch));
      }
      for (RedisFuture<?> f : sets) {
        RedisScripts.await(redis, f, "write sentinels");
      }
    }
  }
}
