package dev.usage.benchmarks.redis;

import dev.usage.QuotaType;
import dev.usage.benchmarks.ConsumeShape;
import dev.usage.benchmarks.ConsumeSide;
import dev.usage.benchmarks.IdempotencyKeys;
import dev.usage.benchmarks.Parallel;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bare baseline: one {@code EVALSHA} per consume of a minimal script, through one shared Lettuce
 * connection with the storage's codec and timeout, synchronous calls as the storage makes them; keys are
 * hash-tagged per user like the storage's. One quota: "INCRBY if below the limit" on one string key per user
 * ({@code <prefix>:{user-N}:c}). Three quotas: {@code SET <prefix>:{user-N}:k:<key> NX PX} (a key seen before
 * is refused), then the three fields of one hash per user ({@code <prefix>:{user-N}:h}: c, r, t) checked
 * against the limit and {@code HINCRBY}'d, the key removed again if one would pass it. Every user's keys are
 * created by one consume in the constructor.
 */
final class BareScriptConsume implements ConsumeSide {

  static final String SCRIPT = "local v = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
      + "if v + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return -1 end\n"
      + "return redis.call('INCRBY', KEYS[1], ARGV[1])";

  static final String THREE_SCRIPT = "if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[5]) then return -2 end\n"
      + "local f = {'c', 'r', 't'}\n"
      + "local v = redis.call('HMGET', KEYS[1], 'c', 'r', 't')\n"
      + "for i = 1, 3 do\n"
      + "  if tonumber(v[i] or '0') + tonumber(ARGV[i + 1]) > tonumber(ARGV[1]) then\n"
      + "    redis.call('DEL', KEYS[2])\n"
      + "    return -1\n"
      + "  end\n"
      + "end\n"
      + "for i = 1, 3 do redis.call('HINCRBY', KEYS[1], f[i], ARGV[i + 1]) end\n"
      + "return 1";

  private static final String KEY_TTL_MS = Long.toString(TimeUnit.DAYS.toMillis(1));

  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> commands;
  private final ConsumeShape shape;
  private final String script;
  private final String sha;
  private final String[] counters;
  private final String[] keyPrefixes;
  private final String[] args;
  private final IdempotencyKeys keys = new IdempotencyKeys();
  private final LongAdder admitted = new LongAdder();

  BareScriptConsume(RedisClient client, String keyPrefix, int users, ConsumeShape shape) {
    this.shape = shape;
    this.connection = client.connect(StringCodec.UTF8);
    connection.setTimeout(BenchRedis.TIMEOUT);
    this.commands = connection.sync();
    this.script = shape.keyed() ? THREE_SCRIPT : SCRIPT;
    this.sha = commands.scriptLoad(script);
    this.counters = new String[users];
    this.keyPrefixes = new String[users];
    for (int i = 0; i < users; i++) {
      counters[i] = keyPrefix + ":{user-" + i + "}:" + (shape.keyed() ? "h" : "c");
      keyPrefixes[i] = keyPrefix + ":{user-" + i + "}:k:";
    }
    String limit = Long.toString(ConsumeShape.LIMIT);
    this.args = shape.keyed()
        ? new String[] {limit, Long.toString(ConsumeShape.CHARACTERS), "1", Long.toString(ConsumeShape.TOKENS), KEY_TTL_MS}
        : new String[] {"1", limit};
    Parallel.forEach(users, 16, this::consume);
  }

  @Override
  public void consume(int user) {
    String[] k;
    if (shape.keyed()) {
      k = new String[] {counters[user], keyPrefixes[user] + keys.next(user)};
    } else {
      k = new String[] {counters[user]};
    }
    Long result;
    try {
      result = commands.evalsha(sha, ScriptOutputType.INTEGER, k, args);
    } catch (RedisNoScriptException e) {
      // the shared server's script cache was flushed: load it again, as the storage does
      result = commands.eval(script, ScriptOutputType.INTEGER, k, args);
    }
    if (result == null || result < 0) {
      throw new IllegalStateException("bare consume not admitted for " + counters[user] + ": " + result);
    }
    admitted.increment();
  }

  /**
   * The users' counters add up to the admitted consumes, per quota, and each exists; with keys, the first key
   * sent again (for the user it went to) is refused and counts nothing.
   */
  @Override
  public void verify() {
    if (shape.keyed()) {
      int u = keys.firstUser();
      Long again = commands.eval(THREE_SCRIPT, ScriptOutputType.INTEGER, new String[] {counters[u], keyPrefixes[u] + IdempotencyKeys.FIRST},
          args);
      if (again == null || again != -2) {
        throw new IllegalStateException("idempotency key k1 sent again for user-" + u + " was not refused: " + again);
      }
    }
    List<RedisFuture<List<KeyValue<String, String>>>> values = new ArrayList<>(counters.length);
    for (String c : counters) {
      values.add(shape.keyed() ? connection.async().hmget(c, "c", "r", "t") : connection.async().mget(c));
    }
    long[] sums = new long[shape.types().length];
    int missing = 0;
    for (RedisFuture<List<KeyValue<String, String>>> f : values) {
      try {
        List<KeyValue<String, String>> got = f.get(30, TimeUnit.SECONDS);
        for (int q = 0; q < sums.length; q++) {
          if (got.get(q).hasValue()) {
            sums[q] += Long.parseLong(got.get(q).getValue());
          } else {
            missing++;
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException("reading the bare counters failed", e);
      }
    }
    Map<QuotaType, Long> used = new TreeMap<>();
    for (int q = 0; q < sums.length; q++) {
      used.put(shape.types()[q], sums[q]);
    }
    Map<QuotaType, Long> expected = shape.units(admitted.sum());
    if (!used.equals(expected) || missing != 0) {
      throw new IllegalStateException("bare keys hold " + used + " (" + missing + " missing) but "
          + admitted.sum() + " consumes were admitted (expected " + expected + ")");
    }
  }

  @Override
  public void close() {
    connection.close();
  }
}
