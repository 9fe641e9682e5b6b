package dev.usage.benchmarks.jdbc;

import dev.usage.UsageEvent;
import dev.usage.jdbc.JdbcEventStore;
import dev.usage.jdbc.JdbcUsageStorage;
import java.util.List;
import javax.sql.DataSource;

/** Ours, direct: {@code JdbcUsageStorage.events().append(batch)}. */
final class EventStoreAppend implements IngestSide {

  private final JdbcEventStore events;

  EventStoreAppend(DataSource pool) {
    this.events = JdbcUsageStorage.builder(pool).initializeSchema(true).build().events();
  }

  @Override
  public void write(List<UsageEvent> batch) {
    int added = events.append(batch);
    if (added != batch.size()) {
      throw new IllegalStateException("append stored " + added + " of " + batch.size() + " events");
    }
  }

  @Override
  public void close() {}
}
