package dev.usage.example;

import dev.usage.QuotaChange;
import dev.usage.QuotaStatus;
import dev.usage.UsageEngine;
import dev.usage.UsageStorageException;
import dev.usage.example.api.LiveQuota;
import dev.usage.example.api.LiveUsageFeed;
import dev.usage.example.api.QuotaView;
import dev.usage.redis.RedisLiveFeed;
import dev.usage.redis.RedisUsageStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * With several instances on one Redis ({@code redis} profile), carries each instance's quota changes to the
 * dashboards of all of them: a change made here is published to the Redis live feed, and every instance,
 * this one included, follows the feed and pushes the user's quotas, read afresh, to the streams watching
 * that user.
 */
@Component
@Profile("redis")
public class RedisLiveRelay implements InitializingBean, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(RedisLiveRelay.class);

  private final RedisLiveFeed redis;
  private final UsageEngine engine;
  private final LiveUsageFeed feed;
  private AutoCloseable subscription;

  public RedisLiveRelay(RedisUsageStorage storage, UsageEngine engine, LiveUsageFeed feed) {
    this.redis = storage.liveFeed()
        .orElseThrow(() -> new IllegalStateException("the Redis store's live feed is switched off"));
    this.engine = engine;
    this.feed = feed;
  }

  @Override
  public void afterPropertiesSet() {
    subscription = redis.subscribeQuotaChanges(c -> {
      if (!feed.watches(c.userId())) {
        return; // nobody here watches this user: no read
      }
      try {
        feed.deliver(new LiveQuota(c.userId(), "changed",
            engine.quotas().getQuotaStatus(c.userId()).stream().map(QuotaView::of).toList(), c.publishedAt()));
      } catch (UsageStorageException e) {
        log.warn("Could not read the quotas of {} for the live feed: {}", c.userId(), e.toString());
      }
    });
    feed.relayThrough(this::publish);
  }

  private void publish(QuotaChange change) {
    if (change.statuses().isEmpty()) {
      return;
    }
    // one entry per change: the receivers read every quota of the user afresh
    QuotaStatus first = change.statuses().get(0);
    try {
      redis.publishQuotaChange(change.userId(), first.type(), first.used(), first.limit());
    } catch (UsageStorageException e) {
      log.warn("Could not publish a quota change of {} to the live feed: {}", change.userId(), e.toString());
    }
  }

  @Override
  public void destroy() throws Exception {
    subscription.close();
  }
}
