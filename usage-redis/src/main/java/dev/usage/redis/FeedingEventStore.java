package dev.usage.redis;

import dev.usage.QuotaType;
import dev.usage.SystemUsage;
import dev.usage.UsageEvent;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An event log kept elsewhere (PostgreSQL, say) whose new events are also published to the Redis live feed, so
 * that in the composite set-up every instance's dashboard still sees every instance's traffic. Everything else
 * is the other log's.
 *
 * <p>The feed never carries a duplicate, and the other log tells only how many of a batch were new, not which:
 * a batch is published when all of its events were new (the usual case), and not at all when none or only some
 * were (a batch appended again after a failure, which the feed may then miss, as with the Redis event log).
 * Publication is best effort, as there: a failure is logged and the append still succeeds.
 */
final class FeedingEventStore implements EventStore {

  private static final Logger log = LoggerFactory.getLogger(FeedingEventStore.class);

  private final EventStore eventLog;
  private final RedisLiveFeed feed;

  FeedingEventStore(EventStore eventLog, RedisLiveFeed feed) {
    this.eventLog = eventLog;
    this.feed = feed;
  }

  @Override
  public int append(List<UsageEvent> events) {
    int fresh = eventLog.append(events);
    if (fresh == events.size()) {
      List<RedisEventStore.Appended> published = new ArrayList<>(fresh);
      for (UsageEvent e : events) {
        published.add(new RedisEventStore.Appended(e.userId(), e.eventId(), true,
            new EventCodec.Stored(TimeBuckets.floorMicros(e.occurredAt()), e.success(), e.quantities(), e.feature(),
                e.endpoint(), e.errorCode())));
      }
      feed.publish(published);
    } else if (fresh > 0) {
      log.debug("{} of a batch of {} events were new; which ones is not known, so none is published to the live"
          + " feed", fresh, events.size());
    }
    return fresh;
  }

  @Override
  public SystemUsage systemUsage(Instant from, Instant to) {
    return eventLog.systemUsage(from, to);
  }

  @Override
  public Map<QuotaType, Long> userTotals(String userId, Instant from, Instant to) {
    return eventLog.userTotals(userId, from, to);
  }

  @Override
  public Optional<EventAnalytics> analytics() {
    return eventLog.analytics();
  }
}
