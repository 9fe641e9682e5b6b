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
   * others kept theirs), leaves them missing so that the users of those slots are detected as lost, unless the
   * marker a creation writes first is still there: then a creation was cut short (a start that failed or was
   * stopped part-way, or one still running on another instance), and the missing ones are created.
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
      // a creation that wrote every sentinel and then failed to remove its marker: left, it would make a later
      // loss look like a creation cut short
      RedisScripts.await(redis, redis.async().del(keys.sentinelsCreating()), "check sentinels");
      return State.PRESENT;
    }
    if (present > 0 && RedisScripts.await(redis, redis.async().exists(keys.sentinelsCreating()), "check sentinels")
        == 0) {
      return State.PARTLY_MISSING;
    }
    create();
    return State.CREATED;
  }

  /** Creates every missing sentinel, between the marker's writing and its removal. */
  private void create() {
    RedisScripts.await(redis, redis.async().set(keys.sentinelsCreating(), "1"), "write sentinels");
    createMissing();
    RedisScripts.await(redis, redis.async().del(keys.sentinelsCreating()), "write sentinels");
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
