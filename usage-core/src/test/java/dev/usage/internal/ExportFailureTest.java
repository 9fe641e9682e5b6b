package dev.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.EventFilter;
import dev.usage.EventSort;
import dev.usage.ExportFormat;
import dev.usage.MalformedExportException;
import dev.usage.QuotaType;
import dev.usage.TimeRange;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.UsageExports;
import dev.usage.UsageStorageException;
import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventQuery;
import dev.usage.spi.EventStore;
import dev.usage.spi.UsageStorage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** An export the store fails part-way through is left unfinished, never a complete-looking document. */
class ExportFailureTest {

  /** The in-memory event store, whose event stream breaks after two events. */
  private static final class BreakingStore extends AppendHook {

    BreakingStore(EventStore real) {
      super(real, () -> { });
    }

    @Override
    public Optional<EventAnalytics> analytics() {
      EventAnalytics a = super.analytics().orElseThrow();
      return Optional.of(new EventAnalytics() {
        @Override
        public List<dev.usage.spi.GroupTotals> group(EventQuery q, java.util.Set<dev.usage.spi.Dimension> by) {
          return a.group(q, by);
        }

        @Override
        public List<dev.usage.spi.GroupTotals> top(EventQuery q, dev.usage.spi.Dimension by, QuotaType t, int n) {
          return a.top(q, by, t, n);
        }

        @Override
        public List<dev.usage.spi.TimePercentiles> processingTimes(EventQuery q, Optional<dev.usage.spi.Dimension> by,
            List<Double> p) {
          return a.processingTimes(q, by, p);
        }

        @Override
        public dev.usage.spi.UserRank userRank(EventQuery q, QuotaType t, long v) {
          return a.userRank(q, t, v);
        }

        @Override
        public long forEachEvent(EventQuery q, EventSort sort, Consumer<? super UsageEvent> sink) {
          int[] n = {0};
          return a.forEachEvent(q, sort, e -> {
            if (n[0]++ == 2) {
              throw new UsageStorageException("connection reset");
            }
            sink.accept(e);
          });
        }
      });
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(ExportFormat.class)
  void anExportTheStoreBreaksOffDoesNotRead(ExportFormat format) {
    // CSV has no end of its own: the two records written before the failure would read as a complete file
    InMemoryUsageStorage real = InMemoryUsageStorage.create();
    UsageStorage storage = UsageStorage.composite(real.counters(), new BreakingStore(real.events()), real.userQuotas(),
        real.history(), real.capabilities());
    try (UsageEngine engine = UsageEngine.builder().storage(storage).trackingMode(TrackingMode.SYNC)
        .closeOnShutdown(false).build()) {
      for (int i = 0; i < 5; i++) {
        engine.tracking().trackUsage(engine.tracking().event("ann").requests(1).build());
      }
      TimeRange all = TimeRange.of(Instant.now().minusSeconds(86_400), Instant.now().plusSeconds(3_600));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThatThrownBy(() -> engine.analytics().exportUsageData(EventFilter.of(all), format, out))
          .isInstanceOf(UsageStorageException.class).hasMessageContaining("connection reset");
      List<UsageEvent> back = new ArrayList<>();
      assertThatThrownBy(() -> UsageExports.read(format, new ByteArrayInputStream(out.toByteArray()),
          back::add)).isInstanceOf(MalformedExportException.class);
      assertThat(back).hasSize(2);
    }
  }
}
