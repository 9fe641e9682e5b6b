package dev.usage.redis;

import dev.usage.UsageStorageException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.CancellationException;
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
   * have run ({@code what} names the operation for the message). A call with no reply a whole timeout after it
   * went replaces the connection (see {@link RedisConnector}). Every call sends a nonce that the script returns as
   * the last element of its reply (removed here), so that a reply meant for another command is never taken for
   * this one's; an error reply, which carries none, is trusted to mean "nothing ran" ({@code NOSCRIPT}, a refusal)
   * only once the connection's replies are found in step ({@link RedisConnector#inStep}).
   */
  static List<Object> run(RedisConnector redis, Script script, String what, String[] keys, String... args) {
    return run(redis, script, what, redis.giveUpAt(), keys, args);
  }

  /**
   * As {@link #run(RedisConnector, Script, String, String[], String...)}, for an operation that gives up at
   * {@code giveUpAt} ({@link System#nanoTime()}, see {@link RedisConnector#giveUpAt()}), however many calls it
   * made before this one: the {@code EVALSHA}, and the {@code EVAL} after a {@code NOSCRIPT}, wait at most until
   * then; and nothing is sent once it has passed.
   */
  static List<Object> run(RedisConnector redis, Script script, String what, long giveUpAt, String[] keys,
      String... args) {
    String nonce = redis.nonce();
    String[] sent = withNonce(args, nonce);
    List<Object> reply;
    long sentAt = System.nanoTime();
    Object sentOn = redis.connection();
    Object answeredOn = sentOn;
    try {
      reply = awaitUntil(redis, send(redis, what, giveUpAt,
          () -> redis.async().evalsha(script.sha(), ScriptOutputType.MULTI, keys, sent)), what, giveUpAt, sentAt,
          sentOn, true);
    } catch (RedisNoScriptException e) {
      // nothing ran: the script cache was emptied (restart, failover, SCRIPT FLUSH); send the text. Unless the
      // NOSCRIPT was a later call's, shifted to this one by a reply lost on the connection: this script ran then,
      // and sending it again would apply it twice
      requireInStep(redis, what, sentOn, giveUpAt);
      sentAt = System.nanoTime();
      Object evalOn = redis.connection();
      answeredOn = evalOn;
      reply = awaitUntil(redis, send(redis, what, giveUpAt,
          () -> redis.async().<List<Object>>eval(script.text(), ScriptOutputType.MULTI, keys, sent)), what, giveUpAt,
          sentAt, evalOn, false);
    }
    if (!carries(reply, nonce)) {
      throw anotherCommandsReply(redis, what, answeredOn);
    }
    return reply.subList(0, reply.size() - 1);
  }

  /**
   * Sends a command unless {@code giveUpAt} has passed: then its operation has waited its whole timeout for
   * earlier calls, which changed nothing (or it would not be making another), and this one is not sent.
   */
  private static <T> RedisFuture<T> send(RedisConnector redis, String what, long giveUpAt,
      Supplier<RedisFuture<T>> command) {
    if (giveUpAt - System.nanoTime() <= 0) {
      throw new UsageStorageException("Redis took the whole timeout (" + redis.timeout() + ") of " + what + " in its"
          + " earlier calls, which changed nothing; the next one was not sent, so " + what + " was not applied");
    }
    try {
      return command.get();
    } catch (RedisException e) {
      throw failed(redis, what, e);
    }
  }

  /**
   * Returns when the replies on {@code sentOn} are in step ({@link RedisConnector#inStep}, waiting until
   * {@code giveUpAt}), so that an error reply that says nothing ran can be trusted; otherwise throws the error of an
   * unknown outcome ({@link #notInStep}).
   */
  private static void requireInStep(RedisConnector redis, String what, Object sentOn, long giveUpAt) {
    RedisConnector.Step step;
    try {
      step = redis.inStep(sentOn).get(Math.max(0, giveUpAt - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      step = RedisConnector.Step.UNKNOWN;
    } catch (ExecutionException | TimeoutException e) {
      step = RedisConnector.Step.UNKNOWN;
    }
    if (step != RedisConnector.Step.IN_STEP) {
      throw notInStep(redis, what, sentOn, step);
    }
  }

  /**
   * The error for a reply that says nothing ran, from a connection whose replies were found out of step (which is
   * replaced) or could not be checked: the command may have run.
   */
  static UsageStorageException notInStep(RedisConnector redis, String what, Object sentOn, RedisConnector.Step step) {
    if (step == RedisConnector.Step.SHIFTED) {
      return anotherCommandsReply(redis, what, sentOn);
    }
    return new UsageStorageException("Redis answered " + what + " that it did not run it, but whether that answer"
        + " was its own could not be checked (a probe of the connection was refused or did not come back in time);"
        + " it may or may not have been applied (outcome unknown)");
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
  static UsageStorageException anotherCommandsReply(RedisConnector redis, String what, Object answeredOn) {
    redis.replaceAfterTimeout(answeredOn);
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
    } catch (RedisException e) {
      throw failed(redis, what, e);
    } catch (CancellationException e) {
      // Lettuce's blocking commands throw it as it is when their connection is closed or reset under them
      throw cancelled(what, e);
    }
  }

  /** A command cancelled with its connection (reset or closed: Lettuce sends nothing again); it may have run. */
  private static UsageStorageException cancelled(String what, CancellationException e) {
    return new UsageStorageException("Redis failed during " + what + " (the command was cancelled with its"
        + " connection); it may or may not have been applied (outcome unknown)", e);
  }

  /**
   * The typed error of a command that failed with {@code e} (thrown, or its future's cause): a timeout (which
   * replaces the connection) or anything unrecognised is an unknown outcome, an unreachable server or a refusal
   * means nothing was applied, a script's own failure is an {@link IllegalStateException}.
   */
  static RuntimeException failed(RedisConnector redis, String what, Throwable e) {
    return failed(redis, what, e, redis.connection());
  }

  /**
   * As {@link #failed(RedisConnector, String, Throwable)}, for a command sent on {@code sentOn}: a timeout replaces
   * that connection only if it is still the one commands go on ({@link RedisConnector#replaceAfterTimeout(Object)}).
   */
  static RuntimeException failed(RedisConnector redis, String what, Throwable e, Object sentOn) {
    if (e instanceof TimeoutException || e instanceof RedisCommandTimeoutException) {
      redis.replaceAfterTimeout(sentOn);
      return new UsageStorageException("Redis did not answer " + what + " within " + redis.timeout() + "; it may or"
          + " may not have been applied (outcome unknown): " + e.getMessage(), e);
    }
    if (e instanceof RedisConnectionException) {
      return new UsageStorageException("Redis is not reachable, " + what + " was not applied: " + e.getMessage(), e);
    }
    if (e instanceof RedisException re) {
      try {
        return failure(what, re);
      } catch (IllegalStateException scriptFailed) {
        return scriptFailed;
      }
    }
    // a command cancelled with its connection (a reset: Lettuce sends nothing again), or anything else: it may
    // have run
    return new UsageStorageException("Redis failed during " + what + "; it may or may not have been applied"
        + " (outcome unknown): " + e, e);
  }

  /**
   * Waits for a pipelined command, at most {@code timeout}; failures become {@link UsageStorageException}s as
   * in {@link #run}.
   */
  static <T> T await(RedisConnector redis, RedisFuture<T> future, String what) {
    return awaitUntil(redis, future, what, redis.giveUpAt(), System.nanoTime(), redis.connection(), false);
  }

  /**
   * Waits for a command sent at {@code sentAt} until {@code giveUpAt} (both {@link System#nanoTime()});
   * failures become {@link UsageStorageException}s as in {@link #run}, except a {@code NOSCRIPT} when
   * {@code noScript} is set, which is thrown as it is (nothing ran).
   */
  private static <T> T awaitUntil(RedisConnector redis, RedisFuture<T> future, String what, long giveUpAt,
      long sentAt, Object sentOn, boolean noScript) {
    try {
      return future.get(Math.max(0, giveUpAt - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UsageStorageException("interrupted while waiting for Redis (" + what + "); it may or may not have"
          + " been applied (outcome unknown)", e);
    } catch (TimeoutException e) {
      abandon(redis, future, sentAt, sentOn);
      throw new UsageStorageException("Redis did not answer " + what + " within " + redis.timeout() + "; it may or"
          + " may not have been applied (outcome unknown)", e);
    } catch (CancellationException e) {
      throw cancelled(what, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RedisNoScriptException noScriptException && noScript) {
        throw noScriptException;
      }
      if (cause instanceof RedisException refused && refusedBeforeRunning(refused)) {
        // unless it was another command's refusal, shifted to this one by a reply lost on the connection (this
        // one may have run then)
        requireInStep(redis, what, sentOn, giveUpAt);
      }
      throw failed(redis, what, cause, sentOn);
    }
  }

  /**
   * A command whose caller stopped waiting: its reply may have been lost on the way, which would leave every
   * later reply on the connection one behind, so the connection is replaced once the command has had a whole
   * timeout from {@code sentAt} without a reply. Not at once: a caller that gave up early because its operation's
   * earlier calls took most of the time says nothing about the connection. Nor when the connection it went on
   * ({@code sentOn}, see {@link RedisConnector#connection()}) has been replaced meanwhile: that says nothing
   * about the new one.
   */
  private static void abandon(RedisConnector redis, RedisFuture<?> future, long sentAt, Object sentOn) {
    long left = sentAt + redis.timeout().toNanos() - System.nanoTime();
    if (left <= 0) {
      redis.replaceAfterTimeout(sentOn);
      return;
    }
    try {
      redis.timer().newTimeout(t -> {
        if (!repliedTo(future)) {
          redis.replaceAfterTimeout(sentOn);
        }
      }, left, TimeUnit.NANOSECONDS);
    } catch (RuntimeException stopped) {
      // the client's timer takes no more tasks (it was shut down): so is the connection
    }
  }

  /** Whether a command got a reply (a result or an error of Redis's), not a timeout or a cancellation. */
  private static boolean repliedTo(RedisFuture<?> future) {
    if (!future.isDone() || future.isCancelled()) {
      return false;
    }
    try {
      future.get(0, TimeUnit.NANOSECONDS);
      return true;
    } catch (ExecutionException e) {
      return !(e.getCause() instanceof RedisCommandTimeoutException);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (TimeoutException | CancellationException e) {
      return false;
    }
  }

  /**
   * Whether Redis answered {@code e} for a command it refused before running any of it: a server state (cluster
   * down, loading, busy, read-only, out of memory, ...) refuses a script that may write before its first write.
   * Such an answer is trusted only from a connection whose replies are in step ({@link RedisConnector#inStep}).
   */
  static boolean refusedBeforeRunning(RedisException e) {
    String message = String.valueOf(e.getMessage());
    return message.startsWith("CLUSTERDOWN") || message.startsWith("LOADING") || message.startsWith("BUSY")
        || message.startsWith("TRYAGAIN") || message.startsWith("MASTERDOWN") || message.startsWith("READONLY")
        || message.startsWith("OOM") || message.startsWith("MISCONF") || message.startsWith("NOREPLICAS");
  }

  /** The typed error for a failed command: not sent, refused by Redis, or unknown. */
  static UsageStorageException failure(String what, RedisException e) {
    String message = String.valueOf(e.getMessage());
    // checked first: Redis 7 adds "script: ... on @user_script" to these when a script's first write meets them
    if (refusedBeforeRunning(e)) {
      return new UsageStorageException("Redis refused " + what + ", which was not applied: " + message, e);
    }
    if (message.startsWith("NOPERM")) {
      // the host's ACL, not this adapter: inside a script, commands before the refused one may have run
      return new UsageStorageException("Redis refused " + what + " (the connection's ACL user may not run it or"
          + " touch its keys); it may or may not have been applied (outcome unknown): " + message, e);
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
