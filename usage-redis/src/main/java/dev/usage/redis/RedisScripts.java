package dev.usage.redis;

import dev.usage.UsageStorageException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Lua scripts, shipped as resources under {@code dev/usage/redis/lua}, each prefixed with
 * {@code common.lua}. A script is run with {@code EVALSHA}; a {@code NOSCRIPT} answer (script caches are per
 * node and are emptied by a restart, a failover or {@code SCRIPT FLUSH}) is answered with {@code EVAL} of the
 * same text, which loads it again, so no caller ever sees {@code NOSCRIPT}. Re-running is safe: Redis refused
 * the {@code EVALSHA} without running anything.
 */
final class RedisScripts {

  /** One script: its text and SHA-1 digest. */
  record Script(String name, String text, String sha) {}

  static final Script CONSUME = load("consume");
  static final Script CONSUME_FAST = loadAlone("consume_fast");
  static final Script SETTLE = load("settle");
  static final Script READ = load("read");
  static final Script SEED = load("seed");
  static final Script SCAN = load("scan");
  static final Script ACCEPT_LOSS = load("accept_loss");

  /** Loads a script from {@code dev/usage/redis/lua/<name>.lua}, after {@code common.lua}. */
  static Script script(String name) {
    return load(name);
  }

  private RedisScripts() {}

  /**
   * Runs {@code script}; Redis errors become {@link UsageStorageException}s that say whether the script may
   * have run ({@code what} names the operation for the message). A timeout replaces the connection (see
   * {@link RedisConnector}). Every call sends a nonce that the script returns as the last element of its
   * reply (removed here), so that a reply meant for another command is never taken for this one's.
   */
  static List<Object> run(RedisConnector redis, Script script, String what, String[] keys, String... args) {
    String nonce = redis.nonce();
    String[] sent = withNonce(args, nonce);
    List<Object> reply = call(redis, what, () -> {
      RedisClusterCommands<String, String> commands = redis.sync();
      try {
        return commands.evalsha(script.sha(), ScriptOutputType.MULTI, keys, sent);
      } catch (RedisNoScriptException e) {
        return commands.eval(script.text(), ScriptOutputType.MULTI, keys, sent);
      }
    });
    if (!carries(reply, nonce)) {
      throw anotherCommandsReply(redis, what);
    }
    return reply.subList(0, reply.size() - 1);
  }

  /** {@code args} and the nonce after them, as every script here expects its arguments. */
  static String[] withNonce(String[] args, String nonce) {
    String[] sent = Arrays.copyOf(args, args.length + 1);
    sent[args.length] = nonce;
    return sent;
  }

  /** Whether a script's reply ends with the nonce its call sent. */
  static boolean carries(List<Object> reply, String nonce) {
    return reply != null && !reply.isEmpty() && nonce.equals(text(reply.get(reply.size() - 1)));
  }

  /**
   * The error for a reply meant for another command: a reply was lost on the connection and every later one is
   * shifted, so the connection is replaced.
   */
  static UsageStorageException anotherCommandsReply(RedisConnector redis, String what) {
    redis.replaceAfterTimeout();
    return new UsageStorageException("Redis answered " + what + " with the reply of another command (a reply was"
        + " lost on the connection, which is being replaced); it may or may not have been applied (outcome"
        + " unknown)");
  }

  /**
   * Runs one or more commands; Redis errors become {@link UsageStorageException}s as for {@link #run}
   * ({@code what} names the operation for the message), and a timeout replaces the connection.
   */
  static <T> T call(RedisConnector redis, String what, Supplier<T> commands) {
    try {
      return commands.get();
    } catch (RedisCommandTimeoutException e) {
      redis.replaceAfterTimeout();
      throw new UsageStorageException("Redis did not answer " + what + " within " + redis.timeout() + "; it may or"
          + " may not have been applied (outcome unknown): " + e.getMessage(), e);
    } catch (RedisConnectionException e) {
      throw new UsageStorageException("Redis is not reachable, " + what + " was not applied: " + e.getMessage(), e);
    } catch (RedisException e) {
      throw failure(what, e);
    }
  }

  /**
   * Waits for a pipelined command, at most {@code timeout}; failures become {@link UsageStorageException}s as
   * in {@link #run}.
   */
  static <T> T await(RedisConnector redis, RedisFuture<T> future, String what) {
    try {
      return future.get(redis.timeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UsageStorageException("interrupted while waiting for Redis (" + what + ")", e);
    } catch (TimeoutException e) {
      redis.replaceAfterTimeout();
      throw new UsageStorageException("Redis did not answer " + what + " within " + redis.timeout() + "; it may or"
          + " may not have been applied (outcome unknown)", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RedisException re) {
        throw failure(what, re);
      }
      throw new UsageStorageException("Redis failed during " + what + ": " + cause, cause);
    }
  }

  /** The typed error for a failed command: not sent, refused by Redis, or unknown. */
  static UsageStorageException failure(String what, RedisException e) {
    String message = String.valueOf(e.getMessage());
    // checked first: Redis 7 adds "script: ... on @user_script" to these when a script's first write meets them,
    // and a script that may write is refused there, before it has written anything
    if (message.startsWith("CLUSTERDOWN") || message.startsWith("LOADING") || message.startsWith("BUSY")
        || message.startsWith("TRYAGAIN") || message.startsWith("MASTERDOWN") || message.startsWith("READONLY")
        || message.startsWith("OOM")) {
      return new UsageStorageException("Redis refused " + what + ", which was not applied: " + message, e);
    }
    if (message.contains("not connected") || message.contains("Commands are rejected")) {
      return new UsageStorageException("Redis is not connected, " + what + " was not applied: " + message, e);
    }
    if (message.contains("ERR usage ") || message.contains("user_script")) {
      // a script refused its arguments (before its first write) or failed: a bug in this adapter
      throw new IllegalStateException("Redis script failed for " + what + ": " + message, e);
    }
    return new UsageStorageException("Redis failed during " + what + "; it may or may not have been applied"
        + " (outcome unknown): " + message, e);
  }

  /** A text element of a script's reply. */
  static String text(Object o) {
    return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
  }

  /** A number element of a script's reply (an integer, or a decimal string). */
  static long number(Object o) {
    return o instanceof Long l ? l : Long.parseLong(text(o));
  }

  private static Script load(String name) {
    return load(name, resource("common") + "\n");
  }

  /**
   * A script without {@code common.lua}: for the hot path, where defining the shared functions at every call
   * would cost more than the script's own work.
   */
  private static Script loadAlone(String name) {
    return load(name, "");
  }

  private static Script load(String name, String preamble) {
    // the script's body runs as a function, so that every reply it returns can carry the caller's nonce
    String text = preamble + "local nonce = table.remove(ARGV)\nlocal function main()\n" + resource(name)
        + "\nend\nlocal reply = main()\nif type(reply) == 'table' and reply.err == nil then\n"
        + "  reply[#reply + 1] = nonce\nend\nreturn reply\n";
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      return new Script(name, text, HexFormat.of().formatHex(digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every Java runtime", e);
    }
  }

  private static String resource(String name) {
    String path = "lua/" + name + ".lua";
    try (InputStream in = RedisScripts.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource dev/usage/redis/" + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read dev/usage/redis/" + path, e);
    }
  }
}
