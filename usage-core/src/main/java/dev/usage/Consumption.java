package dev.usage;

import dev.usage.internal.Checks;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one request costs one user: an amount per quota type, all consumed together or not at all,
 * optionally under an idempotency key (scoped to the user) so that a retried request counts once.
 *
 * @param userId the user
 * @param amounts units per quota type, each {@code 0..Quota.MAX_AMOUNT}; zero entries are dropped; a reservation
 *     holds at most {@value #MAX_RESERVED_TYPES} types
 * @param idempotencyKey the key that makes the call safe to retry
 */
public record Consumption(String userId, Map<QuotaType, Long> amounts, Optional<String> idempotencyKey) {

  /** The most quota types one reservation may hold (what every store keeps of a reservation is bounded). */
  public static final int MAX_RESERVED_TYPES = 16;

  public Consumption {
    Checks.id("userId", userId);
    Checks.noNullEntries("amounts", amounts);
    TreeMap<QuotaType, Long> positive = new TreeMap<>();
    for (Map.Entry<QuotaType, Long> e : amounts.entrySet()) {
      long v = Checks.amount("amounts." + e.getKey().name(), e.getValue());
      if (v > 0) {
        positive.put(e.getKey(), v);
      }
    }
    amounts = Collections.unmodifiableMap(positive);
    idempotencyKey = Checks.optionalText("idempotencyKey", idempotencyKey, Checks.MAX_ID_LENGTH);
  }

  /** One amount of one type, no idempotency key. */
  public static Consumption of(String userId, QuotaType type, long amount) {
    return builder(userId).amount(type, amount).build();
  }

  public static Builder builder(String userId) {
    return new Builder(userId);
  }

  /** The amount of {@code type}, zero when absent. */
  public long amount(QuotaType type) {
    return amounts.getOrDefault(type, 0L);
  }

  /** Builds a {@link Consumption}; amounts of the same type add up. Not thread-safe. */
  public static final class Builder {
    private final String userId;
    private final Map<QuotaType, Long> amounts = new TreeMap<>();
    private String idempotencyKey;

    private Builder(String userId) {
      this.userId = userId;
    }

    public Builder characters(long n) {
      return amount(QuotaType.CHARACTERS, n);
    }

    public Builder requests(long n) {
      return amount(QuotaType.REQUESTS, n);
    }

    public Builder tokens(long n) {
      return amount(QuotaType.TOKENS, n);
    }

    public Builder amount(QuotaType type, long n) {
      Checks.notNull("quotaType", type);
      Checks.amount("amounts." + type.name(), n);
      long sum = amounts.getOrDefault(type, 0L) + n; // both <= 2^53, cannot overflow
      amounts.put(type, Checks.amount("amounts." + type.name(), sum));
      return this;
    }

    public Builder idempotencyKey(String key) {
      this.idempotencyKey = key;
      return this;
    }

    public Consumption build() {
      return new Consumption(userId, amounts, Optional.ofNullable(idempotencyKey));
    }
  }
}
