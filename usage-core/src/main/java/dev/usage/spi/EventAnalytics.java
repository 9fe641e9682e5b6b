package dev.usage.spi;

import dev.usage.AggregationReport;
import dev.usage.EventSort;
import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Analytical queries over an event log, computed where the events live (SQL in a database), so that an
 * answer costs the backend's scan, not a transfer of the rows. Offered by {@link EventStore#analytics()}.
 *
 * <p>Every method answers over the events of {@link EventQuery#filter()}. Answers are exact: the same
 * events give the same figures on every backend (processing times to the microsecond). Thread-safe. Every
 * method throws {@link dev.usage.UsageStorageException} when the backend fails, and changes nothing.
 */
public interface EventAnalytics {

  /**
   * The totals of each group of matching events, grouped by the dimensions in {@code by}, ordered by key
   * (the dimensions in {@link Dimension} order; {@link Dimension#QUARTER_HOUR} numerically); groups
   * without events are left out. With no dimension: exactly one row, the totals of all matching events
   * ({@link dev.usage.EventTotals#NONE} when there are none).
   */
  List<GroupTotals> group(EventQuery query, Set<Dimension> by);

  /**
   * The answers of {@link #group} (of {@link #top} for a {@linkplain Grouping#top top list}) for several
   * groupings of the same events, in the order of {@code groupings}; a grouping that does not count users
   * answers 0 users in every group. A backend may compute them in one pass (SQL {@code GROUPING SETS}); by
   * default each grouping is asked for in turn.
   */
  default List<List<GroupTotals>> groupings(EventQuery query, List<Grouping> groupings) {
    return groupings.stream().map(g -> {
      List<GroupTotals> groups = g.isTop() ? top(query, g.by().iterator().next(), g.orderBy().get(), g.limit())
          : group(query, g.by());
      return g.countUsers() ? groups : groups.stream().map(GroupTotals::withoutUsers).toList();
    }).toList();
  }

  /**
   * The {@code limit} groups by {@code by} with the largest total of {@code orderBy} (largest first, ties
   * by key ascending); groups without any of it are left out. {@code by} is not
   * {@link Dimension#QUARTER_HOUR}.
   */
  List<GroupTotals> top(EventQuery query, Dimension by, QuotaType orderBy, int limit);

  /**
   * Processing-time percentiles (see {@link TimePercentiles}) of the timed matching events, per group of
   * {@code by} ordered by key, or one row over all of them (key {@code ""}); groups without timed events are
   * left out. Each percentile lies in (0, 1].
   */
  List<TimePercentiles> processingTimes(EventQuery query, Optional<Dimension> by, List<Double> percentiles);

  /** Where {@code value} stands among the users' totals of {@code type} over the matching events. */
  UserRank userRank(EventQuery query, QuotaType type, long value);

  /**
   * Streams the matching events to {@code sink} in {@code sort} order, one at a time, holding a bounded
   * number in memory whatever their count. Events come back as stored (instants to the microsecond, IP
   * addresses as truncated at write time). An exception from {@code sink} stops the stream and propagates.
   *
   * @return how many events were passed to the sink
   */
  long forEachEvent(EventQuery query, EventSort sort, Consumer<? super UsageEvent> sink);

  /**
   * Rebuilds the stored rollups (daily, weekly and monthly) of the UTC days {@code [from, toExclusive)}
   * from the raw events; idempotent. A backend that answers from the raw events keeps none and reports
   * nothing rebuilt.
   */
  default AggregationReport rebuildAggregations(LocalDate from, LocalDate toExclusive) {
    return new AggregationReport(0, 0);
  }
}
