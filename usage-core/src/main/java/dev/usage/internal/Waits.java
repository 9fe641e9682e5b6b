package dev.usage.internal;

/** Waits of a close, which only their deadline ends. */
final class Waits {

  /** A wait of at most the given nanoseconds; true when what it waits for happened. */
  @FunctionalInterface
  interface Timed {
    boolean await(long nanos) throws InterruptedException;
  }

  private Waits() {}

  /**
   * Calls {@code wait} with what is left until {@code deadline} ({@link System#nanoTime()}) until it returns true or
   * the deadline has passed, whatever interrupts come meanwhile: a caller closing the engine from an interrupted
   * thread still gets what it closes delivered. The thread's interrupt flag is set again before returning.
   *
   * @return whether {@code wait} returned true
   */
  static boolean untilDeadline(long deadline, Timed wait) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          if (wait.await(Math.max(0, deadline - System.nanoTime()))) {
            return true;
          }
        } catch (InterruptedException e) {
          interrupted = true; // and waits on, unless the deadline has passed
        }
        if (deadline - System.nanoTime() <= 0) {
          return false;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** {@link #untilDeadline} for {@code thread} to end. */
  static boolean join(Thread thread, long deadline) {
    return untilDeadline(deadline, nanos -> {
      thread.join(Math.max(1, nanos / 1_000_000));
      return !thread.isAlive();
    });
  }
}
