package dev.usage.redis;

import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import dev.usage.UsageStorageException;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live feed: Redis Streams shared by every instance on the same Redis, so a dashboard on any instance
 * sees the traffic of all of them.
 * <ul>
 *   <li>{@code <prefix>:live:events}: each new event, published after the event log stored it: the Redis one
 *       ({@link RedisEventStore}) or another store's ({@link RedisUsageStorage.Builder#events}). Fields
 *       {@code user}, {@code eventId}, {@code occurredAt} in microseconds, {@code feature}, {@code quantities} as
 *       {@code type=amount,...}, {@code success} as 1 or 0. With the Redis event log a duplicate is never
 *       published; with another store's, an event recorded again (a replayed consume, say) in a batch that also
 *       holds new events is published again, under the same {@code eventId}. Publication is best effort (a
 *       failure is logged, the append still succeeds, and the event is not published later).</li>
 *   <li>{@code <prefix>:live:quota}: quota standings given to {@link #publishQuotaChange} (fields
 *       {@code user}, {@code type}, {@code used}, {@code limit}).</li>
 * </ul>
 * Both streams are capped near their newest {@code maxLength} entries ({@code XADD MAXLEN ~}).
 *
 * <p>Thread-safe. {@link #close()} waits, at most the command timeout, for the publications sent without
 * waiting, then ends every subscription made through this feed; the shared connection belongs to the storage
 * and stays open. Close the engine first, so that its last events are among those waited for.
 */
public final class RedisLiveFeed implements AutoCloseable {

  /** Entries kept per stream when not configured. */
  public static final int DEFAULT_MAX_LENGTH = 10_000;

  private static final Logger log = LoggerFactory.getLogger(RedisLiveFeed.class);

  private final RedisConnector redis;
  private final RedisKeys keys;
  private final XAddArgs trim;
  private final Supplier<RedisConnector> connections;
  private final List<StreamFollower<?>> followers = new CopyOnWriteArrayList<>();
  /** Publications sent without waiting that Redis has not answered yet: {@link #close()} waits for them. */
  private final Set<CompletableFuture<?>> unanswered = ConcurrentHashMap.newKeySet();
  /** Set by {@link #close()}; guarded by {@code this}, with the adding to and emptying of {@link #followers}. */
  private boolean closed;

  /**
   * @param connections opens a new connection to the same Redis for each subscription, closed with it
   */
  RedisLiveFeed(RedisConnector redis, RedisKeys keys, int maxLength, Supplier<RedisConnector> connections) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be positive, was " + maxLength);
    }
    this.redis = redis;
    this.keys = keys;
    this.trim = XAddArgs.Builder.maxlen(maxLength).approximateTrimming(true);
    this.connections = connections;
  }

  /** Publishes newly stored events, pipelined; failures are logged (see the class comment). */
  void publish(List<RedisEventStore.Appended> fresh) {
    if (fresh.isEmpty()) {
      return;
    }
    try {
      List<RedisFuture<String>> sent = new ArrayList<>(fresh.size());
      for (RedisEventStore.Appended e : fresh) {
        sent.add(redis.async().xadd(keys.liveEvents(), trim, eventBody(e.userId(), e.eventId(), e.stored().micros(),
            e.stored().feature(), e.stored().quantities(), e.stored().success())));
      }
      for (RedisFuture<String> f : sent) {
        RedisScripts.await(redis, f, "live feed publication");
      }
    } catch (UsageStorageException | RedisException e) {
      log.warn("Publishing {} new events to the live feed failed; they are stored but not in the feed",
          fresh.size(), e);
    }
  }

  /**
   * Publishes events stored by an event log elsewhere ({@link FeedingEventStore}), pipelined in their order, the
   * first of each id only, without waiting: the log's writer must not wait for the feed. A failure is logged
   * (once when sending stops midway, once when one or more sent publications fail) and the events it
   * concerns are not published.
   */
  void publishLater(List<UsageEvent> events) {
    Set<String> ids = new HashSet<>();
    List<CompletableFuture<String>> sent = new ArrayList<>(events.size());
    try {
      for (UsageEvent e : events) {
        if (ids.add(e.userId() + '\n' + e.eventId())) {
          Map<String, String> body = eventBody(e.userId(), e.eventId(), TimeBuckets.floorMicros(e.occurredAt()),
              e.feature(), e.quantities(), e.success());
          sent.add(redis.async().xadd(keys.liveEvents(), trim, body).toCompletableFuture());
        }
      }
    } catch (RedisException e) {
      log.warn("Publishing stored events to the live feed stopped after {} were sent: {}", sent.size(),
          e.toString());
    }
    // those sent before a failure are on their way too: close() waits for them
    later(CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)),
        e -> log.warn("Publishing stored events to the live feed failed for one or more of {}: {}", sent.size(),
            e.toString()));
  }

  /** Keeps {@code sent} among the unanswered publications until it completes; {@code failed} if it fails. */
  private void later(CompletableFuture<?> sent, Consumer<Throwable> failed) {
    unanswered.add(sent);
    sent.whenComplete((done, e) -> {
      unanswered.remove(sent);
      if (e != null) {
        failed.accept(e);
      }
    });
  }

  private static Map<String, String> eventBody(String userId, String eventId, long micros, String feature,
      Map<QuotaType, Long> quantities, boolean success) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("user", userId);
    body.put("eventId", eventId);
    body.put("occurredAt", Long.toString(micros));
    body.put("feature", feature);
    body.put("quantities", EventCodec.quantities(quantities));
    body.put("success", success ? "1" : "0");
    return body;
  }

  private static Map<String, String> quotaBody(String userId, QuotaType type, long used, long limit) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("user", userId);
    body.put("type", type.name());
    body.put("used", Long.toString(used));
    body.put("limit", Long.toString(limit));
    return body;
  }

  /**
   * Publishes a user's quota standing to {@code <prefix>:live:quota}.
   *
   * @throws UsageStorageException when Redis fails
   */
  public void publishQuotaChange(String userId, QuotaType type, long used, long limit) {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(type, "type");
    try {
      redis.sync().xadd(keys.liveQuota(), trim, quotaBody(userId, type, used, limit));
    } catch (RedisException e) {
      throw RedisScripts.failure("quota change publication", e);
    }
  }

  /**
   * As {@link #publishQuotaChange}, without waiting: for the engine's listener thread
   * ({@link QuotaChangePublisher}), which must not wait for Redis. A failure is logged and the standing is not
   * published.
   */
  void publishQuotaChangeLater(String userId, QuotaType type, long used, long limit) {
    try {
      later(redis.async().xadd(keys.liveQuota(), trim, quotaBody(userId, type, used, limit)).toCompletableFuture(),
          e -> log.warn("Publishing a quota change of user {} to the live feed failed: {}", userId, e.toString()));
    } catch (RedisException e) {
      log.warn("Publishing a quota change of user {} to the live feed failed: {}", userId, e.toString());
    }
  }

  /**
   * Delivers every event published after this method returns, from every instance, in stream order, to
   * {@code listener}, on a thread and connection of the subscription's own. An entry this version cannot read is
   * logged and skipped; an exception thrown by the listener is logged and delivery goes on; an {@link Error}
   * thrown by it is logged and ends the subscription.
   *
   * @return the subscription; closing it stops delivery and closes its connection
   * @throws UsageStorageException when Redis cannot be reached
   */
  public AutoCloseable subscribe(Consumer<LiveUsageEvent> listener) {
    return follow(keys.liveEvents(), RedisLiveFeed::event, listener);
  }

  /** As {@link #subscribe}, for the quota changes. */
  public AutoCloseable subscribeQuotaChanges(Consumer<LiveQuotaChange> listener) {
    return follow(keys.liveQuota(), RedisLiveFeed::quotaChange, listener);
  }

  /**
   * The newest {@code n} events still in the stream, newest first. An entry this version cannot read (written by
   * hand, or by another version) is logged and left out, so fewer than {@code n} may come back.
   *
   * @throws UsageStorageException when Redis fails
   */
  public List<LiveUsageEvent> recent(int n) {
    return newest(keys.liveEvents(), n, RedisLiveFeed::event);
  }

  /** As {@link #recent}, for the quota changes. */
  public List<LiveQuotaChange> recentQuotaChanges(int n) {
    return newest(keys.liveQuota(), n, RedisLiveFeed::quotaChange);
  }

  /**
   * Ends every subscription made through this feed (later subscriptions are refused), after waiting, at most
   * the command timeout, for the publications sent without waiting (the last events an engine wrote as it
   * closed, say) to be answered, so that closing the storage does not drop them.
   */
  @Override
  public void close() {
    CompletableFuture<?>[] waiting = unanswered.toArray(CompletableFuture[]::new);
    if (waiting.length > 0) {
      try {
        CompletableFuture.allOf(waiting).get(Math.max(0, redis.giveUpAt() - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // each failure is logged by its own publication; one still unanswered is dropped with the connection
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<StreamFollower<?>> ending;
    synchronized (this) {
      closed = true;
      ending = List.copyOf(followers);
      followers.clear();
    }
    ending.forEach(StreamFollower::close);
  }

  /**
   * A subscription on a connection and thread of its own, ended by {@link #close()} even when it was being
   * made meanwhile.
   *
   * @throws IllegalStateException when the feed is closed
   * @throws UsageStorageException when Redis cannot be reached
   */
  private <T> AutoCloseable follow(String key, Function<StreamMessage<String, String>, T> parse,
      Consumer<? super T> listener) {
    Objects.requireNonNull(listener, "listener");
    refuseIfClosed();
    RedisConnector connection;
    try {
      connection = connections.get();
    } catch (RedisException e) {
      throw RedisScripts.failure("live feed subscription", e);
    }
    StreamFollower<T> follower = new StreamFollower<>(connection, key, parse, listener);
    synchronized (this) {
      if (!closed) {
        followers.add(follower);
        return () -> {
          followers.remove(follower);
          follower.close();
        };
      }
    }
    follower.close(); // the feed was closed while this one was being made
    throw closedFeed();
  }

  private synchronized void refuseIfClosed() {
    if (closed) {
      throw closedFeed();
    }
  }

  private static IllegalStateException closedFeed() {
    return new IllegalStateException("the live feed is closed (its storage was closed)");
  }

  private <T> List<T> newest(String key, int n, Function<StreamMessage<String, String>, T> parse) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative, was " + n);
    }
    if (n == 0) {
      return List.of();
    }
    List<StreamMessage<String, String>> read;
    try {
      read = redis.sync().xrevrange(key, Range.unbounded(), Limit.from(n));
    } catch (RedisException e) {
      throw RedisScripts.failure("live feed read", e);
    }
    List<T> out = new ArrayList<>(read.size());
    for (StreamMessage<String, String> m : read) {
      try {
        out.add(parse.apply(m));
      } catch (RuntimeException e) {
        log.warn("Skipping entry {} of the live feed {}: it is not an entry this version can read ({})", m.getId(),
            key, e.toString());
      }
    }
    return out;
  }

  private static LiveUsageEvent event(StreamMessage<String, String> m) {
    Map<String, String> b = m.getBody();
    return new LiveUsageEvent(m.getId(), b.get("user"), b.get("eventId"),
        TimeBuckets.instant(Long.parseLong(b.get("occurredAt"))), b.get("feature"),
        EventCodec.quantities(b.get("quantities")), "1".equals(b.get("success")));
  }

  private static LiveQuotaChange quotaChange(StreamMessage<String, String> m) {
    Map<String, String> b = m.getBody();
    long millis = Long.parseLong(m.getId().substring(0, m.getId().indexOf('-')));
    return new LiveQuotaChange(m.getId(), b.get("user"), QuotaType.of(b.get("type")), Long.parseLong(b.get("used")),
        Long.parseLong(b.get("limit")), java.time.Instant.ofEpochMilli(millis));
  }
}
