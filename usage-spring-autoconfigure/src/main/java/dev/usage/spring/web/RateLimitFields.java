package dev.usage.spring.web;

import dev.usage.QuotaDecision;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code RateLimit-Policy} and {@code RateLimit} response fields of draft-ietf-httpapi-ratelimit-headers
 * (version 09 and later: Structured Field lists of quota policy items), one item per quota the decision
 * involved, named by its type:
 *
 * <pre>
 * RateLimit-Policy: "characters";q=10000;w=2678400;qu="characters", "requests";q=500;w=2678400;qu="requests"
 * RateLimit: "characters";r=8800;t=1209600, "requests";r=499;t=1209600
 * </pre>
 *
 * <p>{@code q} is the limit, {@code w} the current period's length in seconds (months differ in length),
 * {@code r} what remains and {@code t} the seconds until the period resets. The {@code qu} (quota unit) of
 * the requests quota is the registered {@code requests}; characters, tokens and custom types carry their
 * own name, which is not a registered unit, so a client that knows only registered units can tell them
 * apart. Unlimited quotas are left out. Stateless.
 */
public final class RateLimitFields {

  /** The policy field's name. */
  public static final String POLICY = "RateLimit-Policy";
  /** The current-state field's name. */
  public static final String RATE_LIMIT = "RateLimit";

  private RateLimitFields() {}

  /** The {@code RateLimit-Policy} value, or empty when every quota involved is unlimited. */
  public static Optional<String> policy(QuotaDecision decision) {
    // on every guarded response: one builder, no streams or intermediate strings
    StringBuilder b = null;
    for (QuotaStatus s : decision.statuses()) {
      if (s.isUnlimited()) {
        continue;
      }
      b = b == null ? new StringBuilder(96) : b.append(", ");
      String name = s.type().name();
      b.append('"').append(name).append("\";q=").append(s.limit()).append(";w=")
          .append(Duration.between(s.periodStart(), s.resetAt()).toSeconds()).append(";qu=\"").append(name).append('"');
    }
    return b == null ? Optional.empty() : Optional.of(b.toString());
  }

  /** The {@code RateLimit} value at {@code now}, or empty when every quota involved is unlimited. */
  public static Optional<String> rateLimit(QuotaDecision decision, Instant now) {
    return rateLimit(decision, now, Map.of());
  }

  /**
   * As {@link #rateLimit(QuotaDecision, Instant)}, with the units {@code released} no longer held: the value once
   * the decision's reservation was given back (a guarded call that failed).
   */
  public static Optional<String> rateLimit(QuotaDecision decision, Instant now, Map<QuotaType, Long> released) {
    StringBuilder b = null;
    for (QuotaStatus s : decision.statuses()) {
      if (s.isUnlimited()) {
        continue;
      }
      Long back = released.isEmpty() ? null : released.get(s.type());
      long remaining = back == null ? s.remaining()
          : Math.max(0, s.limit() - s.used() - Math.max(0, s.reserved() - back));
      b = b == null ? new StringBuilder(64) : b.append(", ");
      b.append('"').append(s.type().name()).append("\";r=").append(remaining).append(";t=")
          .append(secondsUntil(now, s.resetAt()));
    }
    return b == null ? Optional.empty() : Optional.of(b.toString());
  }

  /** Whole seconds from {@code now} to {@code at}, rounded up, never negative. */
  public static long secondsUntil(Instant now, Instant at) {
    return seconds(Duration.between(now, at));
  }

  /** Whole seconds of {@code d}, rounded up, never negative. */
  public static long seconds(Duration d) {
    if (d.isNegative() || d.isZero()) {
      return 0;
    }
    return d.getNano() == 0 ? d.getSeconds() : d.getSeconds() + 1;
  }
}
