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
 * before. Immutable; the withers return a copy.
 */
public record BenchmarkGroup(List<String> benchmarks, Map<String, List<String>> params, List<Integer> threads) {

  /** One point of the matrix: the parameter values and the thread count (0: the benchmark's own). */
  public record Point(Map<String, String> params, int threads) {}

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
  }

  /** A group of {@code benchmarks} without a matrix. */
  public static BenchmarkGroup of(String... benchmarks) {
    return new BenchmarkGroup(List.of(benchmarks), Map.of(), List.of());
  }

  /** The same group, also run with each of {@code values} of the JMH parameter {@code name}. */
  public BenchmarkGroup param(String name, String... values) {
    Objects.requireNonNull(name, "name");
    Map<String, List<String>> p = new LinkedHashMap<>(params);
    p.put(name, List.of(values));
    return new BenchmarkGroup(benchmarks, p, threads);
  }

  /** The same group, run with each of these thread counts (JMH {@code -t}). */
  public BenchmarkGroup threads(int... counts) {
    List<Integer> t = new ArrayList<>();
    for (int c : counts) {
      t.add(c);
    }
    return new BenchmarkGroup(benchmarks, params, t);
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
        points.add(new Point(Map.copyOf(c), 0));
      } else {
        for (int t : threads) {
          points.add(new Point(Map.copyOf(c), t));
        }
      }
    }
    return points;
  }
}
