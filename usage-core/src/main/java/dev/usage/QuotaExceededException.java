package dev.usage;

import java.time.Duration;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Thrown by the enforcing calls when a request would exceed a HARD quota. Nothing was consumed.
 * {@link #decision()} says which quotas were violated, what remains and when they reset.
 */
public class QuotaExceededException extends UsageException {
  private static final long serialVersionUID = 1L;

  private final transient QuotaDecision decision;

  public QuotaExceededException(QuotaDecision decision) {
    super(message(decision));
    this.decision = decision;
  }

  private static String message(QuotaDecision decision) {
    Objects.requireNonNull(decision, "decision");
    String violated = decision.violated().stream().map(QuotaType::name).collect(Collectors.joining(", "));
    if (!decision.retryable()) {
      return "quota exceeded: " + violated + "; the request asks for more than the whole limit of "
          + decision.beyondLimit().stream().map(QuotaType::name).collect(Collectors.joining(", "))
          + ", so no reset makes room for it";
    }
    return "quota exceeded: " + violated + "; retry in " + readable(decision.retryAfter());
  }

  /** {@code 27d 4h 17m 12s}: whole seconds, rounded up, zero units left out ({@code 0s} for none). */
  static String readable(Duration d) {
    long seconds = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    if (seconds <= 0) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    long[] units = {86_400, 3_600, 60, 1};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      long n = seconds / units[i];
      seconds %= units[i];
      if (n > 0) {
        b.append(b.length() == 0 ? "" : " ").append(n).append(names[i]);
      }
    }
    return b.toString();
  }

  /** The denied decision, with the status of every quota involved. */
  public QuotaDecision decision() {
    return decision;
  }
}
