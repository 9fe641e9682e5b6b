package dev.usage.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription to a stream of the live feed: a daemon thread with a connection of its own (a blocking
 * read would hold up every other command on a shared connection) reading with {@code XREAD BLOCK}. It starts
 * after the newest entry present when it was made, so it delivers every entry added after
 * {@link RedisLiveFeed#subscribe} returned, in stream order, to one listener; entries trimmed by
 * {@code MAXLEN} before they were read are missed, and an entry this version cannot read (written by hand, or
 * by another version) is logged and skipped. A listener that throws an exception is logged and keeps its
 * subscription; one that throws an {@link Error} is logged and ends it (its thread and connection). A Redis
 * failure is logged and the read resumes from the last entry delivered.
 */
final class StreamFollower<T> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StreamFollower.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final Duration BACKOFF = Duration.ofSeconds(1);

  private final RedisConnector connection;
  private final String key;
  private final Function<StreamMessage<String, String>, T> parse;
  private final Consumer<? super T> listener;
  private final long blockMillis;
  private final Thread thread;
  private volatile boolean closed;
  private String last;

  StreamFollower(RedisConnector connection, String key, Function<StreamMessage<String, String>, T> parse,
      Consumer<? super T> listener) {
    this.connection = connection;
    this.key = key;
    this.parse = parse;
    this.listener = listener;
    // shorter than the command timeout, so that a quiet stream never looks like a dead server
    this.blockMillis = Math.max(1, Math.min(1_000, connection.timeout().toMillis() / 2));
    try {
      List<StreamMessage<String, String>> newest = connection.sync().xrevrange(key, Range.unbounded(), Limit.from(1));
      this.last = newest.isEmpty() ? "0-0" : newest.get(0).getId();
    } catch (RedisException e) {
      connection.close();
      throw RedisScripts.failure("live feed subscription", e);
    }
    this.thread = new Thread(this::run, "usage-live-feed-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (!closed) {
      List<StreamMessage<String, String>> messages;
      try {
        messages = connection.sync().xread(XReadArgs.Builder.block(blockMillis).count(500),
            XReadArgs.StreamOffset.from(key, last));
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        log.warn("Reading the live feed {} failed; retrying in {}", key, BACKOFF, e);
        try {
          Thread.sleep(BACKOFF.toMillis());
        } catch (InterruptedException interrupted) {
          if (closed) {
            return;
          }
          // not close() (which sets closed first): the subscription goes on
        }
        continue;
      }
      for (StreamMessage<String, String> m : messages) {
        last = m.getId();
        if (closed) {
          return;
        }
        T entry;
        try {
          entry = parse.apply(m);
        } catch (RuntimeException e) {
          log.warn("Skipping entry {} of the live feed {}: it is not an entry this version can read ({})", m.getId(),
              key, e.toString());
          continue;
        }
        try {
          listener.accept(entry);
          // an interrupt the listener left (its own code's, not close()'s) would fail the next read: cleared, so
          // that only close() ends the subscription
          if (Thread.interrupted() && closed) {
            return;
          }
        } catch (RuntimeException e) {
          log.warn("A live feed listener failed on entry {} of {}", m.getId(), key, e);
        } catch (Error e) {
          // not swallowed (the JVM may be in trouble), but said where the host's logs are, and the connection
          // is not left open behind a thread that ends
          log.error("A live feed listener threw {} on entry {} of {}; this subscription ends", e, m.getId(), key, e);
          closed = true;
          connection.close();
          throw e;
        }
      }
    }
  }

  /** Stops the thread (waiting up to a few seconds for it) and closes its connection. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    thread.interrupt();
    connection.close();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
