package dev.usage.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;

/**
 * One benchmark configuration (method, JMH parameters, threads) over its rounds, each round one fork:
 * median, range and per-fork means of the measured iterations' scores, and for {@link Mode#SampleTime} the
 * percentiles of all samples.
 */
record Stats(Config config, String unit, double median, double min, double max, List<Double> forkMeans,
    Optional<Samples> samples) {

  /** What a result is keyed by: {@code Class.method}, its JMH parameters (sorted by name) and its thread count. */
  record Config(String name, Map<String, String> params, int threads) {

    Config {
      params = Collections.unmodifiableMap(new TreeMap<>(params));
    }

    /** Whether every {@code where} entry matches a parameter ({@code threads} matches the thread count). */
    boolean matches(Map<String, String> where) {
      for (Map.Entry<String, String> e : where.entrySet()) {
        String actual = e.getKey().equals("threads") ? Integer.toString(threads) : params.get(e.getKey());
        if (!e.getValue().equals(actual)) {
          return false;
        }
      }
      return true;
    }

    /** This point with the parameters (and {@code threads}) of {@code changes} set to their values there. */
    Config with(Map<String, String> changes) {
      Map<String, String> p = new TreeMap<>(params);
      changes.forEach((k, v) -> {
        if (!k.equals("threads")) {
          p.put(k, v);
        }
      });
      return new Config(name, p, changes.containsKey("threads") ? Integer.parseInt(changes.get("threads")) : threads);
    }

    /** The same parameters and threads as {@code other}, whatever the method. */
    boolean samePoint(Config other) {
      return params.equals(other.params) && threads == other.threads;
    }
  }

  /** Sample mode: percentiles of all samples of all forks, and each fork's p99 (in the score's unit). */
  record Samples(long n, double mean, double p50, double p90, double p99, double p999, List<Double> forkP99) {}

  static Config config(RunResult r) {
    String full = r.getParams().getBenchmark();
    int cls = full.lastIndexOf('.', full.lastIndexOf('.') - 1);
    Map<String, String> params = new TreeMap<>();
    for (String k : r.getParams().getParamsKeys()) {
      params.put(k, r.getParams().getParam(k));
    }
    return new Config(full.substring(cls + 1), params, r.getParams().getThreads());
  }

  /** One configuration over its rounds: each round is one fork. */
  static Stats of(Config config, List<RunResult> runs) {
    List<Double> all = new ArrayList<>();
    List<Double> forkMeans = new ArrayList<>();
    List<Double> forkP99 = new ArrayList<>();
    List<BenchmarkResult> forks = new ArrayList<>();
    String unit = "";
    boolean sampled = false;
    for (RunResult r : runs) {
      unit = r.getPrimaryResult().getScoreUnit();
      sampled = r.getParams().getMode() == Mode.SampleTime;
      for (BenchmarkResult fork : r.getBenchmarkResults()) {
        forks.add(fork);
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
          if (sampled) {
            forkP99.add(fork.getPrimaryResult().getStatistics().getPercentile(99));
          }
        }
      }
    }
    Optional<Samples> samples = Optional.empty();
    if (sampled && !forkMeans.isEmpty()) {
      // JMH merges the forks' sample histograms when it aggregates a run
      Statistics s = new RunResult(runs.get(0).getParams(), forks).getPrimaryResult().getStatistics();
      samples = Optional.of(new Samples(s.getN(), s.getMean(), s.getPercentile(50), s.getPercentile(90),
          s.getPercentile(99), s.getPercentile(99.9), forkP99));
    }
    List<Double> sorted = new ArrayList<>(all);
    sorted.sort(Double::compare);
    double median = sorted.isEmpty() ? Double.NaN : sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
        : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    return new Stats(config, unit, median, sorted.isEmpty() ? Double.NaN : sorted.get(0),
        sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1), forkMeans, samples);
  }

  String name() {
    return config.name();
  }

  int threads() {
    return config.threads();
  }
}
