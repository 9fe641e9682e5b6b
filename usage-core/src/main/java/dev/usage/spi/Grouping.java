package dev.usage.spi;

import dev.usage.InvalidUsageException;
import dev.usage.QuotaType;
import dev.usage.internal.Checks;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * One grouping asked of {@link EventAnalytics#groupings}: the dimensions to group by, whether each group's
 * distinct users are counted, and optionally a top list. Counting users is what costs most on a large log
 * (in SQL, a sort of the events per grouping, or a pass per user); a caller that does not read
 * {@link dev.usage.EventTotals#users()} asks without, and then reads 0 there. A top list ({@link #top}) keeps
 * the {@code limit} groups with most of {@code orderBy}, as {@link EventAnalytics#top} answers them.
 *
 * @param by the dimensions
 * @param countUsers whether {@code users} is counted (else 0)
 * @param orderBy for a top list, the quota type its groups are ranked by; empty for every group in key order
 * @param limit for a top list, how many groups it keeps; 0 otherwise
 */
public record Grouping(Set<Dimension> by, boolean countUsers, Optional<QuotaType> orderBy, int limit) {

  public Grouping {
    Checks.noNullElements("by", by);
    Checks.notNull("orderBy", orderBy);
    by = by.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(by));
    if (orderBy.isPresent()) {
      if (by.size() != 1 || by.contains(Dimension.QUARTER_HOUR)) {
        throw new InvalidUsageException("by", "a top list groups by one dimension other than QUARTER_HOUR, was " + by);
      }
      if (limit < 0) {
        throw new InvalidUsageException("limit", "must not be negative, was " + limit);
      }
    } else if (limit != 0) {
      throw new InvalidUsageException("limit", "only a top list has a limit, was " + limit);
    }
  }

  /** Every group of {@code by} in key order, users counted or not. */
  public Grouping(Set<Dimension> by, boolean countUsers) {
    this(by, countUsers, Optional.empty(), 0);
  }

  /** Grouped by {@code by}, users counted. */
  public static Grouping of(Dimension... by) {
    return new Grouping(Set.of(by), true);
  }

  /** Grouped by {@code by}, users not counted. */
  public static Grouping withoutUsers(Dimension... by) {
    return new Grouping(Set.of(by), false);
  }

  /**
   * The {@code limit} groups by {@code by} with the largest total of {@code orderBy}, users counted: what
   * {@link EventAnalytics#top}{@code (query, by, orderBy, limit)} answers.
   */
  public static Grouping top(Dimension by, QuotaType orderBy, int limit) {
    Checks.notNull("by", by);
    Checks.notNull("orderBy", orderBy);
    return new Grouping(Set.of(by), true, Optional.of(orderBy), limit);
  }

  /** Whether this is a top list. */
  public boolean isTop() {
    return orderBy.isPresent();
  }

  @Override
  public String toString() {
    return Arrays.toString(by.toArray()) + (countUsers ? "" : " without users")
        + orderBy.map(t -> " top " + limit + " by " + t.name()).orElse("");
  }
}
