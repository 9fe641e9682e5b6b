package dev.usage.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import dev.usage.memory.InMemoryUsageStorage;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingEventStoreTest {

  @Test
  void everyMethodOfTheEventStoreIsForwarded() throws Exception {
    // a method EventStore gains (a default one, say) must be forwarded too, or decorators answer it wrongly
    for (Method m : EventStore.class.getMethods()) {
      if (!Modifier.isStatic(m.getModifiers())) {
        assertThat(ForwardingEventStore.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass())
            .as(m.toString()).isEqualTo(ForwardingEventStore.class);
      }
    }
  }

  @Test
  void callsReachTheDelegateAndItsAnswersComeBack() {
    EventStore log = InMemoryUsageStorage.create().events();
    EventStore forwarding = new ForwardingEventStore(log) { };
    Instant at = Instant.parse("2026-03-15T10:00:00Z");
    UsageEvent e = UsageEvent.builder().eventId("e1").userId("ann").occurredAt(at).requests(2).build();

    assertThat(forwarding.append(List.of(e))).isEqualTo(1);
    assertThat(forwarding.append(List.of(e))).isZero();
    assertThat(log.userTotals("ann", Instant.EPOCH, Instant.MAX)).containsEntry(QuotaType.REQUESTS, 2L);
    assertThat(forwarding.userTotals("ann", Instant.EPOCH, Instant.MAX)).containsEntry(QuotaType.REQUESTS, 2L);
    assertThat(forwarding.systemUsage(Instant.EPOCH, Instant.MAX))
        .isEqualTo(log.systemUsage(Instant.EPOCH, Instant.MAX));
    assertThat(forwarding.analytics()).isPresent().get().isSameAs(log.analytics().orElseThrow());
  }
}
