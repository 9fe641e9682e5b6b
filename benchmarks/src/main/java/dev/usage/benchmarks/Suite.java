package dev.usage.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs groups of JMH benchmarks and prints, as Markdown, one row per benchmark (median and range of all
 * measured iterations over all forks) and the ratio of ours to bare for each target, with the machine it
 * ran on. The benchmarks of a group (the sides of its comparisons) run one fork each in turn ({@code -f N}
 * rounds, default 3, order alternating), so that background load drifting during the run falls on all of
 * them; a ratio's range is over those rounds. Other JMH options pass through ({@code -wi 1 -i 2 -r 3 -prof jfr
 * ...}); {@code -Dbench.only=REGEX} picks benchmarks by name. The Markdown goes to stdout and to
 * {@code -Dbench.out=FILE}; with {@code -Dbench.results=RESULTS.md} it also replaces the block between
 * {@code <!-- NAME-results:begin -->} and {@code <!-- NAME-results:end -->} (or appends a section with it).
 *
 * <p>Each backend has an entry point that configures one ({@link #builder}): its benchmark package, groups,
 * targets, block name and the software it ran against. Immutable; {@link #run} may be called once per JVM.
 */
public final class Suite {

  /**
   * A target: {@code ours} / {@code bare} (simple names, {@code Class.method}) must reach {@code min}, or with
   * {@code atMost} must not exceed it (for times: ours at most {@code min} times bare); a target with
   * {@code min} 0 is a diagnostic (its ratio is shown, nothing is required of it).
   */
  public record Target(String title, String ours, String bare, double min, boolean atMost) {

    public Target {
      Objects.requireNonNull(title, "title");
      Objects.requireNonNull(ours, "ours");
      Objects.requireNonNull(bare, "bare");
      if (min < 0) {
        throw new IllegalArgumentException("min must not be negative: " + min);
      }
    }

    boolean diagnostic() {
      return min == 0;
    }

    boolean met(double ratio) {
      return atMost ? ratio <= min : ratio >= min;
    }

    String needed() {
      return diagnostic() ? "–" : (atMost ? "≤ " : "≥ ")
          + java.math.BigDecimal.valueOf(min).stripTrailingZeros().toPlainString() + "×";
    }
  }

  /** An absolute bound: the median of {@code benchmark} (in its own unit, a time per operation) at most {@code max}. */
  public record Limit(String title, String benchmark, double max) {

    public Limit {
      Objects.requireNonNull(title, "title");
      Objects.requireNonNull(benchmark, "benchmark");
      if (!(max > 0)) {
        throw new IllegalArgumentException("max must be positive: " + max);
      }
    }
  }

  /** Median, range and per-fork means of one benchmark's measured iterations. */
  record Stats(String name, String unit, int threads, double median, double min, double max,
      List<Double> forkMeans) {}

  private final String begin;
  private final String end;
  private final String heading;
  private final String benchmarkPackage;
  private final List<List<String>> groups;
  private final List<Target> targets;
  private final List<Limit> limits;
  private final Supplier<String> software;

  private Suite(Builder b) {
    this.begin = "<!-- " + b.name + "-results:begin -->";
    this.end = "<!-- " + b.name + "-results:end -->";
    this.heading = b.heading;
    this.benchmarkPackage = b.benchmarkPackage + ".";
    this.groups = List.copyOf(b.groups);
    this.targets = List.copyOf(b.targets);
    this.limits = List.copyOf(b.limits);
    this.software = b.software;
  }

  /**
   * A suite whose results block in RESULTS.md is {@code <!-- NAME-results:begin -->} ...
   * {@code <!-- NAME-results:end -->}.
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The start marker of this suite's generated block. */
  public String begin() {
    return begin;
  }

  /** The end marker of this suite's generated block. */
  public String end() {
    return end;
  }

  /** Runs the suite with JMH command-line options (see the class comment) and reports. */
  public void run(String[] args) throws Exception {
    CommandLineOptions cli = new CommandLineOptions(args);
    if (!cli.getIncludes().isEmpty()) {
      throw new IllegalArgumentException("choose benchmarks with -Dbench.only=REGEX (the suite pairs and interleaves them)");
    }
    Pattern only = Pattern.compile(System.getProperty("bench.only", ".*"));
    int rounds = cli.getForkCount().orElse(3);
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    Map<String, List<RunResult>> results = new LinkedHashMap<>();
    for (List<String> group : groups) {
      List<String> chosen = group.stream().filter(n -> only.matcher(n).find()).toList();
      for (int round = 0; round < rounds; round++) {
        // one fork of each side in turn, the order alternating, so that a change in the machine's
        // background load falls on both sides of a ratio
        List<String> order = new ArrayList<>(chosen);
        if (round % 2 == 1) {
          Collections.reverse(order);
        }
        for (String name : order) {
          OptionsBuilder options = new OptionsBuilder();
          options.parent(cli);
          options.include("^" + Pattern.quote(benchmarkPackage + name) + "$").forks(1);
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
  static Stats stats(String name, List<RunResult> runs) {
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

  String markdown(Map<String, Stats> stats, ZonedDateTime started, double loadBefore, double loadAfter,
      String args) {
    StringBuilder b = new StringBuilder();
    b.append(begin).append('\n');
    b.append("Run ").append(started.format(DateTimeFormatter.ISO_LOCAL_DATE)).append(' ')
        .append(started.format(DateTimeFormatter.ofPattern("HH:mm"))).append(" UTC")
        .append(args.isBlank() ? ", default JMH options" : ", JMH options `" + args + "`").append(".\n\n");
    b.append("| benchmark | threads | median of all iterations | min – max | mean of each fork (round) |\n");
    b.append("|---|---:|---:|---|---|\n");
    for (Stats s : stats.values()) {
      if (s.forkMeans.isEmpty()) {
        b.append("| ").append(s.name).append(" | – | **no result** (the benchmark failed; see its output) | – | – |\n");
        continue;
      }
      b.append("| ").append(s.name).append(" | ").append(s.threads).append(" | ")
          .append(num(s.median)).append(' ').append(s.unit).append(" | ")
          .append(num(s.min)).append(" – ").append(num(s.max)).append(" | ")
          .append(String.join(", ", s.forkMeans.stream().map(Suite::num).toList())).append(" |\n");
    }
    b.append("\n| target | ours / bare (medians) | range of the rounds' ratios | needed | met |\n");
    b.append("|---|---:|---|---:|---|\n");
    for (Target t : targets) {
      Stats ours = stats.get(t.ours);
      Stats bare = stats.get(t.bare);
      if (ours == null || bare == null) {
        continue;
      }
      if (ours.forkMeans.isEmpty() || bare.forkMeans.isEmpty()) {
        b.append("| ").append(t.title).append(" | n/a | – | ").append(t.needed()).append(" | ")
            .append(t.diagnostic() ? "–" : "**no result**").append(" |\n");
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
          .append(t.needed()).append(" | ")
          .append(t.diagnostic() ? "–" : t.met(ratio) ? "yes" : "**no**").append(" |\n");
    }
    if (!limits.isEmpty()) {
      b.append("\n| bound | median | range of the rounds' means | needed | met |\n");
      b.append("|---|---:|---|---:|---|\n");
      for (Limit l : limits) {
        Stats s = stats.get(l.benchmark);
        if (s == null) {
          continue;
        }
        if (s.forkMeans.isEmpty()) {
          b.append("| ").append(l.title).append(" | n/a | – | ≤ ").append(num(l.max)).append(" | **no result** |\n");
          continue;
        }
        double lo = s.forkMeans.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double hi = s.forkMeans.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        b.append("| ").append(l.title).append(" | ").append(num(s.median)).append(' ').append(s.unit).append(" | ")
            .append(num(lo)).append(" – ").append(num(hi)).append(" | ≤ ").append(num(l.max)).append(' ')
            .append(s.unit).append(" | ").append(s.median <= l.max ? "yes" : "**no**").append(" |\n");
      }
    }
    b.append("\nMachine: ").append(machine()).append(String.format(Locale.ROOT,
        "; load average %.2f before, %.2f after the run.", loadBefore, loadAfter)).append('\n');
    b.append(end).append('\n');
    return b.toString();
  }

  static String num(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }

  /** Cores, CPU, memory, OS and JDK, then the suite's software. */
  private String machine() {
    StringBuilder b = new StringBuilder();
    b.append(Runtime.getRuntime().availableProcessors()).append(" cores");
    cpuModel().ifPresent(m -> b.append(" (").append(m).append(')'));
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      b.append(String.format(Locale.ROOT, ", %.1f GiB RAM", os.getTotalMemorySize() / (1024.0 * 1024 * 1024)));
    }
    b.append(", ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"));
    b.append(", JDK ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"));
    b.append(", ").append(software.get());
    return b.toString();
  }

  /** The version of a library in the uber-jar, from its Maven metadata; {@code ?} when it has none. */
  public static String mavenVersion(String group, String artifact) {
    String path = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (var in = Suite.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        return "?";
      }
      Properties p = new Properties();
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

  private void replaceBlock(Path file, String block) throws IOException {
    String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    String updated;
    if (from >= 0 && to > from) {
      updated = text.substring(0, from) + block.strip() + text.substring(to + end.length());
    } else {
      updated = text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + "\n## " + heading + "\n\n" + block;
    }
    Files.writeString(file, updated, StandardCharsets.UTF_8);
  }

  /** Configures a {@link Suite}. Not thread-safe. */
  public static final class Builder {

    private final String name;
    private String heading;
    private String benchmarkPackage;
    private final List<List<String>> groups = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();
    private final List<Limit> limits = new ArrayList<>();
    private Supplier<String> software = () -> "";

    private Builder(String name) {
      if (name == null || !name.matches("[a-z][a-z0-9-]*")) {
        throw new IllegalArgumentException("name must be lower-case letters, digits and dashes: " + name);
      }
      this.name = name;
      this.heading = name;
    }

    /** The section title used when RESULTS.md has no block yet. Default: the name. */
    public Builder heading(String title) {
      this.heading = Objects.requireNonNull(title, "heading");
      return this;
    }

    /** The package of the benchmark classes; groups and targets name them relative to it. */
    public Builder benchmarkPackage(String name) {
      this.benchmarkPackage = Objects.requireNonNull(name, "benchmarkPackage");
      return this;
    }

    /** Benchmarks ({@code Class.method}) compared with one another: run interleaved, fork by fork. */
    public Builder group(String... benchmarks) {
      if (benchmarks.length == 0) {
        throw new IllegalArgumentException("a group needs benchmarks");
      }
      groups.add(List.of(benchmarks));
      return this;
    }

    /** A target ratio: {@code ours} / {@code bare} must reach {@code min}. */
    public Builder target(String title, String ours, String bare, double min) {
      if (min <= 0) {
        throw new IllegalArgumentException("a target needs a positive minimum (use diagnostic): " + min);
      }
      targets.add(new Target(title, ours, bare, min, false));
      return this;
    }

    /** A target ratio for times: {@code ours} / {@code bare} must not exceed {@code max}. */
    public Builder ceiling(String title, String ours, String bare, double max) {
      if (max <= 0) {
        throw new IllegalArgumentException("a ceiling needs a positive maximum: " + max);
      }
      targets.add(new Target(title, ours, bare, max, true));
      return this;
    }

    /** An absolute bound: the median of {@code benchmark}, in its unit, must not exceed {@code max}. */
    public Builder limit(String title, String benchmark, double max) {
      limits.add(new Limit(title, benchmark, max));
      return this;
    }

    /** A ratio shown for diagnosis, with nothing required of it. */
    public Builder diagnostic(String title, String ours, String bare) {
      targets.add(new Target(title, ours, bare, 0, false));
      return this;
    }

    /** What the benchmarks ran against (servers, drivers), appended to the machine line at the end of a run. */
    public Builder software(Supplier<String> description) {
      this.software = Objects.requireNonNull(description, "software");
      return this;
    }

    public Suite build() {
      Objects.requireNonNull(benchmarkPackage, "benchmarkPackage");
      for (Target t : targets) {
        boolean found = groups.stream().anyMatch(g -> g.contains(t.ours()) && g.contains(t.bare()));
        if (!found) {
          throw new IllegalArgumentException("target '" + t.title() + "' compares benchmarks of no single group");
        }
      }
      for (Limit l : limits) {
        if (groups.stream().noneMatch(g -> g.contains(l.benchmark()))) {
          throw new IllegalArgumentException("limit '" + l.title() + "' names a benchmark of no group");
        }
      }
      return new Suite(this);
    }
  }
}
