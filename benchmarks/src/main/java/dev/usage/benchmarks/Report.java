package dev.usage.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The Markdown of one suite run: a row per benchmark configuration, the sample-mode percentiles, the targets'
 * ratios and the absolute bounds. A configuration's JMH parameters are shown only where they vary within the
 * run (a suite whose benchmarks each ran with one set of parameters prints just {@code Class.method}).
 */
final class Report {

  private final Collection<Stats> stats;
  private final Set<String> varying;

  Report(Collection<Stats> stats) {
    this.stats = stats;
    Map<String, Set<String>> values = new java.util.HashMap<>();
    for (Stats s : stats) {
      s.config().params().forEach((k, v) -> values.computeIfAbsent(k, x -> new HashSet<>()).add(v));
    }
    this.varying = values.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** {@code Class.method}, then the parameters that vary in this run: {@code Class.method (shape=X, users=1)}. */
  String label(Stats.Config c) {
    String p = c.params().entrySet().stream().filter(e -> varying.contains(e.getKey()))
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    return p.isEmpty() ? c.name() : c.name() + " (" + p + ")";
  }

  void benchmarks(StringBuilder b) {
    b.append("| benchmark | threads | median of all iterations | min – max | mean of each fork (round) |\n");
    b.append("|---|---:|---:|---|---|\n");
    for (Stats s : stats) {
      if (s.forkMeans().isEmpty()) {
        b.append("| ").append(label(s.config())).append(" | ").append(s.threads() > 0 ? s.threads() : "–")
            .append(" | **no result** (the benchmark failed; see its output) | – | – |\n");
        continue;
      }
      b.append("| ").append(label(s.config())).append(" | ").append(s.threads()).append(" | ")
          .append(num(s.median())).append(' ').append(s.unit()).append(" | ")
          .append(num(s.min())).append(" – ").append(num(s.max())).append(" | ")
          .append(String.join(", ", s.forkMeans().stream().map(Report::num).toList())).append(" |\n");
    }
  }

  /** Sample-mode benchmarks: percentiles over all samples of all forks (nothing when there are none). */
  void samples(StringBuilder b) {
    List<Stats> sampled = stats.stream().filter(s -> s.samples().isPresent()).toList();
    if (sampled.isEmpty()) {
      return;
    }
    b.append("\n| benchmark (sample mode, all forks' samples) | threads | samples | mean | p50 | p90 | p99 | p99.9 | p99 of each fork |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Stats s : sampled) {
      Stats.Samples x = s.samples().orElseThrow();
      b.append("| ").append(label(s.config())).append(" | ").append(s.threads()).append(" | ")
          .append(String.format(Locale.ROOT, "%,d", x.n())).append(" | ")
          .append(num(x.mean())).append(' ').append(s.unit()).append(" | ")
          .append(num(x.p50())).append(" | ").append(num(x.p90())).append(" | ")
          .append(num(x.p99())).append(" | ").append(num(x.p999())).append(" | ")
          .append(String.join(", ", x.forkP99().stream().map(Report::num).toList())).append(" |\n");
    }
  }

  void targets(StringBuilder b, List<Suite.Target> targets) {
    b.append("\n| target | ours / bare (medians) | range of the rounds' ratios | needed | met |\n");
    b.append("|---|---:|---|---:|---|\n");
    for (Suite.Target t : targets) {
      List<Stats> ours = stats.stream().filter(s -> s.name().equals(t.ours()) && s.config().matches(t.where()))
          .toList();
      for (Stats o : ours) {
        Optional<Stats> bare = partner(o.config().with(t.bareAt()), t.bare(), t.bareAt().isEmpty());
        if (bare.isEmpty()) {
          continue;
        }
        String title = ours.size() == 1 ? t.title() : t.title() + " (" + point(o.config()) + ")";
        row(b, t, title, o, bare.get());
      }
    }
  }

  /**
   * {@code bare}'s configuration at the point {@code at} (parameters and threads); or, with {@code orOnly}, its only
   * one (a bare side measured at one point only). A target that names bare's point ({@code bareAt}) never falls
   * back: another point's bare would be a different baseline.
   */
  private Optional<Stats> partner(Stats.Config at, String bare, boolean orOnly) {
    List<Stats> all = stats.stream().filter(s -> s.name().equals(bare)).toList();
    Optional<Stats> same = all.stream().filter(s -> s.config().samePoint(at)).findFirst();
    return same.isPresent() || !orOnly || all.size() != 1 ? same : Optional.of(all.get(0));
  }

  /** The varying parameters and the thread count of a configuration, for a row title. */
  private String point(Stats.Config c) {
    List<String> parts = new ArrayList<>();
    c.params().forEach((k, v) -> {
      if (varying.contains(k)) {
        parts.add(k + "=" + v);
      }
    });
    parts.add(c.threads() + (c.threads() == 1 ? " thread" : " threads"));
    return String.join(", ", parts);
  }

  private static void row(StringBuilder b, Suite.Target t, String title, Stats ours, Stats bare) {
    if (ours.forkMeans().isEmpty() || bare.forkMeans().isEmpty()) {
      b.append("| ").append(title).append(" | n/a | – | ").append(t.needed()).append(" | ")
          .append(t.diagnostic() ? "–" : "**no result**").append(" |\n");
      return;
    }
    double ratio = ours.median() / bare.median();
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (int i = 0; i < Math.min(ours.forkMeans().size(), bare.forkMeans().size()); i++) {
      double r = ours.forkMeans().get(i) / bare.forkMeans().get(i);
      lo = Math.min(lo, r);
      hi = Math.max(hi, r);
    }
    b.append("| ").append(title).append(" | ").append(String.format(Locale.ROOT, "%.2f×", ratio)).append(" | ")
        .append(String.format(Locale.ROOT, "%.2f – %.2f", lo, hi)).append(" | ")
        .append(t.needed()).append(" | ")
        .append(t.diagnostic() ? "–" : t.met(ratio) ? "yes" : "**no**").append(" |\n");
  }

  void limits(StringBuilder b, List<Suite.Limit> limits) {
    if (limits.isEmpty()) {
      return;
    }
    b.append("\n| bound | median | range of the rounds' means | needed | met |\n");
    b.append("|---|---:|---|---:|---|\n");
    for (Suite.Limit l : limits) {
      for (Stats s : stats) {
        if (!s.name().equals(l.benchmark()) || !s.config().matches(l.where())) {
          continue;
        }
        String what = l.p99() ? " (p99 of all samples; range: each fork's p99)" : "";
        if (s.forkMeans().isEmpty() || (l.p99() && s.samples().isEmpty())) {
          b.append("| ").append(l.title()).append(what).append(" | n/a | – | ≤ ").append(num(l.max()))
              .append(" | **no result** |\n");
          continue;
        }
        double value;
        List<Double> perFork;
        if (l.p99()) {
          Stats.Samples x = s.samples().orElseThrow();
          value = x.p99();
          perFork = x.forkP99();
        } else {
          value = s.median();
          perFork = s.forkMeans();
        }
        double lo = perFork.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double hi = perFork.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        b.append("| ").append(l.title()).append(what).append(" | ").append(num(value)).append(' ').append(s.unit())
            .append(" | ").append(num(lo)).append(" – ").append(num(hi)).append(" | ≤ ").append(num(l.max()))
            .append(' ').append(s.unit()).append(" | ").append(value <= l.max() ? "yes" : "**no**").append(" |\n");
      }
    }
  }

  static String num(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }
}
