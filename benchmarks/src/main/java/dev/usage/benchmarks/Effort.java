package dev.usage.benchmarks;

/**
 * How much a {@link Suite} measures at one point of a {@link BenchmarkGroup}'s matrix: rounds (one fork of each
 * side per round), and JMH's warm-up and measurement iterations and their seconds per fork. A 0 leaves the
 * value to the command line or the benchmark's annotations (rounds: {@code -f}, else 3). What the command line
 * sets ({@code -f}, {@code -wi}, {@code -w}, {@code -i}, {@code -r}) wins over an effort, so a short check
 * stays short everywhere.
 */
public record Effort(int rounds, int warmupIterations, int warmupSeconds, int iterations, int seconds) {

  /** Nothing set: the command line's or the annotations' values, 3 rounds. */
  public static final Effort DEFAULT = new Effort(0, 0, 0, 0, 0);

  public Effort {
    if (rounds < 0 || warmupIterations < 0 || warmupSeconds < 0 || iterations < 0 || seconds < 0) {
      throw new IllegalArgumentException("effort values must not be negative: " + rounds + ", " + warmupIterations
          + ", " + warmupSeconds + ", " + iterations + ", " + seconds);
    }
  }

  /** Only the number of rounds; forks as annotated. */
  public static Effort rounds(int rounds) {
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds must be positive: " + rounds);
    }
    return new Effort(rounds, 0, 0, 0, 0);
  }
}
