package dev.usage.memory;

import dev.usage.PeriodUsage;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import dev.usage.spi.PeriodHistoryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Period history in this JVM's heap. Thread-safe. */
public final class InMemoryPeriodHistoryStore implements PeriodHistoryStore {

  private record Key(QuotaType type, QuotaPeriod period, Instant periodStart) {}

  private final ConcurrentMap<String, ConcurrentMap<Key, PeriodUsage>> rows = new ConcurrentHashMap<>();

  @Override
  public List<PeriodUsage> close(List<PeriodUsage> batch) {
    List<PeriodUsage> stored = new ArrayList<>();
    for (PeriodUsage row : batch) {
      ConcurrentMap<Key, PeriodUsage> user = rows.computeIfAbsent(row.userId(), k -> new ConcurrentHashMap<>());
      if (user.putIfAbsent(new Key(row.type(), row.period(), row.periodStart()), row) == null) {
        stored.add(row);
      }
    }
    return stored;
  }

  @Override
  public List<PeriodUsage> history(String userId) {
    ConcurrentMap<Key, PeriodUsage> user = rows.get(userId);
    if (user == null) {
      return List.of();
    }
    return user.values().stream()
        .sorted(PeriodHistoryStore.OLDEST_FIRST)
        .toList();
  }
}
