package dev.usage.jdbc;

import dev.usage.internal.Checks;
import dev.usage.spi.NotificationKey;
import dev.usage.spi.NotificationLedger;
import java.time.Instant;
import java.util.Optional;

/**
 * Notifications claimed, in {@code usage_notifications}: one row per (user, quota type, kind, threshold,
 * period start), its primary key, inserted unless present, so of concurrent claimers in any number of
 * processes exactly one stores it. The {@code channel} column holds the claimant, so a claim repeated
 * after its answer was lost still knows it was its own; {@code sent_at} holds when it was claimed.
 * Rows are kept (a few per user and period); {@code keepUntil} is not stored. Thread-safe.
 */
final class JdbcNotificationLedger implements NotificationLedger {

  private static final String KEY = "user_id = ? AND quota_type = ? AND kind = ? AND threshold = ? AND period_start = ?";

  private final Db db;

  JdbcNotificationLedger(Db db) {
    this.db = db;
  }

  @Override
  public boolean claim(NotificationKey key, String claimant, Instant at, Instant keepUntil) {
    NotificationLedger.checkClaim(key, claimant, at, keepUntil);
    String insert = db.insertIgnoring("usage_notifications (user_id, quota_type, kind, threshold, period_start,"
        + " channel, sent_at)", "VALUES (?, ?, ?, ?, ?, ?, ?)");
    return db.autocommit("claim notification", true, h -> db.insertIfAbsent(h, insert, key.userId(), key.quotaType(),
        key.kind().name(), key.threshold(), key.periodStart(), claimant, at)
        // a claim repeated after a lost answer finds its own row
        || claimant.equals(owner(h, key).orElse("")));
  }

  private Optional<String> owner(org.jdbi.v3.core.Handle h, NotificationKey key) {
    return db.bind(h.createQuery("SELECT channel FROM usage_notifications WHERE " + KEY), key.userId(),
        key.quotaType(), key.kind().name(), key.threshold(), key.periodStart()).mapTo(String.class).findOne();
  }

  @Override
  public void withdraw(NotificationKey key) {
    Checks.notNull("key", key);
    db.autocommit("withdraw notification", true, h -> db.update(h, "DELETE FROM usage_notifications WHERE " + KEY,
        key.userId(), key.quotaType(), key.kind().name(), key.threshold(), key.periodStart()));
  }

  @Override
  public boolean claimed(NotificationKey key) {
    Checks.notNull("key", key);
    return db.autocommit("read notification", true, h -> owner(h, key).isPresent());
  }
}
