package dev.usage.memory;

import dev.usage.internal.Checks;
import dev.usage.spi.NotificationKey;
import dev.usage.spi.NotificationLedger;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Notifications claimed in this JVM: once per key within one process. Entries past their {@code keepUntil} are
 * forgotten every 10,000 claims. Thread-safe.
 */
public final class InMemoryNotificationLedger implements NotificationLedger {

  private static final int SWEEP_EVERY = 10_000;

  private final Map<NotificationKey, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong claims = new AtomicLong();

  @Override
  public boolean claim(NotificationKey key, String claimant, Instant at, Instant keepUntil) {
    NotificationLedger.checkClaim(key, claimant, at, keepUntil);
    Entry e = entries.compute(key, (k, old) -> old != null && old.keepUntil.isAfter(at) ? old
        : new Entry(claimant, keepUntil));
    if (claims.incrementAndGet() % SWEEP_EVERY == 0) {
      entries.values().removeIf(old -> !old.keepUntil.isAfter(at));
    }
    return e.claimant.equals(claimant);
  }

  @Override
  public void withdraw(NotificationKey key) {
    entries.remove(Checks.notNull("key", key));
  }

  @Override
  public boolean claimed(NotificationKey key) {
    return entries.containsKey(Checks.notNull("key", key));
  }

  private record Entry(String claimant, Instant keepUntil) {}
}
