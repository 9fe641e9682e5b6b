package dev.usage;

import dev.usage.internal.Checks;
import dev.usage.internal.ReportSummaryWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a period's report and hands its files to a {@link ReportSink}: a summary of the period's
 * {@link AnalyticsService#getSystemAnalytics system analytics} as rows of {@code section, key, subkey,
 * metric, value}, and (unless switched off) the period's events as {@link AnalyticsService#exportUsageData
 * exported}, both in one {@link ExportFormat}. Files are named {@code usage-summary-<period>.<ext>} and
 * {@code usage-events-<period>.<ext>}, the period written {@code 2026-11} (month), {@code 2026-W48} (ISO week)
 * or {@code 2026-11-27} (day). A sink that already holds a file keeps it, so running the job again for a
 * period, or on every instance, delivers each file once per sink.
 *
 * <p>Schedule {@link #runLastPeriod()} shortly after each period ends (the Spring auto-configuration does,
 * with {@code usage.reports.*}). Thread-safe.
 */
public final class UsageReportJob {

  /** The length of a reported period, in the job's zone. */
  public enum Period {
    /** A calendar day. */
    DAY,
    /** An ISO week, Monday to Sunday. */
    WEEK,
    /** A calendar month. */
    MONTH
  }

  private final AnalyticsService analytics;
  private final ReportSink sink;
  private final Period period;
  private final ExportFormat format;
  private final ZoneId zone;
  private final Clock clock;
  private final boolean includeEvents;
  private final int topUsers;

  private UsageReportJob(Builder b) {
    this.analytics = b.analytics;
    this.sink = b.sink;
    this.period = b.period;
    this.format = b.format;
    this.zone = b.zone;
    this.clock = b.clock;
    this.includeEvents = b.includeEvents;
    this.topUsers = b.topUsers;
  }

  public static Builder builder(AnalyticsService analytics, ReportSink sink) {
    return new Builder(Checks.notNull("analytics", analytics), Checks.notNull("sink", sink));
  }

  /** Reports the last period that ended before now (yesterday, last week or last month). */
  public ReportRun runLastPeriod() {
    LocalDate today = clock.instant().atZone(zone).toLocalDate();
    return run(switch (period) {
      case DAY -> today.minusDays(1);
      case WEEK -> today.minusWeeks(1);
      case MONTH -> today.minusMonths(1);
    });
  }

  /**
   * Reports the period that contains {@code day}.
   *
   * @throws UsageExportException a file could not be delivered (files delivered before it stay)
   */
  public ReportRun run(LocalDate day) {
    Checks.notNull("day", day);
    LocalDate first = switch (period) {
      case DAY -> day;
      case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTH -> day.withDayOfMonth(1);
    };
    LocalDate end = switch (period) {
      case DAY -> first.plusDays(1);
      case WEEK -> first.plusWeeks(1);
      case MONTH -> first.plusMonths(1);
    };
    String label = switch (period) {
      case DAY -> first.toString();
      case WEEK -> String.format("%d-W%02d", first.get(IsoFields.WEEK_BASED_YEAR), first.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
      case MONTH -> YearMonth.from(first).format(DateTimeFormatter.ofPattern("uuuu-MM"));
    };
    TimeRange range = TimeRange.days(first, end, zone);
    List<String> delivered = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    String summary = "usage-summary-" + label + "." + format.fileExtension();
    deliver(summary, out -> ReportSummaryWriter.write(
        analytics.getSystemAnalytics(range, zone, QuotaType.CHARACTERS, topUsers), format, out), delivered, skipped);
    if (includeEvents) {
      String events = "usage-events-" + label + "." + format.fileExtension();
      deliver(events, out -> analytics.exportUsageData(EventFilter.of(range), format, out), delivered, skipped);
    }
    return new ReportRun(label, range, delivered, skipped);
  }

  private void deliver(String name, ReportSink.Content content, List<String> delivered, List<String> skipped) {
    try {
      (sink.deliver(name, format, content) ? delivered : skipped).add(name);
    } catch (IOException e) {
      throw new UsageExportException("report file " + name + " could not be delivered to " + sink + ": " + e, e);
    } catch (UncheckedIOException e) {
      throw new UsageExportException("report file " + name + " could not be delivered to " + sink + ": " + e, e);
    }
  }

  /**
   * What one run did.
   *
   * @param label the period as named in the files
   * @param range the period's instants
   * @param delivered files the sink stored now
   * @param skipped files the sink already held
   */
  public record ReportRun(String label, TimeRange range, List<String> delivered, List<String> skipped) {

    public ReportRun {
      delivered = List.copyOf(delivered);
      skipped = List.copyOf(skipped);
    }
  }

  /** Builds a {@link UsageReportJob}; every setting has a default. Not thread-safe. */
  public static final class Builder {
    private final AnalyticsService analytics;
    private final ReportSink sink;
    private Period period = Period.MONTH;
    private ExportFormat format = ExportFormat.CSV;
    private ZoneId zone = ZoneId.of("UTC");
    private Clock clock = Clock.systemUTC();
    private boolean includeEvents = true;
    private int topUsers = 10;

    private Builder(AnalyticsService analytics, ReportSink sink) {
      this.analytics = analytics;
      this.sink = sink;
    }

    /** Default {@link Period#MONTH}. */
    public Builder period(Period p) {
      this.period = Checks.notNull("period", p);
      return this;
    }

    /** Default {@link ExportFormat#CSV}. */
    public Builder format(ExportFormat f) {
      this.format = Checks.notNull("format", f);
      return this;
    }

    /** The zone of the periods' bounds and of the summary's hours and days. Default UTC. */
    public Builder zone(ZoneId z) {
      this.zone = Checks.notNull("zone", z);
      return this;
    }

    /** The source of "now" for {@link #runLastPeriod()}; use the engine's. Default the system clock. */
    public Builder clock(Clock c) {
      this.clock = Checks.notNull("clock", c);
      return this;
    }

    /** Whether the period's events are exported beside the summary. Default true. */
    public Builder includeEvents(boolean include) {
      this.includeEvents = include;
      return this;
    }

    /** How many top users (by characters) the summary lists, 0 to 1,000. Default 10. */
    public Builder topUsers(int n) {
      if (n < 0 || n > 1_000) {
        throw new InvalidUsageException("topUsers", "must be within 0..1000, was " + n);
      }
      this.topUsers = n;
      return this;
    }

    public UsageReportJob build() {
      return new UsageReportJob(this);
    }
  }
}
