package dev.usage.redis;

import dev.usage.InvalidUsageException;
import dev.usage.QuotaType;
import dev.usage.SystemUsage;
import dev.usage.UsageEvent;
import dev.usage.spi.EventStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The event log on Redis (standalone or Cluster), exact for any range, with live rollups.
 *
 * <p><b>Append</b> runs in two steps, each a Lua script on a single slot (see {@link RedisKeys} for the keys):
 * <ol>
 *   <li>per user, one script stores each event unless the user already has its id (the first version is kept,
 *       a duplicate within the batch too) and counts the new ones in the user's hourly and daily rollups; it
 *       answers, for every event, whether it was new and the version stored;</li>
 *   <li>per UTC hour, one script adds the stored version of every event of the batch, new or not, to that
 *       hour's system-wide totals, distinct users and event refs; adding a ref that is there already changes
 *       nothing, so the step is idempotent per (user, event id), and appending a batch again after a failure
 *       between the steps completes the system-wide data. The batch's hours are first added to the index of hours
 *       (one script, which also drops the hours past the retention).</li>
 * </ol>
 * The new events are then published to the live feed, when there is one (best effort: a feed failure is
 * logged, and a retried batch publishes nothing, its events being known by then).
 *
 * <p><b>Queries</b> read the rollups of the hours fully inside the range (found through the hour indexes, so
 * {@code EPOCH..MAX} costs what is stored, not what the range spans) and the individual events of the partial
 * hours at its edges. Instants are kept in microseconds (sub-microsecond parts are dropped, as PostgreSQL
 * does); events must occur before 2255-06-05 (2^53 microseconds), range bounds may be anything.
 *
 * <p><b>Retention.</b> Every key an append writes gets a TTL of the retention (35 days by default), set in
 * the script and refreshed by every append that touches it, so rollup buckets and system-wide hours nobody
 * writes to any more expire. A user who keeps appending keeps their event log alive; each append drops (up to
 * 256 of) the user's events older than the retention before the batch's newest event, never the batch's own,
 * so the log stays bounded. An id dropped that way counts again if it is appended again (as after a purge of
 * raw events in SQL): its event is in the log once more, and the user's hourly and daily rollup buckets, which
 * do not forget the events dropped from the log, count it twice while they live.
 *
 * <p>Thread-safe. Every Redis failure is a {@link dev.usage.UsageStorageException}; after one, none, some or
 * all of the batch may be stored and appending it again is safe.
 */
public final class RedisEventStore implements EventStore {

  /** The retention used when none is configured. */
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(35);
  /** Events per script run: bounds one script's run time and argument count. */
  static final int CHUNK = 500;

  static final RedisScripts.Script APPEND = RedisScripts.script("append_events");
  static final RedisScripts.Script SYSTEM = RedisScripts.script("system_events");
  static final RedisScripts.Script INDEX_HOURS = RedisScripts.script("index_hours");
  static final RedisScripts.Script USER_TOTALS = RedisScripts.script("user_totals");

  /** One event as the per-user step left it. */
  record Appended(String userId, String eventId, boolean fresh, EventCodec.Stored stored) {}

  private final RedisConnector redis;
  private final RedisKeys keys;
  private final String ttl;
  private final long retentionMicros;
  private final Optional<RedisLiveFeed> feed;
  private final RedisSystemUsage system;

  RedisEventStore(RedisConnector redis, RedisKeys keys, Duration retention) {
    this(redis, keys, retention, Optional.empty());
  }

  RedisEventStore(RedisConnector redis, RedisKeys keys, Duration retention, Optional<RedisLiveFeed> feed) {
    if (retention.isNegative() || retention.toMillis() < 1) {
      throw new IllegalArgumentException("retention must be at least 1 ms, was " + retention);
    }
    this.redis = redis;
    this.keys = keys;
    this.ttl = Long.toString(retention.toMillis());
    this.retentionMicros = retention.toMillis() * 1_000L;
    this.feed = feed;
    this.system = new RedisSystemUsage(redis, keys);
  }

  @Override
  public int append(List<UsageEvent> events) {
    if (events.isEmpty()) {
      return 0;
    }
    List<Appended> all = userStep(events);
    systemStep(all);
    List<Appended> fresh = all.stream().filter(Appended::fresh).toList();
    feed.ifPresent(f -> f.publish(fresh));
    return fresh.size();
  }

  /** The first step of {@link #append}: the per-user scripts. Visible for tests that interrupt an append. */
  List<Appended> userStep(List<UsageEvent> events) {
    for (UsageEvent e : events) {
      if (TimeBuckets.floorMicros(e.occurredAt()) >= TimeBuckets.MAX_MICROS) {
        throw new InvalidUsageException("occurredAt", "must be before " + TimeBuckets.instant(TimeBuckets.MAX_MICROS)
            + " to be stored in Redis, was " + e.occurredAt());
      }
    }
    Map<String, List<Integer>> byUser = new LinkedHashMap<>();
    for (int i = 0; i < events.size(); i++) {
      byUser.computeIfAbsent(events.get(i).userId(), u -> new ArrayList<>()).add(i);
    }
    // in the batch's order, so that the live feed publishes in it
    Appended[] out = new Appended[events.size()];
    long now = redis.redisNowMicros();
    for (Map.Entry<String, List<Integer>> user : byUser.entrySet()) {
      List<Integer> at = user.getValue();
      // the user's events older than the retention before their newest in the batch leave the log, never the
      // batch's own (a backfill spanning more than the retention keeps what it brought): one cutoff for all the
      // user's chunks, so that a later chunk does not drop an earlier one's
      long newest = Long.MIN_VALUE;
      long oldest = Long.MAX_VALUE;
      for (int i : at) {
        long micros = TimeBuckets.floorMicros(events.get(i).occurredAt());
        newest = Math.max(newest, micros);
        oldest = Math.min(oldest, micros);
      }
      // never counted from later than now: an event stamped ahead (up to a day is accepted) would otherwise drop
      // the user's events of the last hours that are still within the retention
      String cutoff = Long.toString(Math.min(Math.min(newest, now) - retentionMicros, oldest));
      for (int i = 0; i < at.size(); i += CHUNK) {
        List<Integer> chunk = at.subList(i, Math.min(at.size(), i + CHUNK));
        List<Appended> done = appendUser(user.getKey(), cutoff, chunk.stream().map(events::get).toList());
        for (int j = 0; j < chunk.size(); j++) {
          out[chunk.get(j)] = done.get(j);
        }
      }
    }
    return List.of(out);
  }

  private List<Appended> appendUser(String userId, String cutoff, List<UsageEvent> events) {
    String user = keys.user(userId);
    List<String> k = new ArrayList<>(List.of(keys.eventTimes(user), keys.events(user), keys.hourIndex(user),
        keys.dayIndex(user)));
    Map<String, Integer> rollups = new LinkedHashMap<>();
    List<String> a = new ArrayList<>(2 + 11 * events.size());
    a.add(ttl);
    a.add(cutoff);
    for (UsageEvent e : events) {
      long micros = TimeBuckets.floorMicros(e.occurredAt());
      long hour = TimeBuckets.hourOf(micros);
      long day = TimeBuckets.dayOf(micros);
      String hourLabel = TimeBuckets.hourLabel(hour);
      String dayLabel = TimeBuckets.dayLabel(day);
      int hk = rollups.computeIfAbsent(keys.hourRollup(user, hourLabel), key -> 5 + rollups.size());
      int dk = rollups.computeIfAbsent(keys.dayRollup(user, dayLabel), key -> 5 + rollups.size());
      a.addAll(List.of(RedisKeys.encode(e.eventId()), Long.toString(micros), Integer.toString(hk),
          Integer.toString(dk), Long.toString(hour), Long.toString(day), hourLabel, dayLabel, e.success() ? "0" : "1",
          EventCodec.quantities(e.quantities()), EventCodec.encode(e, micros)));
    }
    k.addAll(rollups.keySet());
    List<Object> r = RedisScripts.run(redis, APPEND, "event append", k.toArray(String[]::new),
        a.toArray(String[]::new));
    List<Appended> out = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      UsageEvent e = events.get(i);
      out.add(new Appended(userId, e.eventId(), number(r.get(2 * i)) == 1, EventCodec.decode(text(r.get(2 * i + 1)))));
    }
    return out;
  }

  /** The second step of {@link #append}: the system-wide data of every event's stored version, per hour. */
  void systemStep(List<Appended> appended) {
    TreeMap<Long, Map<String, Appended>> byHour = new TreeMap<>();
    for (Appended e : appended) {
      String ref = RedisKeys.encode(e.userId()) + "|" + RedisKeys.encode(e.eventId());
      byHour.computeIfAbsent(TimeBuckets.hourOf(e.stored().micros()), h -> new LinkedHashMap<>()).putIfAbsent(ref, e);
    }
    if (byHour.isEmpty()) {
      return;
    }
    // the batch's hours are indexed first: an hour holding data is always in the index, whatever fails after.
    // Hours older than the retention before the batch's newest event leave the index, never the batch's own (as
    // the users' indexes in append_events.lua): the hour of the instant a retention before the newest event, so
    // that an hour still holding a live event stays whatever the retention (not only whole hours)
    // (and never from later than now: an event stamped ahead would drop every user's hours still in the retention)
    long newest = Math.min(appended.stream().mapToLong(e -> e.stored().micros()).max().orElseThrow(),
        redis.redisNowMicros());
    long cutoff = Math.min(TimeBuckets.hourOf(newest - retentionMicros), byHour.firstKey());
    List<String> index = new ArrayList<>(2 + 2 * byHour.size());
    index.add(ttl);
    index.add(Long.toString(cutoff));
    byHour.keySet().forEach(h -> {
      index.add(Long.toString(h));
      index.add(TimeBuckets.hourLabel(h));
    });
    RedisScripts.run(redis, INDEX_HOURS, "event append (hour index)", new String[] {keys.systemHours()},
        index.toArray(String[]::new));
    for (Map.Entry<Long, Map<String, Appended>> hour : byHour.entrySet()) {
      String s = keys.systemHour(TimeBuckets.hourLabel(hour.getKey()));
      String[] k = {s + "t", s + "u", s + "r", s + "e"};
      List<Map.Entry<String, Appended>> refs = new ArrayList<>(hour.getValue().entrySet());
      for (int i = 0; i < refs.size(); i += CHUNK) {
        List<Map.Entry<String, Appended>> chunk = refs.subList(i, Math.min(refs.size(), i + CHUNK));
        List<String> a = new ArrayList<>(1 + 5 * chunk.size());
        a.add(ttl);
        for (Map.Entry<String, Appended> ref : chunk) {
          EventCodec.Stored st = ref.getValue().stored();
          a.addAll(List.of(ref.getKey(), Long.toString(st.micros()), RedisKeys.encode(ref.getValue().userId()),
              st.success() ? "0" : "1", EventCodec.quantities(st.quantities())));
        }
        RedisScripts.run(redis, SYSTEM, "event append (system totals)", k, a.toArray(String[]::new));
      }
    }
  }

  @Override
  public SystemUsage systemUsage(Instant from, Instant to) {
    return system.usage(from, to);
  }

  @Override
  public Map<QuotaType, Long> userTotals(String userId, Instant from, Instant to) {
    Map<QuotaType, Long> totals = new TreeMap<>();
    long f = TimeBuckets.floorMicros(from);
    long t = TimeBuckets.floorMicros(to);
    if (f >= t) {
      return totals;
    }
    String user = keys.user(userId);
    long firstHour = TimeBuckets.ceilDiv(f, TimeBuckets.HOUR);
    long endHour = Math.floorDiv(t, TimeBuckets.HOUR);
    List<String> a = new ArrayList<>(List.of(user));
    if (firstHour < endHour) {
      a.addAll(List.of(Long.toString(firstHour), Long.toString(endHour)));
      addRange(a, f, firstHour * TimeBuckets.HOUR);
      addRange(a, endHour * TimeBuckets.HOUR, t);
    } else {
      a.addAll(List.of("0", "0"));
      addRange(a, f, t);
    }
    List<Object> r = RedisScripts.run(redis, USER_TOTALS, "user totals",
        new String[] {keys.eventTimes(user), keys.events(user), keys.hourIndex(user)}, a.toArray(String[]::new));
    for (Object hour : (List<?>) r.get(0)) {
      EventCodec.addTotals(pairs((List<?>) hour), totals);
    }
    for (Object event : (List<?>) r.get(1)) {
      EventCodec.decode(text(event)).quantities().forEach((type, n) -> totals.merge(type, n, Math::addExact));
    }
    return totals;
  }

  private static void addRange(List<String> a, long from, long to) {
    if (from < to) {
      a.add(Long.toString(from));
      a.add(Long.toString(to));
    }
  }

  /** A flat field, value, field, value... reply as a map. */
  static Map<String, String> pairs(List<?> flat) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      out.put(text(flat.get(i)), text(flat.get(i + 1)));
    }
    return out;
  }

  static String text(Object o) {
    return o instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(o);
  }

  private static long number(Object o) {
    return o instanceof Long l ? l : Long.parseLong(text(o));
  }
}
