package dev.usage;

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
    return "quota exceeded: "
        + decision.violated().stream().map(QuotaType::name).collect(Collectors.joining(", "))
        + "; retry after " + decision.retryAfter();
  }

  /** The denied decision, with the status of every quota involved. */
  public QuotaDecision decision() {
    return decision;
  }
}
