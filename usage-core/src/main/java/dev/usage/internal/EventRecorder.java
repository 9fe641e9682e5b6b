package dev.usage.internal;

import dev.usage.TrackingMode;
import dev.usage.TrackingStats;
import dev.usage.UsageEvent;
import dev.usage.spi.EventStore;

/** Where validated events go: straight to the store, or through a buffer. Thread-safe. */
public interface EventRecorder extends AutoCloseable {

  /** The recorder the settings ask for. */
  static EventRecorder create(EventStore store, EngineSettings settings) {
    return settings.trackingMode() == TrackingMode.SYNC
        ? new SyncEventRecorder(store, settings.closeTimeout()) : new AsyncEventRecorder(store, settings);
  }

  void record(UsageEvent event);

  TrackingStats stats();

  /** Stops accepting events and writes everything accepted so far. */
  @Override
  void close();
}
