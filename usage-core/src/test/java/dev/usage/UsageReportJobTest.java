package dev.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usage.UsageReportJob.Period;
import dev.usage.UsageReportJob.ReportRun;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduled report job: which period, which files, what is in them, and that each is delivered once. */
class UsageReportJobTest {

  @TempDir
  Path dir;

  private final UsageEngine engine = UsageEngine.builder().trackingMode(TrackingMode.SYNC).closeOnShutdown(false)
      .clock(Clock.fixed(Instant.parse("2027-02-01T00:00:00Z"), ZoneOffset.UTC)).build();
  private final List<UsageEvent> november = new ArrayList<>();

  @AfterEach
  void close() {
    engine.close();
  }

  private UsageEvent track(String user, String at, String feature, long characters) {
    UsageEvent e = UsageEvent.builder().userId(user).occurredAt(Instant.parse(at)).feature(feature)
        .characters(characters).requests(1).build();
    engine.tracking().trackUsage(e);
    return e;
  }

  private void novemberAndAround() {
    track("ann", "2026-10-31T23:59:59Z", "correct", 1_000);
    november.add(track("ann", "2026-11-01T00:00:00Z", "correct", 100));
    november.add(track("bob", "2026-11-15T12:00:00Z", "=HYPERLINK(\"http://x\")", 20));
    november.add(track("ann", "2026-11-30T23:59:59Z", "translate", 3));
    track("bob", "2026-12-01T00:00:00Z", "correct", 5_000);
  }

  private List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8);
  }

  @Test
  void reportsLastMonthAsCsvSummaryAndEventsOnce() throws IOException {
    novemberAndAround();
    UsageReportJob job = UsageReportJob.builder(engine.analytics(), new FileReportSink(dir))
        .clock(Clock.fixed(Instant.parse("2026-12-01T00:05:00Z"), ZoneOffset.UTC)).build();

    ReportRun run = job.runLastPeriod();
    assertThat(run.label()).isEqualTo("2026-11");
    assertThat(run.range()).isEqualTo(TimeRange.of(Instant.parse("2026-11-01T00:00:00Z"),
        Instant.parse("2026-12-01T00:00:00Z")));
    assertThat(run.delivered()).containsExactly("usage-summary-2026-11.csv", "usage-events-2026-11.csv");
    assertThat(run.skipped()).isEmpty();

    List<UsageEvent> back = new ArrayList<>();
    try (InputStream in = Files.newInputStream(dir.resolve("usage-events-2026-11.csv"))) {
      UsageExports.read(ExportFormat.CSV, in, back::add);
    }
    assertThat(back).containsExactlyElementsOf(november);

    List<String> summary = lines(dir.resolve("usage-summary-2026-11.csv"));
    assertThat(summary.get(0)).isEqualTo("section,key,subkey,metric,value");
    assertThat(summary).contains("range,,,from,2026-11-01T00:00:00Z", "range,,,zone,UTC", "totals,,,events,3",
        "totals,,,users,2", "totals,,,units.characters,123", "topUsers,ann,,units.characters,103",
        "hourOfDay,23,,units.characters,3", "dayOfWeek,SUNDAY,,events,2");
    // a formula in a feature name is escaped in the summary too
    assertThat(summary).anyMatch(l -> l.startsWith("failures,\"'=HYPERLINK(\"\"http://x\"\")\",,events,1"));

    byte[] before = Files.readAllBytes(dir.resolve("usage-events-2026-11.csv"));
    track("cid", "2026-11-20T00:00:00Z", "correct", 7); // late event: the files of a reported month stay as they were
    ReportRun again = job.runLastPeriod();
    assertThat(again.delivered()).isEmpty();
    assertThat(again.skipped()).containsExactly("usage-summary-2026-11.csv", "usage-events-2026-11.csv");
    assertThat(Files.readAllBytes(dir.resolve("usage-events-2026-11.csv"))).isEqualTo(before);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
          "usage-summary-2026-11.csv", "usage-events-2026-11.csv"); // no partial files left behind
    }
  }

  @Test
  void reportsIsoWeek53AndDaysAsJsonInTheJobsZone() throws IOException {
    track("ann", "2026-12-28T08:00:00Z", "correct", 10); // Monday of ISO week 53 of 2026
    track("ann", "2027-01-03T22:30:00Z", "correct", 20); // Sunday, 23:30 in Paris: still week 53 there
    track("ann", "2027-01-03T23:30:00Z", "correct", 40); // Monday 00:30 in Paris: week 1 of 2027
    ZoneId paris = ZoneId.of("Europe/Paris");
    UsageReportJob weekly = UsageReportJob.builder(engine.analytics(), new FileReportSink(dir)).period(Period.WEEK)
        .format(ExportFormat.JSON).zone(paris).includeEvents(false).build();
    ReportRun run = weekly.run(LocalDate.of(2026, 12, 31));
    assertThat(run.label()).isEqualTo("2026-W53");
    assertThat(run.delivered()).containsExactly("usage-summary-2026-W53.json");
    JsonNode rows = new ObjectMapper().readTree(dir.resolve("usage-summary-2026-W53.json").toFile());
    assertThat(value(rows, "totals", "", "units.characters")).isEqualTo(30);
    assertThat(value(rows, "range", "", "from")).isNull(); // text values are strings
    assertThat(text(rows, "range", "", "from")).isEqualTo("2026-12-27T23:00:00Z");

    UsageReportJob daily = UsageReportJob.builder(engine.analytics(), new FileReportSink(dir)).period(Period.DAY)
        .format(ExportFormat.JSON).zone(paris).build();
    assertThat(daily.run(LocalDate.of(2027, 1, 4)).delivered())
        .containsExactly("usage-summary-2027-01-04.json", "usage-events-2027-01-04.json");
    List<UsageEvent> back = new ArrayList<>();
    try (InputStream in = Files.newInputStream(dir.resolve("usage-events-2027-01-04.json"))) {
      UsageExports.read(ExportFormat.JSON, in, back::add);
    }
    assertThat(back).extracting(UsageEvent::characters).containsExactly(40L);
  }

  private static Long value(JsonNode rows, String section, String key, String metric) {
    for (JsonNode r : rows) {
      if (r.get("section").asText().equals(section) && r.get("key").asText().equals(key)
          && r.get("metric").asText().equals(metric)) {
        return r.get("value").isNumber() ? r.get("value").asLong() : null;
      }
    }
    throw new AssertionError("no row " + section + "/" + key + "/" + metric);
  }

  private static String text(JsonNode rows, String section, String key, String metric) {
    for (JsonNode r : rows) {
      if (r.get("section").asText().equals(section) && r.get("metric").asText().equals(metric)) {
        return r.get("value").asText();
      }
    }
    throw new AssertionError("no row " + section + "/" + key + "/" + metric);
  }

  @Test
  void aFailingReportLeavesNoFileAndNamesIt() {
    ReportSink.Content failing = out -> {
      out.write("half a report".getBytes(StandardCharsets.UTF_8));
      throw new IOException("disk full");
    };
    FileReportSink sink = new FileReportSink(dir);
    assertThatThrownBy(() -> sink.deliver("r.csv", ExportFormat.CSV, failing)).isInstanceOf(IOException.class);
    assertThat(dir.resolve("r.csv")).doesNotExist();
    assertThat(dir.toFile().list()).isEmpty();

    ReportSink broken = (name, format, content) -> {
      throw new IOException("mail server down");
    };
    UsageReportJob job = UsageReportJob.builder(engine.analytics(), broken)
        .clock(Clock.fixed(Instant.parse("2026-12-01T00:05:00Z"), ZoneOffset.UTC)).build();
    assertThatThrownBy(job::runLastPeriod).isInstanceOf(UsageExportException.class)
        .hasMessageContaining("usage-summary-2026-11.csv");
  }

  @Test
  void ofTwoWritersRacingForOneNameExactlyOneStoresACompleteFile() throws Exception {
    FileReportSink sink = new FileReportSink(dir.resolve("reports"));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 20; round++) {
        String name = "race-" + round + ".csv";
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> writers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
          byte[] body = ("writer " + w + "\n").repeat(10_000).getBytes(StandardCharsets.UTF_8);
          writers.add(pool.submit(() -> {
            go.await();
            return sink.deliver(name, ExportFormat.CSV, out -> out.write(body));
          }));
        }
        go.countDown();
        int stored = 0;
        for (Future<Boolean> f : writers) {
          stored += f.get() ? 1 : 0;
        }
        assertThat(stored).as(name).isEqualTo(1);
        List<String> content = lines(sink.directory().resolve(name));
        assertThat(content).hasSize(10_000).containsOnly(content.get(0));
      }
      try (Stream<Path> files = Files.list(sink.directory())) {
        assertThat(files).hasSize(20);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesBadArgumentsNamingThem() {
    FileReportSink sink = new FileReportSink(dir);
    for (String bad : List.of("../x.csv", "a/b.csv", ".hidden", " ")) {
      assertThatThrownBy(() -> sink.deliver(bad, ExportFormat.CSV, out -> { }))
          .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("fileName"));
    }
    assertThatThrownBy(() -> UsageReportJob.builder(engine.analytics(), sink).topUsers(1_001))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("topUsers"));
    assertThatThrownBy(() -> UsageReportJob.builder(engine.analytics(), null))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("sink"));
  }
}
