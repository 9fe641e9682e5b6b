package dev.usage.redis;

import dev.usage.QuotaType;
import dev.usage.SystemUsage;
import dev.usage.UsageEvent;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/** Random events and the totals a correct event log gives for them, computed here from the events. */
final class Events {

  static final QuotaType IMAGES = QuotaType.of("images");
  static final QuotaType PAGES = QuotaType.of("audio.seconds");

  private Events() {}

  /** An event of {@code user} at {@code at} with random amounts, failed one time in five. */
  static UsageEvent random(Random rnd, String user, String id, Instant at) {
    UsageEvent.Builder b = UsageEvent.builder().eventId(id).userId(user).occurredAt(at)
        .feature(rnd.nextBoolean() ? "text-correction" : "summary").characters(rnd.nextInt(2_000)).requests(1)
        .inputTokens(rnd.nextInt(300)).outputTokens(rnd.nextInt(100));
    if (rnd.nextInt(4) == 0) {
      b.quantity(IMAGES, 1 + rnd.nextInt(3));
    }
    if (rnd.nextInt(6) == 0) {
      b.quantity(PAGES, rnd.nextInt(50));
    }
    if (rnd.nextInt(5) == 0) {
      b.errorCode("LLM_TIMEOUT");
    }
    return b.build();
  }

  /** A random instant in whole microseconds (what Redis stores) within {@code [from, from + spanMicros)}. */
  static Instant micros(Random rnd, Instant from, long spanMicros) {
    long m = (long) (rnd.nextDouble() * spanMicros);
    return from.plusSeconds(m / 1_000_000).plusNanos((m % 1_000_000) * 1_000);
  }

  /** The first version of each (user, event id), as an idempotent log keeps them, in order. */
  static Collection<UsageEvent> firstVersions(List<UsageEvent> appended) {
    Map<List<String>, UsageEvent> first = new LinkedHashMap<>();
    appended.forEach(e -> first.putIfAbsent(List.of(e.userId(), e.eventId()), e));
    return first.values();
  }

  /** {@code from <= occurredAt < to}, each truncated to the microsecond (as EventStore specifies). */
  static boolean within(UsageEvent e, Instant from, Instant to) {
    Instant at = e.occurredAt().truncatedTo(ChronoUnit.MICROS);
    return !at.isBefore(from.truncatedTo(ChronoUnit.MICROS)) && at.isBefore(to.truncatedTo(ChronoUnit.MICROS));
  }

  static Map<QuotaType, Long> userTotals(Collection<UsageEvent> events, String user, Instant from, Instant to) {
    Map<QuotaType, Long> totals = new TreeMap<>();
    for (UsageEvent e : events) {
      if (e.userId().equals(user) && within(e, from, to)) {
        e.quantities().forEach((t, v) -> totals.merge(t, v, Math::addExact));
      }
    }
    return totals;
  }

  static SystemUsage systemUsage(Collection<UsageEvent> events, Instant from, Instant to) {
    long n = 0;
    long failed = 0;
    Set<String> users = new HashSet<>();
    Map<QuotaType, Long> totals = new TreeMap<>();
    for (UsageEvent e : events) {
      if (within(e, from, to)) {
        n++;
        failed += e.success() ? 0 : 1;
        users.add(e.userId());
        e.quantities().forEach((t, v) -> totals.merge(t, v, Math::addExact));
      }
    }
    return new SystemUsage(from, to, n, failed, users.size(), totals);
  }
}
