package dev.usage.spi;

import dev.usage.AuditEntry;
import dev.usage.AuditFilter;
import dev.usage.AuditOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@link UserQuotaStore#forEachAuditEntry} for stores that keep one trail per user and filter in memory: the
 * matching entries of every trail, in time order (then user, then position in the trail), paged.
 */
public final class AuditTrails {

  private record Positioned(AuditEntry entry, int position) {}

  private static final Comparator<Positioned> OLDEST_FIRST = Comparator
      .comparing((Positioned p) -> p.entry().at())
      .thenComparing(p -> p.entry().userId())
      .thenComparingInt(Positioned::position);

  private AuditTrails() {}

  /**
   * Hands {@code sink} the entries of the trails that match {@code filter}, in {@code order}, skipping
   * {@code offset} and at most {@code limit}.
   *
   * @param sources one per trail, read with {@code trail}
   * @return how many entries were handed
   */
  public static <T> long page(Iterable<T> sources, Function<T, List<AuditEntry>> trail, AuditFilter filter,
      AuditOrder order, long offset, long limit, Consumer<AuditEntry> sink) {
    List<Positioned> matches = new ArrayList<>();
    for (T source : sources) {
      List<AuditEntry> entries = trail.apply(source);
      for (int i = 0; i < entries.size(); i++) {
        if (filter.matches(entries.get(i))) {
          matches.add(new Positioned(entries.get(i), i));
        }
      }
    }
    matches.sort(order == AuditOrder.OLDEST_FIRST ? OLDEST_FIRST : OLDEST_FIRST.reversed());
    long handed = 0;
    for (long i = offset; i < matches.size() && handed < limit; i++) {
      sink.accept(matches.get((int) i).entry());
      handed++;
    }
    return handed;
  }
}
