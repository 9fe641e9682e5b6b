package dev.usage.benchmarks.jdbc;

import dev.usage.UsageEvent;
import java.util.List;

/** One side of the ingestion comparison: stores a batch of distinct events durably before returning. */
interface IngestSide extends AutoCloseable {

  /** Writes {@code batch}; throws unless every event was stored. */
  void write(List<UsageEvent> batch);

  @Override
  void close();
}
