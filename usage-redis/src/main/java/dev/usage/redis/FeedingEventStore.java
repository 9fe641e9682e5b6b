package dev.usage.redis;

import dev.usage.UsageEvent;
import dev.usage.spi.EventStore;
import dev.usage.spi.ForwardingEventStore;
import java.util.List;

/**
 * An event log kept elsewhere (PostgreSQL, say) whose new events are also published to the Redis live feed, so
 * that in the composite set-up every instance's dashboard still sees every instance's traffic. Everything else
 * is the other log's.
 *
 * <p>The other log tells how many of a batch were new, not which: a batch with at least one new event is
 * published whole (the first of each id), and a batch with none is not (one appended again after a failure,
 * which the feed then misses, as with the Redis event log). An event recorded again in a batch with new events
 * (a replayed consume records its event again) is so published twice, under the same id. Publication does not
 * wait for Redis and is best effort: a failure is logged and the append has succeeded all the same.
 */
final class FeedingEventStore extends ForwardingEventStore {

  private final RedisLiveFeed feed;

  FeedingEventStore(EventStore eventLog, RedisLiveFeed feed) {
    super(eventLog);
    this.feed = feed;
  }

  @Override
  public int append(List<UsageEvent> events) {
    int fresh = super.append(events);
    if (fresh > 0) {
      feed.publishLater(events);
    }
    return fresh;
  }
}
