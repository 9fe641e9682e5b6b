package dev.usage.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs groups of JMH benchmarks and prints, as Markdown, one row per benchmark (median and range of all
 * measured iterations over all forks) and the ratio of ours to bare for each target, with the machine it
 * ran on. The benchmarks of a group (the sides of its comparisons) run one fork each in turn ({@code -f N}
 * rounds, default 3, order alternating), so that background load drifting during the run falls on all of
 * them; a ratio's range is over those rounds ({@code -f N} sets the rounds at every point; without it a
 * group's {@link Effort} may set them per point). Other JMH options pass through ({@code -wi 1 -i 2 -r 3 -prof jfr
 * ...}); {@code -Dbench.only=REGEX} picks benchmarks by name, and {@code -Dbench.where="users=1 threads=8"} the
 * points of the groups' matrices (JMH parameters and threads; a group that does not vary one of them is not
 * excluded by it). The Markdown goes to stdout and to
 * {@code -Dbench.out=FILE}; with {@code -Dbench.results=RESULTS.md} it also replaces the block between
 * {@code <!-- NAME-results:begin -->} and {@code <!-- NAME-results:end -->} (or appends a section with it).
 *
 * <p>Results are keyed by benchmark, JMH parameters and thread count, so a group run over a matrix
 * ({@link BenchmarkGroup}: parameter values and thread counts, one point after the other, the sides
 * interleaved at each point) gives one row per configuration; parameters are shown where they vary. For
 * benchmarks in {@code Mode.SampleTime} the percentiles of all samples are reported too, and a bound may be
 * put on their p99 ({@link Builder#p99Limit}).
 *
 * <p>Each backend has an entry point that configures one ({@link #builder}): its benchmark package, groups,
 * targets, block name and the software it ran against. Immutable; {@link #run} may be called once per JVM.
 */
public final class Suite {

  /**
   * A target: {@code ours} / {@code bare} (simple names, {@code Class.method}) must reach {@code min}, or with
   * {@code atMost} must not exceed it (for times: ours at most {@code min} times bare); a target with
   * {@code min} 0 is a diagnostic (its ratio is shown, nothing is required of it). {@code where} picks the
   * configurations (JMH parameter values, and {@code threads}); each configuration of ours it matches is
   * compared with bare's at the same parameters and threads, one row each, except for the parameters
   * {@code bareAt} gives bare's own values (a target that compares ours with another shape of bare).
   */
  public record Target(String title, String ours, String bare, double min, boolean atMost, Map<String, String> where,
      Map<String, String> bareAt) {

    public Target {
      Objects.requireNonNull(title, "title");
      Objects.requireNonNull(ours, "ours");
      Objects.requireNonNull(bare, "bare");
      where = Map.copyOf(where);
      bareAt = Map.copyOf(bareAt);
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

  /**
   * An absolute bound: the median of {@code benchmark}'s iteration scores (in its own unit, a time per
   * operation) at most {@code max}; with {@code p99} (sample mode only), the 99th percentile of all its samples
   * instead. {@code where} picks configurations as for a {@link Target}; one row each.
   */
  public record Limit(String title, String benchmark, double max, boolean p99, Map<String, String> where) {

    public Limit {
      Objects.requireNonNull(title, "title");
      Objects.requireNonNull(benchmark, "benchmark");
      if (!(max > 0)) {
        throw new IllegalArgumentException("max must be positive: " + max);
      }
      where = Map.copyOf(where);
    }
  }

  private final String begin;
  private final String end;
  private final String heading;
  private final String benchmarkPackage;
  private final List<BenchmarkGroup> groups;
  private final List<Target> targets;
  private final List<Limit> limits;
  private final Supplier<String> software;
  private final Supplier<String> appendix;

  private Suite(Builder b) {
    this.begin = "<!-- " + b.name + "-results:begin -->";
    this.end = "<!-- " + b.name + "-results:end -->";
    this.heading = b.heading;
    this.benchmarkPackage = b.benchmarkPackage + ".";
    this.groups = List.copyOf(b.groups);
    this.targets = List.copyOf(b.targets);
    this.limits = List.copyOf(b.limits);
    this.software = b.software;
    this.appendix = b.appendix;
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
    Map<String, String> at = BenchmarkGroup.where(System.getProperty("bench.where", ""));
    checkNames(at);
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    Map<Stats.Config, List<RunResult>> results = new LinkedHashMap<>();
    List<String> failed = new ArrayList<>();
    for (BenchmarkGroup group : groups) {
      List<String> chosen = group.benchmarks().stream().filter(n -> only.matcher(n).find()).toList();
      for (BenchmarkGroup.Point point : group.points()) {
        if (contradicts(at, point)) {
          continue;
        }
        Effort effort = point.effort();
        int rounds = cli.getForkCount().orElse(effort.rounds() > 0 ? effort.rounds() : 3);
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
            point.params().forEach(options::param);
            if (point.threads() > 0) {
              options.threads(point.threads());
            }
            applyEffort(options, cli, effort);
            Collection<RunResult> runs = runWhenFree(options);
            for (RunResult r : runs) {
              results.computeIfAbsent(Stats.config(r), k -> new ArrayList<>()).add(r);
            }
            if (runs.isEmpty()) {
              // the fork failed (its run or its end-of-trial check): keep a row that says so, and name it
              results.putIfAbsent(new Stats.Config(name, point.params(), point.threads()), new ArrayList<>());
              failed.add(name + " " + point.params() + (point.threads() > 0 ? ", " + point.threads() + " threads" : "")
                  + ", round " + (round + 1));
            }
          }
        }
      }
    }
    double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

    Map<Stats.Config, Stats> stats = new LinkedHashMap<>();
    results.forEach((config, runs) -> {
      // a placeholder of a failed fork is dropped when another round of the same configuration was measured
      boolean failedButMeasuredElsewhere = runs.isEmpty() && results.entrySet().stream().anyMatch(e -> !e.getValue()
          .isEmpty() && e.getKey().name().equals(config.name()) && e.getKey().matches(config.params())
          && (config.threads() == 0 || e.getKey().threads() == config.threads()));
      if (!failedButMeasuredElsewhere) {
        stats.put(config, Stats.of(config, runs));
      }
    });
    String md = markdown(stats, failed, started, loadBefore, loadAfter, String.join(" ", args));
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
    if (!failed.isEmpty()) {
      // after the report, so the figures of the forks that ran are kept; the exit status tells run.sh
      throw new IllegalStateException(failed.size() + " fork(s) failed: " + String.join("; ", failed));
    }
  }

  /**
   * Refuses a {@code -Dbench.where} name that is neither {@code threads} nor a parameter of some benchmark in
   * this jar: a misspelt {@code user=1} would otherwise exclude nothing, and the whole matrix would run. (A name
   * only another suite has passes, as {@code benchmarks/run.sh} gives every suite the same one.)
   */
  private static void checkNames(Map<String, String> where) throws IOException {
    Set<String> known = new TreeSet<>(Set.of("threads"));
    try (InputStream list = Suite.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
      if (list == null) {
        throw new IllegalStateException("no " + BenchmarkList.BENCHMARK_LIST + " on the class path: was the"
            + " benchmarks jar built by JMH's annotation processor?");
      }
      for (BenchmarkListEntry e : BenchmarkList.readBenchmarkList(list)) {
        if (e.getParams().hasValue()) {
          known.addAll(e.getParams().get().keySet());
        }
      }
    }
    for (String name : where.keySet()) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("bench.where: no benchmark has the parameter '" + name + "' (known: "
            + String.join(", ", known) + ")");
      }
    }
  }

  /**
   * Whether {@code where} ({@code -Dbench.where}) names another value than the point's for one of the point's
   * parameters, or another thread count than the point's; what the point does not set (a group without a
   * matrix) does not exclude it.
   */
  private static boolean contradicts(Map<String, String> where, BenchmarkGroup.Point point) {
    return where.entrySet().stream().anyMatch(e -> e.getKey().equals("threads")
        ? point.threads() > 0 && !e.getValue().equals(Integer.toString(point.threads()))
        : point.params().containsKey(e.getKey()) && !e.getValue().equals(point.params().get(e.getKey())));
  }

  /**
   * One JMH run; while another JMH instance on the machine holds its lock (someone measuring), waits for it,
   * polling every 5 s and saying so once, instead of failing the suite half-way.
   */
  private static Collection<RunResult> runWhenFree(OptionsBuilder options) throws RunnerException, InterruptedException {
    boolean said = false;
    while (true) {
      try {
        return new Runner(options.build()).run();
      } catch (RunnerException e) {
        if (e.getMessage() == null || !e.getMessage().contains("the JMH lock")) {
          throw e;
        }
        if (!said) {
          System.out.println("Another JMH instance holds the JMH lock: waiting for it");
          said = true;
        }
        Thread.sleep(5_000);
      }
    }
  }

  /** The effort's iterations and times, where the command line set none. */
  private static void applyEffort(OptionsBuilder options, CommandLineOptions cli, Effort effort) {
    if (effort.warmupIterations() > 0 && !cli.getWarmupIterations().hasValue()) {
      options.warmupIterations(effort.warmupIterations());
    }
    if (effort.warmupSeconds() > 0 && !cli.getWarmupTime().hasValue()) {
      options.warmupTime(TimeValue.seconds(effort.warmupSeconds()));
    }
    if (effort.iterations() > 0 && !cli.getMeasurementIterations().hasValue()) {
      options.measurementIterations(effort.iterations());
    }
    if (effort.seconds() > 0 && !cli.getMeasurementTime().hasValue()) {
      options.measurementTime(TimeValue.seconds(effort.seconds()));
    }
  }

  String markdown(Map<Stats.Config, Stats> stats, List<String> failed, ZonedDateTime started, double loadBefore,
      double loadAfter, String args) {
    StringBuilder b = new StringBuilder();
    b.append(begin).append('\n');
    b.append("Run ").append(started.format(DateTimeFormatter.ISO_LOCAL_DATE)).append(' ')
        .append(started.format(DateTimeFormatter.ofPattern("HH:mm"))).append(" UTC")
        .append(args.isBlank() ? ", default JMH options" : ", JMH options `" + args + "`").append(".\n\n");
    Report report = new Report(stats.values());
    report.benchmarks(b);
    report.samples(b);
    report.targets(b, targets);
    report.limits(b, limits);
    if (!failed.isEmpty()) {
      b.append("\n**Failed forks** (no result: the run or its end-of-trial check failed; see the log): ")
          .append(String.join("; ", failed)).append(".\n");
    }
    String extra = appendix.get();
    if (!extra.isBlank()) {
      b.append('\n').append(extra.strip()).append('\n');
    }
    b.append("\nMachine: ").append(machine()).append(String.format(Locale.ROOT,
        "; load average %.2f before, %.2f after the run.", loadBefore, loadAfter)).append('\n');
    b.append(end).append('\n');
    return b.toString();
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
    private final List<BenchmarkGroup> groups = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();
    private final List<Limit> limits = new ArrayList<>();
    private Supplier<String> software = () -> "";
    private Supplier<String> appendix = () -> "";

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
      groups.add(BenchmarkGroup.of(benchmarks));
      return this;
    }

    /** Benchmarks compared with one another over a matrix of JMH parameters and thread counts. */
    public Builder group(BenchmarkGroup group) {
      groups.add(Objects.requireNonNull(group, "group"));
      return this;
    }

    /** A target ratio: {@code ours} / {@code bare} must reach {@code min}. */
    public Builder target(String title, String ours, String bare, double min) {
      if (min <= 0) {
        throw new IllegalArgumentException("a target needs a positive minimum (use diagnostic): " + min);
      }
      return target(title, ours, bare, min, "");
    }

    /**
     * A target ratio at the configurations {@code where} names, space-separated {@code name=value} of JMH
     * parameters and {@code threads} (e.g. {@code "users=10000 threads=2"}).
     */
    public Builder target(String title, String ours, String bare, double min, String where) {
      return target(title, ours, bare, min, where, "");
    }

    /**
     * A target ratio at the configurations {@code where} names, each compared with bare at the same point but
     * for the parameters {@code bareAt} names (e.g. {@code "shape=ONE_QUOTA"}: ours with three quotas against
     * bare's one-quota script).
     */
    public Builder target(String title, String ours, String bare, double min, String where, String bareAt) {
      if (min <= 0) {
        throw new IllegalArgumentException("a target needs a positive minimum (use diagnostic): " + min);
      }
      targets.add(new Target(title, ours, bare, min, false, where(where), where(bareAt)));
      return this;
    }

    /** A target ratio for times: {@code ours} / {@code bare} must not exceed {@code max}. */
    public Builder ceiling(String title, String ours, String bare, double max) {
      if (max <= 0) {
        throw new IllegalArgumentException("a ceiling needs a positive maximum: " + max);
      }
      targets.add(new Target(title, ours, bare, max, true, Map.of(), Map.of()));
      return this;
    }

    /** An absolute bound: the median of {@code benchmark}, in its unit, must not exceed {@code max}. */
    public Builder limit(String title, String benchmark, double max) {
      limits.add(new Limit(title, benchmark, max, false, Map.of()));
      return this;
    }

    /**
     * An absolute bound on a sample-mode benchmark: the 99th percentile of all its samples, in its unit, must
     * not exceed {@code max}.
     */
    public Builder p99Limit(String title, String benchmark, double max) {
      limits.add(new Limit(title, benchmark, max, true, Map.of()));
      return this;
    }

    /** A ratio shown for diagnosis, with nothing required of it. */
    public Builder diagnostic(String title, String ours, String bare) {
      targets.add(new Target(title, ours, bare, 0, false, Map.of(), Map.of()));
      return this;
    }

    /** A ratio shown for diagnosis at the configurations {@code where} names (see {@link #target}). */
    public Builder diagnostic(String title, String ours, String bare, String where) {
      targets.add(new Target(title, ours, bare, 0, false, where(where), Map.of()));
      return this;
    }

    private static Map<String, String> where(String spec) {
      return BenchmarkGroup.where(spec);
    }

    /** What the benchmarks ran against (servers, drivers), appended to the machine line at the end of a run. */
    public Builder software(Supplier<String> description) {
      this.software = Objects.requireNonNull(description, "software");
      return this;
    }

    /**
     * Markdown measured outside JMH (called once, after the benchmarks), placed after the tables of a run.
     */
    public Builder appendix(Supplier<String> markdown) {
      this.appendix = Objects.requireNonNull(markdown, "appendix");
      return this;
    }

    public Suite build() {
      Objects.requireNonNull(benchmarkPackage, "benchmarkPackage");
      for (Target t : targets) {
        boolean found = groups.stream().anyMatch(g -> g.benchmarks().contains(t.ours()) && g.benchmarks().contains(t.bare()));
        if (!found) {
          throw new IllegalArgumentException("target '" + t.title() + "' compares benchmarks of no single group");
        }
      }
      for (Limit l : limits) {
        if (groups.stream().noneMatch(g -> g.benchmarks().contains(l.benchmark()))) {
          throw new IllegalArgumentException("limit '" + l.title() + "' names a benchmark of no group");
        }
      }
      return new Suite(this);
    }
  }
}
