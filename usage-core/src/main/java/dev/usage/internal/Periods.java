package dev.usage.internal;

import dev.usage.QuotaPeriod;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Period arithmetic. A period is computed from an instant, never stored or advanced: the calendar day,
 * the ISO week or the billing month containing the instant in the user's zone. Periods begin at the
 * start of their first local day (which DST may move off midnight). Thread-safe; the last window per
 * (period, zone, anchor) is cached because consecutive calls nearly always fall in it.
 */
public final class Periods {

  private record Key(QuotaPeriod period, ZoneId zone, int anchorDay) {}

  /** The window last asked for, with the zone and anchor it was computed in. */
  private record Last(ZoneId zone, int anchorDay, PeriodWindow window) {}

  private final ConcurrentHashMap<Key, PeriodWindow> last = new ConcurrentHashMap<>();
  /**
   * The window last computed of each kind of period, by {@code QuotaPeriod.ordinal()}, while it lasts: most users
   * share a zone and an anchor, so this answers most calls without building a key. Written only when a window
   * is computed or the slot's has ended, so that users in other zones (served by the map) do not take turns
   * overwriting it. Racy but safe: a {@link Last} is immutable, and a lost write only costs a lookup.
   */
  private final Last[] lastOfKind = new Last[QuotaPeriod.values().length];

  /** The period of kind {@code period} that contains {@code at}. */
  public PeriodWindow window(QuotaPeriod period, Instant at, ZoneId zone, int anchorDay) {
    Last recent = lastOfKind[period.ordinal()];
    if (recent != null && recent.anchorDay == anchorDay && recent.zone.equals(zone) && recent.window.contains(at)) {
      return recent.window;
    }
    Key key = new Key(period, zone, anchorDay);
    PeriodWindow cached = last.get(key);
    boolean fresh = cached == null || !cached.contains(at);
    if (fresh) {
      cached = compute(period, at, zone, anchorDay);
      if (last.size() > 4096) {
        last.clear(); // bound the cache when zones and anchors vary widely
      }
      last.put(key, cached);
    }
    if (fresh || recent == null || !recent.window.contains(at)) {
      lastOfKind[period.ordinal()] = new Last(zone, anchorDay, cached);
    }
    return cached;
  }

  /** Uncached {@link #window}. */
  public static PeriodWindow compute(QuotaPeriod period, Instant at, ZoneId zone, int anchorDay) {
    if (anchorDay < 1 || anchorDay > 31) {
      throw new IllegalArgumentException("anchorDay " + anchorDay);
    }
    LocalDate today = LocalDate.ofInstant(at, zone);
    LocalDate start;
    LocalDate end;
    String prefix;
    switch (period) {
      case DAY -> {
        start = today;
        end = today.plusDays(1);
        prefix = "D";
      }
      case WEEK -> {
        start = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        end = start.plusWeeks(1);
        prefix = "W";
      }
      case MONTH -> {
        LocalDate thisMonths = anchorIn(YearMonth.from(today), anchorDay);
        if (today.isBefore(thisMonths)) {
          start = anchorIn(YearMonth.from(today).minusMonths(1), anchorDay);
          end = thisMonths;
        } else {
          start = thisMonths;
          end = anchorIn(YearMonth.from(today).plusMonths(1), anchorDay);
        }
        prefix = "M";
      }
      default -> throw new IllegalArgumentException(String.valueOf(period));
    }
    return new PeriodWindow(prefix + start, start.atStartOfDay(zone).toInstant(), end.atStartOfDay(zone).toInstant());
  }

  /**
   * The period a counter's period id names, in the user's zone and anchor: the kind comes from the id's
   * prefix, the start from its local date.
   */
  public static PeriodWindow ofId(String periodId, ZoneId zone, int anchorDay) {
    QuotaPeriod kind = kindOf(periodId);
    Instant start = LocalDate.parse(periodId.substring(1)).atStartOfDay(zone).toInstant();
    return compute(kind, start, zone, anchorDay);
  }

  /** The kind of period a period id names. */
  public static QuotaPeriod kindOf(String periodId) {
    return switch (periodId.charAt(0)) {
      case 'D' -> QuotaPeriod.DAY;
      case 'W' -> QuotaPeriod.WEEK;
      case 'M' -> QuotaPeriod.MONTH;
      default -> throw new IllegalArgumentException("not a period id: " + periodId);
    };
  }

  /**
   * The settings period {@code window} (of the user's current zone and cycle) was used under, to close it with:
   * {@link dev.usage.UserQuota#forPeriodEndingAt} at the instant the period ended. After a zone change that is not
   * where the current zone puts its end: the period ended the first time its end was reached in the zone then in
   * force, which the earlier settings kept at each change of zone or cycle tell. So every closer (the reset job from a
   * counter, a look-up from a window of the current zone) picks the same settings.
   */
  public static dev.usage.UserQuota settingsOf(dev.usage.UserQuota user, PeriodWindow window) {
    if (user.earlier().isEmpty()) {
      return user;
    }
    Instant ended = window.end();
    for (Cycle c : cycles(user.zone(), user.billingAnchorDay(), user.earlier())) {
      PeriodWindow there = ofId(window.id(), c.zone(), c.anchorDay());
      if (there.id().equals(window.id()) && there.end().isBefore(ended) && inForceBefore(user, there.end()).equals(c)) {
        ended = there.end();
      }
    }
    return user.forPeriodEndingAt(ended);
  }

  /** A zone and billing anchor day: where a user's periods begin and end. */
  public record Cycle(ZoneId zone, int anchorDay) {}

  /** The cycle {@code zone} and {@code anchorDay} name, then those of {@code earlier}'s entries, each once. */
  public static java.util.Set<Cycle> cycles(ZoneId zone, int anchorDay,
      java.util.List<dev.usage.EarlierSettings> earlier) {
    java.util.Set<Cycle> out = new java.util.LinkedHashSet<>();
    out.add(new Cycle(zone, anchorDay));
    earlier.forEach(e -> out.add(new Cycle(e.zone(), e.billingAnchorDay())));
    return out;
  }

  /** The user's cycle just before {@code at}: the first change at or after it records it; with none, the current. */
  private static Cycle inForceBefore(dev.usage.UserQuota user, Instant at) {
    for (dev.usage.EarlierSettings e : user.earlier()) {
      if (!e.changedAt().isBefore(at)) {
        return new Cycle(e.zone(), e.billingAnchorDay());
      }
    }
    return new Cycle(user.zone(), user.billingAnchorDay());
  }

  /** The anchor day in {@code month}, clamped to the month's last day. */
  static LocalDate anchorIn(YearMonth month, int anchorDay) {
    return month.atDay(Math.min(anchorDay, month.lengthOfMonth()));
  }
}
