package dev.usage.memory;

import dev.usage.spi.ConsumeCommand;
import dev.usage.spi.ConsumeOutcome;
import dev.usage.spi.CounterKey;
import dev.usage.spi.CounterPage;
import dev.usage.spi.CounterStore;
import dev.usage.spi.CounterValue;
import dev.usage.spi.SettleCommand;
import dev.usage.spi.SettleOutcome;
import dev.usage.spi.StoredCounter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counters in this JVM's heap. Each user's state sits behind its own monitor, so commands for different
 * users never contend and commands for one user are applied one at a time. Thread-safe; lost when the
 * process ends.
 */
public final class InMemoryCounterStore implements CounterStore {

  private final ConcurrentHashMap<String, UserCounters> users = new ConcurrentHashMap<>();

  private UserCounters user(String userId) {
    UserCounters u = users.get(userId);
    return u != null ? u : users.computeIfAbsent(userId, k -> new UserCounters());
  }

  @Override
  public ConsumeOutcome consume(ConsumeCommand command) {
    UserCounters u = user(command.userId());
    synchronized (u) {
      return u.consume(command);
    }
  }

  @Override
  public SettleOutcome commit(SettleCommand command) {
    UserCounters u = user(command.userId());
    synchronized (u) {
      return u.commit(command);
    }
  }

  @Override
  public SettleOutcome release(SettleCommand command) {
    UserCounters u = user(command.userId());
    synchronized (u) {
      return u.release(command);
    }
  }

  @Override
  public CounterPage scan(Optional<String> cursor, int limit, Instant now) {
    // a page ends after the user whose counters pass the limit; the cursor is that user's id
    List<String> ids = new ArrayList<>(users.keySet());
    Collections.sort(ids);
    int from = cursor.map(c -> {
      int i = Collections.binarySearch(ids, c);
      return i >= 0 ? i + 1 : -i - 1;
    }).orElse(0);
    List<StoredCounter> page = new ArrayList<>();
    for (int i = from; i < ids.size(); i++) {
      UserCounters u = users.get(ids.get(i));
      synchronized (u) {
        page.addAll(u.scan(ids.get(i), now));
      }
      if (page.size() >= limit && i + 1 < ids.size()) {
        return new CounterPage(page, Optional.of(ids.get(i)));
      }
    }
    return new CounterPage(page, Optional.empty());
  }

  @Override
  public List<CounterValue> read(String userId, List<CounterKey> keys, Instant now) {
    UserCounters u = users.get(userId);
    if (u == null) {
      return keys.stream().map(CounterValue::empty).toList();
    }
    synchronized (u) {
      return u.read(keys, now);
    }
  }
}
