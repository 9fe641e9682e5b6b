package dev.usage.benchmarks.jdbc;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JDBC benchmarks and prints, as Markdown, one row per benchmark (median and range of all
 * measured iterations over all forks) and the ratio of ours to bare for each target, with the machine it
 * ran on. The sides of a comparison run one fork each in turn ({@code -f N} rounds, default 3, order
 * alternating), so that background load drifting during the run falls on both; the ratio's range is over
 * those rounds. Other JMH options pass through ({@code -wi 1 -i 2 -r 3 -prof jfr ...});
 * {@code -Dbench.only=REGEX} picks benchmarks by name. The Markdown goes to stdout and to {@code -Dbench.out=FILE}; with
 * {@code -Dbench.results=RESULTS.md} it also replaces the block between {@value #BEGIN} and {@value #END}.
 */
public final class JdbcSuite {

  static final String BEGIN = "<!-- jdbc-results:begin -->";
  static final String END = "<!-- jdbc-results:end -->";

  /** A target: ours / bare must reach {@code min}. */
  private record Target(String title, String ours, String bare, double min) {
    boolean diagnostic() {
      return min == 0;
    }
  }

  private static final List<Target> TARGETS = List.of(
      new Target("PostgreSQL consume, 32 threads, 10,000 users", "PostgresConsumeBenchmark.ours",
          "PostgresConsumeBenchmark.bare", 0.8),
      new Target("(diagnostic) PostgreSQL bare + settings SELECT", "PostgresConsumeBenchmark.bareReadingSettings",
          "PostgresConsumeBenchmark.bare", 0),
      new Target("H2 consume, 8 threads, 10,000 users", "H2ConsumeBenchmark.ours", "H2ConsumeBenchmark.bare", 0.5),
      new Target("(diagnostic) H2 bare + settings SELECT", "H2ConsumeBenchmark.bareReadingSettings",
          "H2ConsumeBenchmark.bare", 0),
      new Target("PostgreSQL ingestion, append(1,000)", "PostgresIngestBenchmark.append",
          "PostgresIngestBenchmark.bare", 0.8),
      new Target("PostgreSQL ingestion, ASYNC engine flushing 1,000", "PostgresIngestBenchmark.asyncEngine",
          "PostgresIngestBenchmark.bare", 0.8));

  /** Median, range and per-fork means of one benchmark's measured iterations. */
  private record Stats(String name, String unit, int threads, double median, double min, double max,
      List<Double> forkMeans) {}

  private static final String PACKAGE = "dev.usage.benchmarks.jdbc.";

  /** The benchmarks that are compared with one another, run interleaved. */
  private static final List<List<String>> GROUPS = List.of(
      List.of("PostgresConsumeBenchmark.ours", "PostgresConsumeBenchmark.bare",
          "PostgresConsumeBenchmark.bareReadingSettings"),
      List.of("H2ConsumeBenchmark.ours", "H2ConsumeBenchmark.bare", "H2ConsumeBenchmark.bareReadingSettings"),
      List.of("PostgresIngestBenchmark.append", "PostgresIngestBenchmark.asyncEngine", "PostgresIngestBenchmark.bare"));

  private JdbcSuite() {}

  public static void main(String[] args) throws Exception {
    CommandLineOptions cli = new CommandLineOptions(args);
    if (!cli.getIncludes().isEmpty()) {
      throw new IllegalArgumentException("choose benchmarks with -Dbench.only=REGEX (the suite pairs and interleaves them)");
    }
    Pattern only = Pattern.compile(System.getProperty("bench.only", ".*"));
    int rounds = cli.getForkCount().orElse(3);
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    Map<String, List<RunResult>> results = new LinkedHashMap<>();
    for (List<String> group : GROUPS) {
      List<String> chosen = group.stream().filter(n -> only.matcher(n).find()).toList();
      for (int round = 0; round < rounds; round++) {
        // one fork of each side in turn, the order alternating, so that a change in the machine's
        // background load falls on both sides of a ratio
        List<String> order = new ArrayList<>(chosen);
        if (round % 2 == 1) {
          java.util.Collections.reverse(order);
        }
        for (String name : order) {
          OptionsBuilder options = new OptionsBuilder();
          options.parent(cli);
          options.include("^" + Pattern.quote(PACKAGE + name) + "$").forks(1);
          results.computeIfAbsent(name, k -> new ArrayList<>()).addAll(new Runner(options.build()).run());
        }
      }
    }
    double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

    Map<String, Stats> stats = new LinkedHashMap<>();
    results.forEach((name, runs) -> stats.put(name, stats(name, runs)));
    String md = markdown(stats, started, loadBefore, loadAfter, String.join(" ", args));
    System.out.println();
    System.out.println(md);
    String out = System.getProperty("bench.out");
    if (out != null) {
      Files.writeString(Path.of(out), md, StandardCharsets.UTF_8);
    }
    String resultsFile = System.getProperty("bench.results");
    if (resultsFile != null) {
      replaceBlock(Path.of(resultsFile), md);
      System.out.println("Updated " + resultsFile);
    }
  }

  /** One benchmark over its rounds: each round is one fork. */
  private static Stats stats(String name, List<RunResult> runs) {
    List<Double> all = new ArrayList<>();
    List<Double> forkMeans = new ArrayList<>();
    String unit = "";
    int threads = 0;
    for (RunResult r : runs) {
      unit = r.getPrimaryResult().getScoreUnit();
      threads = r.getParams().getThreads();
      for (BenchmarkResult fork : r.getBenchmarkResults()) {
        double sum = 0;
        int n = 0;
        for (IterationResult it : fork.getIterationResults()) {
          double score = it.getPrimaryResult().getScore();
          all.add(score);
          sum += score;
          n++;
        }
        if (n > 0) {
          forkMeans.add(sum / n);
        }
      }
    }
    List<Double> sorted = new ArrayList<>(all);
    sorted.sort(Double::compare);
    double median = sorted.isEmpty() ? Double.NaN : sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
        : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    return new Stats(name, unit, threads, median, sorted.isEmpty() ? Double.NaN : sorted.get(0),
        sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1), forkMeans);
  }

  static String markdown(Map<String, Stats> stats, ZonedDateTime started, double loadBefore, double loadAfter,
      String args) {
    StringBuilder b = new StringBuilder();
    b.append(BEGIN).append('\n');
    b.append("Run ").append(started.format(DateTimeFormatter.ISO_LOCAL_DATE)).append(' ')
        .append(started.format(DateTimeFormatter.ofPattern("HH:mm"))).append(" UTC")
        .append(args.isBlank() ? ", default JMH options" : ", JMH options `" + args + "`").append(".\n\n");
    b.append("| benchmark | threads | median of all iterations | min – max | mean of each fork (round) |\n");
    b.append("|---|---:|---:|---|---|\n");
    for (Stats s : stats.values()) {
      b.append("| ").append(s.name).append(" | ").append(s.threads).append(" | ")
          .append(num(s.median)).append(' ').append(unit(s.unit)).append(" | ")
          .append(num(s.min)).append(" – ").append(num(s.max)).append(" | ")
          .append(String.join(", ", s.forkMeans.stream().map(JdbcSuite::num).toList())).append(" |\n");
    }
    b.append("\n| target | ours / bare (medians) | range of the rounds' ratios | needed | met |\n");
    b.append("|---|---:|---|---:|---|\n");
    for (Target t : TARGETS) {
      Stats ours = stats.get(t.ours);
      Stats bare = stats.get(t.bare);
      if (ours == null || bare == null) {
        continue;
      }
      double ratio = ours.median / bare.median;
      double lo = Double.MAX_VALUE;
      double hi = 0;
      for (int i = 0; i < Math.min(ours.forkMeans.size(), bare.forkMeans.size()); i++) {
        double r = ours.forkMeans.get(i) / bare.forkMeans.get(i);
        lo = Math.min(lo, r);
        hi = Math.max(hi, r);
      }
      b.append("| ").append(t.title).append(" | ").append(String.format(Locale.ROOT, "%.2f×", ratio)).append(" | ")
          .append(String.format(Locale.ROOT, "%.2f – %.2f", lo, hi)).append(" | ")
          .append(t.diagnostic() ? "–" : String.format(Locale.ROOT, "≥ %.1f×", t.min)).append(" | ")
          .append(t.diagnostic() ? "–" : ratio >= t.min ? "yes" : "**no**").append(" |\n");
    }
    b.append("\nMachine: ").append(machine()).append(String.format(Locale.ROOT,
        "; load average %.2f before, %.2f after the run.", loadBefore, loadAfter)).append('\n');
    b.append(END).append('\n');
    return b.toString();
  }

  private static String unit(String jmhUnit) {
    return jmhUnit.equals("ops/s") ? "ops/s" : jmhUnit;
  }

  private static String num(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String machine() {
    StringBuilder b = new StringBuilder();
    b.append(Runtime.getRuntime().availableProcessors()).append(" cores");
    cpuModel().ifPresent(m -> b.append(" (").append(m).append(')'));
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      b.append(String.format(Locale.ROOT, ", %.1f GiB RAM", os.getTotalMemorySize() / (1024.0 * 1024 * 1024)));
    }
    b.append(", ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"));
    b.append(", JDK ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"));
    b.append(", ").append(postgres());
    b.append(", ").append(h2());
    b.append(", pgjdbc ").append(org.postgresql.util.DriverInfo.DRIVER_VERSION);
    b.append(", HikariCP ").append(mavenVersion("com.zaxxer", "HikariCP"));
    b.append(", JDBI ").append(mavenVersion("org.jdbi", "jdbi3-core"));
    return b.toString();
  }

  private static String mavenVersion(String group, String artifact) {
    String path = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (var in = JdbcSuite.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        return "?";
      }
      java.util.Properties p = new java.util.Properties();
      p.load(in);
      return p.getProperty("version", "?");
    } catch (IOException e) {
      return "?";
    }
  }

  private static Optional<String> cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String postgres() {
    try (Connection c = DriverManager.getConnection(BenchDatabases.PG_URL, BenchDatabases.PG_USER,
        BenchDatabases.PG_PASSWORD); Statement s = c.createStatement()) {
      StringBuilder b = new StringBuilder("PostgreSQL ").append(c.getMetaData().getDatabaseProductVersion())
          .append(" on loopback (");
      String sep = "";
      for (String setting : List.of("shared_buffers", "synchronous_commit", "fsync", "wal_level", "max_connections")) {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
          rs.next();
          b.append(sep).append(setting).append('=').append(rs.getString(1));
          sep = ", ";
        }
      }
      return b.append(')').toString();
    } catch (SQLException e) {
      return "PostgreSQL unreachable (" + e.getMessage() + ")";
    }
  }

  private static String h2() {
    try (Connection c = DriverManager.getConnection("jdbc:h2:mem:", "sa", "")) {
      return "H2 " + c.getMetaData().getDatabaseProductVersion() + " (embedded, in memory)";
    } catch (SQLException e) {
      return "H2 unavailable (" + e.getMessage() + ")";
    }
  }

  private static void replaceBlock(Path file, String block) throws IOException {
    String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    int from = text.indexOf(BEGIN);
    int to = text.indexOf(END);
    String updated;
    if (from >= 0 && to > from) {
      updated = text.substring(0, from) + block.strip() + text.substring(to + END.length());
    } else {
      updated = text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + "\n## JDBC\n\n" + block;
    }
    Files.writeString(file, updated, StandardCharsets.UTF_8);
  }
}
