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
import java.util.function.Function;

/**
 * Counters in this JVM's heap. Each user's state sits behind its own monitor, so commands for different
 * users never contend and commands for one user are applied one at a time. A user whose state has all
 * expired is dropped by the next scan (the reset job), so idle users do not accumulate. Thread-safe; lost
 * when the process ends.
 */
public final class InMemoryCounterStore implements CounterStore {

  private final ConcurrentHashMap<String, UserCounters> users = new ConcurrentHashMap<>();

  private UserCounters user(String userId) {
    UserCounters u = users.get(userId);
    return u != null ? u : users.computeIfAbsent(userId, k -> new UserCounters());
  }

  /** Runs {@code op} on the user's live state, under its monitor. */
  private <T> T withUser(String userId, Function<UserCounters, T> op) {
    while (true) {
      UserCounters u = user(userId);
      synchronized (u) {
        if (!u.retired) {
          return op.apply(u);
        }
      }
      // dropped by a scan between the lookup and the lock: the next lookup makes a fresh state
    }
  }

  @Override
  public ConsumeOutcome consume(ConsumeCommand command) {
    // withUser, written out: every consume passes here, and a capturing lambda would be allocated for each
    while (true) {
      UserCounters u = user(command.userId());
      synchronized (u) {
        if (!u.retired) {
          return u.consume(command);
        }
      }
    }
  }

  @Override
  public SettleOutcome commit(SettleCommand command) {
    return withUser(command.userId(), u -> u.commit(command));
  }

  @Override
  public SettleOutcome release(SettleCommand command) {
    return withUser(command.userId(), u -> u.release(command));
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
      if (u == null) {
        continue;
      }
      synchronized (u) {
        page.addAll(u.scan(ids.get(i), now));
        if (u.isEmpty()) {
          u.retired = true;
          users.remove(ids.get(i), u);
        }
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
