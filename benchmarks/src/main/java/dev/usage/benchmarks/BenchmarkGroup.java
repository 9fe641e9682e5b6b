package dev.usage.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Benchmarks ({@code Class.method}) compared with one another, and optionally the matrix they are compared
 * over: JMH parameter values ({@code -p name=value}) and thread counts ({@code -t}). {@link Suite} runs every
 * point of the matrix in turn, and at each point the benchmarks one fork each per round, in alternating order,
 * so that the forks of one comparison run next to each other in time. Without a matrix the benchmarks run
 * with their annotations' parameters and threads (all parameter combinations in one JMH run per fork), as
 * before. How much is measured at a point ({@link Effort}: rounds, iterations and their times) is the group's
 * {@link #effort(Effort)}, or the last {@link #effort(Effort, String)} whose configurations match the point, so
 * that a large matrix can be surveyed briefly and its target points measured in full. Immutable; the withers
 * return a copy.
 */
public record BenchmarkGroup(List<String> benchmarks, Map<String, List<String>> params, List<Integer> threads,
    List<Focus> efforts) {

  /**
   * One point of the matrix: the parameter values, the thread count (0: the benchmark's own) and how much is
   * measured there.
   */
  public record Point(Map<String, String> params, int threads, Effort effort) {}

  /** An effort at the configurations {@code where} names (all points when empty). */
  public record Focus(Map<String, String> where, Effort effort) {

    public Focus {
      where = Map.copyOf(where);
      Objects.requireNonNull(effort, "effort");
    }

    boolean matches(Map<String, String> params, int threads) {
      return where.entrySet().stream().allMatch(e -> e.getKey().equals("threads")
          ? e.getValue().equals(Integer.toString(threads)) : e.getValue().equals(params.get(e.getKey())));
    }
  }

  public BenchmarkGroup {
    benchmarks = List.copyOf(benchmarks);
    if (benchmarks.isEmpty()) {
      throw new IllegalArgumentException("benchmarks: a group needs at least one");
    }
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    params.forEach((k, v) -> {
      if (v.isEmpty()) {
        throw new IllegalArgumentException("params: no value for " + k);
      }
    });
    threads = List.copyOf(threads);
    if (threads.stream().anyMatch(t -> t < 1)) {
      throw new IllegalArgumentException("threads must be positive: " + threads);
    }
    efforts = List.copyOf(efforts);
  }

  /** A group of {@code benchmarks} without a matrix. */
  public static BenchmarkGroup of(String... benchmarks) {
    return new BenchmarkGroup(List.of(benchmarks), Map.of(), List.of(), List.of());
  }

  /** The same group, measured with {@code effort} at every point (unless a later focus says otherwise). */
  public BenchmarkGroup effort(Effort effort) {
    return effort(effort, "");
  }

  /**
   * The same group, measured with {@code effort} at the points {@code where} names: space-separated
   * {@code name=value} of JMH parameters and {@code threads} (e.g. {@code "users=10000 threads=32"}).
   */
  public BenchmarkGroup effort(Effort effort, String where) {
    List<Focus> e = new ArrayList<>(efforts);
    e.add(new Focus(where(where), effort));
    return new BenchmarkGroup(benchmarks, params, threads, e);
  }

  /** {@code "a=1 threads=8"} as a map. */
  static Map<String, String> where(String spec) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String part : spec.trim().split("\\s+")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("where: expected name=value, got '" + part + "'");
      }
      m.put(part.substring(0, eq), part.substring(eq + 1));
    }
    return m;
  }

  private Effort effortAt(Map<String, String> point, int threadCount) {
    Effort chosen = Effort.DEFAULT;
    for (Focus f : efforts) {
      if (f.matches(point, threadCount)) {
        chosen = f.effort();
      }
    }
    return chosen;
  }

  /** The same group, also run with each of {@code values} of the JMH parameter {@code name}. */
  public BenchmarkGroup param(String name, String... values) {
    Objects.requireNonNull(name, "name");
    Map<String, List<String>> p = new LinkedHashMap<>(params);
    p.put(name, List.of(values));
    return new BenchmarkGroup(benchmarks, p, threads, efforts);
  }

  /** The same group, run with each of these thread counts (JMH {@code -t}). */
  public BenchmarkGroup threads(int... counts) {
    List<Integer> t = new ArrayList<>();
    for (int c : counts) {
      t.add(c);
    }
    return new BenchmarkGroup(benchmarks, params, t, efforts);
  }

  /**
   * The matrix, parameters in the order declared (the first varying slowest) and threads innermost; one point
   * with no parameters and thread count 0 for a group without a matrix.
   */
  public List<Point> points() {
    List<Map<String, String>> combos = new ArrayList<>();
    combos.add(new LinkedHashMap<>());
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> c : combos) {
        for (String v : e.getValue()) {
          Map<String, String> m = new LinkedHashMap<>(c);
          m.put(e.getKey(), v);
          next.add(m);
        }
      }
      combos = next;
    }
    List<Point> points = new ArrayList<>();
    for (Map<String, String> c : combos) {
      if (threads.isEmpty()) {
        points.add(new Point(Map.copyOf(c), 0, effortAt(c, 0)));
      } else {
        for (int t : threads) {
          points.add(new Point(Map.copyOf(c), t, effortAt(c, t)));
        }
      }
    }
    return points;
  }
}
