package dev.usage.benchmarks.redis;

import dev.usage.benchmarks.ConsumeSide;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bare baseline: one {@code EVALSHA} per consume of a minimal "INCRBY if below the limit" script on one
 * string key per user ({@code <prefix>:{user-N}:c}, hash-tagged like the storage's keys), through one shared
 * Lettuce connection with the storage's codec and timeout, synchronous calls as the storage makes them.
 * Every user's key is created by one consume in the constructor.
 */
final class BareScriptConsume implements ConsumeSide {

  static final String SCRIPT = "local v = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
      + "if v + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return -1 end\n"
      + "return redis.call('INCRBY', KEYS[1], ARGV[1])";

  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> commands;
  private final String sha;
  private final String[][] keys;
  private final String limit = Long.toString(EngineConsume.LIMIT);
  private final LongAdder admitted = new LongAdder();

  BareScriptConsume(RedisClient client, String keyPrefix, int users) {
    this.connection = client.connect(StringCodec.UTF8);
    connection.setTimeout(BenchRedis.TIMEOUT);
    this.commands = connection.sync();
    this.sha = commands.scriptLoad(SCRIPT);
    this.keys = new String[users][];
    for (int i = 0; i < users; i++) {
      keys[i] = new String[] {keyPrefix + ":{user-" + i + "}:c"};
    }
    BenchRedis.forEach(users, 16, this::consume);
  }

  @Override
  public void consume(int user) {
    Long after;
    try {
      after = commands.evalsha(sha, ScriptOutputType.INTEGER, keys[user], "1", limit);
    } catch (RedisNoScriptException e) {
      // the shared server's script cache was flushed: load it again, as the storage does
      after = commands.eval(SCRIPT, ScriptOutputType.INTEGER, keys[user], "1", limit);
    }
    if (after == null || after < 0) {
      throw new IllegalStateException("bare consume not admitted for " + keys[user][0]);
    }
    admitted.increment();
  }

  /** The users' keys add up to the admitted consumes, and each exists. */
  @Override
  public void verify() {
    List<RedisFuture<String>> values = new ArrayList<>(keys.length);
    for (String[] k : keys) {
      values.add(connection.async().get(k[0]));
    }
    long sum = 0;
    int missing = 0;
    for (RedisFuture<String> f : values) {
      try {
        String v = f.get(30, TimeUnit.SECONDS);
        if (v == null) {
          missing++;
        } else {
          sum += Long.parseLong(v);
        }
      } catch (Exception e) {
        throw new IllegalStateException("reading the bare counters failed", e);
      }
    }
    if (sum != admitted.sum() || missing != 0) {
      throw new IllegalStateException("bare keys hold " + sum + " units (" + missing + " keys missing) but "
          + admitted.sum() + " consumes were admitted");
    }
  }

  @Override
  public void close() {
    connection.close();
  }
}
