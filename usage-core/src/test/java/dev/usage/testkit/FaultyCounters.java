package dev.usage.testkit;

import dev.usage.UsageStorageException;
import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.ConsumeCommand;
import dev.usage.spi.ConsumeOutcome;
import dev.usage.spi.CounterKey;
import dev.usage.spi.CounterPage;
import dev.usage.spi.CounterStore;
import dev.usage.spi.CounterValue;
import dev.usage.spi.SettleCommand;
import dev.usage.spi.SettleOutcome;
import dev.usage.spi.UsageStorage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The in-memory storage with a counter store whose consumes, commits or releases fail on demand, as a store that is
 * down or whose answer is lost on the way: while {@code failing} is above 0 (counted down by each such call), a call
 * fails without being applied; then, while {@code losing} is, it is applied and fails (its answer was lost).
 */
public final class FaultyCounters {

  /** The counter store calls that may fail. */
  public enum Call { CONSUME, COMMIT, RELEASE }

  private FaultyCounters() {}

  public static UsageStorage around(InMemoryUsageStorage memory, Set<Call> calls, AtomicInteger failing,
      AtomicInteger losing) {
    CounterStore counters = memory.counters();
    CounterStore faulty = new CounterStore() {
      private <T> T call(Call call, Supplier<T> work) {
        if (!calls.contains(call)) {
          return work.get();
        }
        if (failing.getAndDecrement() > 0) {
          throw new UsageStorageException("the store is down; nothing was applied");
        }
        T answer = work.get();
        if (losing.getAndDecrement() > 0) {
          throw new UsageStorageException("the answer was lost; the outcome is unknown");
        }
        return answer;
      }

      @Override
      public ConsumeOutcome consume(ConsumeCommand command) {
        return call(Call.CONSUME, () -> counters.consume(command));
      }

      @Override
      public SettleOutcome commit(SettleCommand command) {
        return call(Call.COMMIT, () -> counters.commit(command));
      }

      @Override
      public SettleOutcome release(SettleCommand command) {
        return call(Call.RELEASE, () -> counters.release(command));
      }

      @Override
      public List<CounterValue> read(String userId, List<CounterKey> keys, Instant now) {
        return counters.read(userId, keys, now);
      }

      @Override
      public CounterPage scan(Optional<String> cursor, int limit, Instant now) {
        return counters.scan(cursor, limit, now);
      }
    };
    return UsageStorage.composite(faulty, memory.events(), memory.userQuotas(), memory.history(),
        memory.notifications(), memory.capabilities());
  }
}
