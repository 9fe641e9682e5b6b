package dev.usage.redis;

import dev.usage.QuotaChange;
import dev.usage.QuotaStatus;
import dev.usage.UsageListener;

/**
 * Publishes the engine's quota changes to the live feed ({@link RedisUsageStorage.Builder#publishQuotaChanges}):
 * one entry per quota of a change that moved something (every kind but {@link QuotaChange.Kind#DENIED}), with
 * the standing the engine reports, as {@link dev.usage.QuotaManagementService#getQuotaStatus} would: a quota's
 * limit with what was carried into the period, and its use since an admin reset. Runs on the engine's listener
 * thread, without waiting for Redis.
 */
final class QuotaChangePublisher implements UsageListener {

  private final RedisLiveFeed feed;

  QuotaChangePublisher(RedisLiveFeed feed) {
    this.feed = feed;
  }

  @Override
  public void onQuotaChange(QuotaChange change) {
    if (change.kind() == QuotaChange.Kind.DENIED) {
      return;
    }
    for (QuotaStatus s : change.statuses()) {
      feed.publishQuotaChangeLater(change.userId(), s.type(), s.used() + s.reserved(), s.limit());
    }
  }
}
