package dev.usage.redis;

import dev.usage.UsageStorageException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandType;
import io.netty.util.Timeout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends the fast consumes ({@code consume_fast.lua}) of concurrent callers together. On a standalone server,
 * at most {@value #IN_FLIGHT} calls of the script are on their way at once; the consumes that arrive meanwhile
 * wait in a queue and go together in the next call (at most {@value #MAX_BATCH}), so that under load one
 * round trip, one script run and one reply carry many decisions, and a lone caller's consume goes at once.
 * Each consume is still decided by itself, exactly as if it had been sent alone (the script validates all of
 * them before the first writes, and runs them in order). On a Cluster every consume goes alone, so that every
 * call stays in one slot.
 *
 * <p>Failures reach every consume of the call as the typed errors of {@link RedisScripts#run}; a caller that
 * has waited the command timeout is told the outcome is unknown (its consume carries its own deadline, so
 * Redis does not apply it after the caller gave up, even when it waited in the queue first).
 */
final class RedisConsumeBatcher {

  /**
   * Calls on their way at once: one being run by Redis and two more waiting, so that Redis has work while the
   * client turns a reply into the next call (measured, one quota, 32 threads, 10,000 users, one fork each:
   * 87-90k consumes per second with 3, 78-89k with 2; Redis busy 76-81 % of the time against 70-77 %).
   */
  static final int IN_FLIGHT = 3;

  /** Consumes per call at most. */
  static final int MAX_BATCH = 64;

  /**
   * One caller's consume: its keys and arguments, encoded by the caller ({@link BulkArgs}), and where its answer
   * goes.
   */
  private record Pending(byte[] keys, int keyCount, byte[] args, int argCount,
      CompletableFuture<List<Object>> answer) {}

  private final RedisConnector redis;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  /** Whether this thread is in {@link #drain()}. */
  private static final ThreadLocal<boolean[]> DRAINING = ThreadLocal.withInitial(() -> new boolean[1]);

  RedisConsumeBatcher(RedisConnector redis) {
    this.redis = redis;
  }

  /**
   * Runs one consume and returns its answer (see {@code consume_fast.lua}), waiting at most until
   * {@code giveUpAt} ({@link System#nanoTime()}, see {@link RedisConnector#giveUpAt()}).
   *
   * @throws IllegalStateException if a command of the consume failed in Redis (answer {@code E})
   */
  List<Object> run(String[] keys, String[] args, long giveUpAt) {
    List<Object> answer = send(keys, args, giveUpAt);
    if ("E".equals(RedisScripts.text(answer.get(0)))) {
      throw new IllegalStateException("Redis script failed for consume: " + RedisScripts.text(answer.get(1)));
    }
    return answer;
  }

  /** Calls on their way now (at most {@value #IN_FLIGHT}). */
  int inFlight() {
    return inFlight.get();
  }

  private List<Object> send(String[] keys, String[] args, long giveUpAt) {
    if (redis.isCluster()) {
      String[] one = new String[3 + args.length];
      one[0] = "1";
      one[1] = Integer.toString(keys.length);
      one[2] = Integer.toString(args.length);
      System.arraycopy(args, 0, one, 3, args.length);
      List<Object> r = RedisScripts.run(redis, RedisScripts.CONSUME_FAST, "consume", giveUpAt, keys, one);
      return answers(r, 1).get(0);
    }
    Pending p = new Pending(BulkArgs.encode(keys), keys.length, BulkArgs.encode(args), args.length,
        new CompletableFuture<>());
    queue.add(p);
    drain();
    try {
      return p.answer().get(Math.max(0, giveUpAt - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      p.answer().cancel(false); // not sent yet: it never will be; sent: its answer is dropped
      Thread.currentThread().interrupt();
      throw new UsageStorageException("interrupted while waiting for Redis (consume); it may or may not have been"
          + " applied (outcome unknown)", e);
    } catch (TimeoutException e) {
      p.answer().cancel(false);
      throw new UsageStorageException("Redis did not answer consume within " + redis.timeout() + "; it may or may"
          + " not have been applied (outcome unknown)", e);
    } catch (ExecutionException e) {
      // the call's failure, shared by its consumes, thrown anew in each caller's thread
      Throwable cause = e.getCause();
      if (cause instanceof IllegalStateException) {
        throw new IllegalStateException(cause.getMessage(), cause);
      }
      throw new UsageStorageException(cause.getMessage(), cause);
    }
  }

  /**
   * Sends what waits, while fewer than {@value #IN_FLIGHT} calls are on their way. A completing call frees its
   * slot before it drains again, so that a consume queued meanwhile is never left behind.
   */
  private void drain() {
    boolean[] draining = DRAINING.get();
    if (draining[0]) {
      // a call that completed at once (refused while disconnected) freed its slot inside this thread's drain,
      // whose loop goes on: no recursion, however long the queue
      return;
    }
    draining[0] = true;
    try {
      drainQueue();
    } finally {
      draining[0] = false;
    }
  }

  private void drainQueue() {
    while (!queue.isEmpty()) {
      int n = inFlight.get();
      if (n >= IN_FLIGHT) {
        return;
      }
      if (!inFlight.compareAndSet(n, n + 1)) {
        continue;
      }
      List<Pending> batch = new ArrayList<>();
      Pending p;
      while (batch.size() < MAX_BATCH && (p = queue.poll()) != null) {
        // a consume whose caller gave up waiting (its answer cancelled) is dropped, not sent
        if (!p.answer().isDone()) {
          batch.add(p);
        }
      }
      if (batch.isEmpty()) {
        inFlight.decrementAndGet();
        continue;
      }
      call(batch);
    }
  }

  private void call(List<Pending> batch) {
    String nonce = redis.nonce();
    CompletableFuture<List<Object>> reply = new CompletableFuture<>();
    Object sentOn = redis.connection();
    try {
      redis.async().dispatch(CommandType.EVALSHA, new NestedMultiOutput<>(StringCodec.UTF8),
          callArgs(RedisScripts.CONSUME_FAST.sha(), batch, nonce)).whenComplete((r, e) -> {
            if (unwrap(e) instanceof RedisNoScriptException) {
              // the script cache was emptied (restart, failover, SCRIPT FLUSH): nothing ran; send the text. Unless
              // the NOSCRIPT was a later call's, shifted to this one by a reply lost on the connection: these
              // consumes ran then, and sending them again would count them twice (see RedisScripts.run)
              ifInStep(sentOn, reply, () -> {
                try {
                  redis.async().dispatch(CommandType.EVAL, new NestedMultiOutput<>(StringCodec.UTF8),
                      callArgs(RedisScripts.CONSUME_FAST.text(), batch, nonce))
                      .whenComplete((r2, e2) -> complete(reply, r2, e2));
                } catch (Throwable sendFailed) {
                  reply.completeExceptionally(sendFailed);
                }
              });
            } else if (unwrap(e) instanceof RedisException refused && RedisScripts.refusedBeforeRunning(refused)) {
              // "not applied", unless the refusal was a later call's, shifted to this one (as above)
              ifInStep(sentOn, reply, () -> complete(reply, r, e));
            } else {
              complete(reply, r, e);
            }
          });
    } catch (Throwable e) { // even an Error: the slot below must be freed and the callers answered
      reply.completeExceptionally(e);
    }
    // the slot is freed once, whatever comes first: the reply, a failure, or the command timeout
    Timeout expiry = expireAfterTimeout(reply);
    reply.whenComplete((r, e) -> {
      if (expiry != null) {
        expiry.cancel();
      }
      inFlight.decrementAndGet();
      // the next call goes before this one's callers are woken: waking them one by one keeps this thread (the
      // connection's event loop) busy, and Redis would wait meanwhile (measured: one quota, 32 threads, ~14 %
      // more consumes per second this way round)
      try {
        drain();
      } finally {
        deliver(batch, r, unwrap(e), nonce, sentOn);
      }
    });
  }

  /**
   * Runs {@code then} once the replies on {@code sentOn} are found in step ({@link RedisConnector#inStep}), so
   * that an error reply saying nothing ran can be believed; otherwise fails {@code reply} with an unknown outcome.
   */
  private void ifInStep(Object sentOn, CompletableFuture<List<Object>> reply, Runnable then) {
    redis.inStep(sentOn).whenComplete((step, probeFailed) -> {
      if (step == RedisConnector.Step.IN_STEP) {
        then.run();
      } else {
        reply.completeExceptionally(RedisScripts.notInStep(redis, "consume", sentOn,
            step == null ? RedisConnector.Step.UNKNOWN : step));
      }
    });
  }

  /**
   * Fails {@code reply} with a {@link TimeoutException} once the command timeout has passed, on the client's
   * wheel timer (late by up to a tick; each caller still gives up on time, see {@link #send}). Not
   * {@code CompletableFuture.orTimeout}: the JDK's delay queue wakes its thread whenever a new timeout is its
   * earliest, which is at every call while calls are few (measured, one thread, one quota: ~1.3 wake-ups and
   * ~27 µs of CPU per consume in that thread). Null when the timer takes no more tasks (the client was shut
   * down); {@code reply} has failed then.
   */
  private Timeout expireAfterTimeout(CompletableFuture<List<Object>> reply) {
    try {
      return redis.timer().newTimeout(t -> reply.completeExceptionally(new TimeoutException("no reply")),
          redis.timeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      reply.completeExceptionally(e);
      return null;
    }
  }

  private static void complete(CompletableFuture<List<Object>> reply, List<Object> r, Throwable e) {
    if (e != null) {
      reply.completeExceptionally(e);
    } else {
      reply.complete(r);
    }
  }

  /** @param sentOn the connection the call went on: a timeout or a shifted reply replaces it, not a later one */
  private void deliver(List<Pending> batch, List<Object> reply, Throwable e, String nonce, Object sentOn) {
    RuntimeException failure = null;
    if (e instanceof UsageStorageException typed) {
      failure = typed; // already says what it means (an error reply not believed: RedisScripts.notInStep)
    } else if (e != null) {
      failure = RedisScripts.failed(redis, "consume", e, sentOn);
    } else if (!RedisScripts.carries(reply, nonce)) {
      failure = RedisScripts.anotherCommandsReply(redis, "consume", sentOn);
    }
    if (failure != null) {
      for (Pending p : batch) {
        p.answer().completeExceptionally(failure);
      }
      return;
    }
    List<List<Object>> answers;
    try {
      answers = answers(reply.subList(0, reply.size() - 1), batch.size());
    } catch (RuntimeException bad) {
      UsageStorageException unknown = new UsageStorageException("Redis answered consume with a reply this version"
          + " cannot read; it may or may not have been applied (outcome unknown): " + bad.getMessage(), bad);
      for (Pending p : batch) {
        p.answer().completeExceptionally(unknown);
      }
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).answer().complete(answers.get(i));
    }
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  /**
   * The call's arguments after the command: the script (its SHA or its text), the number of keys and the keys
   * of every consume; then the number of consumes, each one's key and argument counts, the arguments of every
   * consume, and the nonce (see {@link RedisScripts#withNonce}).
   */
  private static BulkArgs callArgs(String script, List<Pending> batch, String nonce) {
    int nk = 0;
    String[] counts = new String[1 + 2 * batch.size()];
    counts[0] = Integer.toString(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      nk += p.keyCount();
      counts[1 + 2 * i] = Integer.toString(p.keyCount());
      counts[2 + 2 * i] = Integer.toString(p.argCount());
    }
    BulkArgs out = new BulkArgs().addText(script, Integer.toString(nk));
    for (Pending p : batch) {
      out.addEncoded(p.keys(), p.keyCount());
    }
    out.addText(counts);
    for (Pending p : batch) {
      out.addEncoded(p.args(), p.argCount());
    }
    return out.addText(nonce);
  }

  /** Splits the script's reply (without its nonce) into the answers of {@code m} consumes. */
  private static List<List<Object>> answers(List<Object> reply, int m) {
    List<List<Object>> out = new ArrayList<>(m);
    int i = 0;
    for (int j = 0; j < m; j++) {
      int len = (int) RedisScripts.number(reply.get(i));
      out.add(reply.subList(i + 1, i + 1 + len));
      i += 1 + len;
    }
    if (i != reply.size()) {
      throw new IllegalStateException("unexpected consume script reply of " + reply.size() + " elements for " + m
          + " consumes");
    }
    return out;
  }
}
