package dev.usage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.QuotaType;
import dev.usage.spi.ConsumeCommand;
import dev.usage.spi.ConsumeOutcome;
import dev.usage.spi.CounterDelta;
import dev.usage.spi.CounterKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the in-memory store does beyond the contract: idle users are forgotten by a scan. */
class InMemoryCounterStoreTest {

  private static final Instant T0 = Instant.parse("2026-03-15T10:00:00Z");
  private static final Instant END = Instant.parse("2026-04-01T00:00:00Z");

  private final InMemoryCounterStore store = new InMemoryCounterStore();

  private ConsumeOutcome consume(String user, long amount, Instant now, Instant expires) {
    return store.consume(new ConsumeCommand(user, List.of(new CounterDelta(QuotaType.REQUESTS, "M2026-03-01",
        Instant.parse("2026-03-01T00:00:00Z"), END, amount, 10, expires)), Optional.empty(), Optional.empty(), now));
  }

  @Test
  void scanForgetsAUserWhoseStateHasExpiredAndTheUserStartsAfreshLater() {
    consume("idle", 7, T0, END.plusSeconds(60));
    consume("busy", 3, T0, Instant.MAX);
    Instant later = END.plusSeconds(120);

    assertThat(store.scan(Optional.empty(), 100, later).counters()).extracting(c -> c.userId()).containsExactly("busy");
    assertThat(store.scan(Optional.empty(), 100, later).counters()).hasSize(1);

    assertThat(consume("idle", 10, later, Instant.MAX).result()).isEqualTo(ConsumeOutcome.Result.ADMITTED);
    assertThat(store.read("idle", List.of(new CounterKey(QuotaType.REQUESTS, "M2026-03-01")), later))
        .singleElement().satisfies(v -> assertThat(v.used()).isEqualTo(10));
  }

  @Test
  void scanPagesThroughEveryUserOnce() {
    for (int i = 0; i < 25; i++) {
      consume(String.format("user-%02d", i), 1, T0, Instant.MAX);
    }
    int seen = 0;
    Optional<String> cursor = Optional.empty();
    int pages = 0;
    do {
      var page = store.scan(cursor, 4, T0);
      seen += page.counters().size();
      cursor = page.next();
      pages++;
    } while (cursor.isPresent());

    assertThat(seen).isEqualTo(25);
    assertThat(pages).isGreaterThan(1);
  }
}
