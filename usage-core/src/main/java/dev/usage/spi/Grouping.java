package dev.usage.spi;

import dev.usage.internal.Checks;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * One grouping asked of {@link EventAnalytics#groupings}: the dimensions to group by, and whether each group's
 * distinct users are counted. Counting them is what costs most on a large log (in SQL, a sort of the events
 * per grouping, or a pass per user); a caller that does not read {@link dev.usage.EventTotals#users()} asks
 * without, and then reads 0 there.
 *
 * @param by the dimensions
 * @param countUsers whether {@code users} is counted (else 0)
 */
public record Grouping(Set<Dimension> by, boolean countUsers) {

  public Grouping {
    Checks.noNullElements("by", by);
    by = by.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(by));
  }

  /** Grouped by {@code by}, users counted. */
  public static Grouping of(Dimension... by) {
    return new Grouping(Set.of(by), true);
  }

  /** Grouped by {@code by}, users not counted. */
  public static Grouping withoutUsers(Dimension... by) {
    return new Grouping(Set.of(by), false);
  }

  @Override
  public String toString() {
    return Arrays.toString(by.toArray()) + (countUsers ? "" : " without users");
  }
}
