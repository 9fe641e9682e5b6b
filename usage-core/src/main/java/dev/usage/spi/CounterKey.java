package dev.usage.spi;

import dev.usage.QuotaType;
import java.util.Objects;

/**
 * Names one counter of one user: a quota type in one period. Period ids are opaque strings the engine
 * computes ({@code M2026-11-01}, {@code W2026-11-23}, {@code D2026-11-28}); ASCII, at most 16 chars.
 *
 * @param type the quota type
 * @param periodId the period
 */
public record CounterKey(QuotaType type, String periodId) {
  public CounterKey {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(periodId, "periodId");
  }
}
