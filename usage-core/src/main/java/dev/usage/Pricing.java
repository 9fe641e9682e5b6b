package dev.usage;

import dev.usage.internal.Checks;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What tiers cost, for {@link AnalyticsService#revenue}: a monthly price per tier and, per tier and quota
 * type, an overage price for units used past the monthly limit. Tiers without a price are free. Amounts
 * are rounded to the currency's minor unit, half-even, per charge. Immutable and thread-safe.
 *
 * <pre>{@code
 * Pricing pricing = Pricing.builder(Currency.getInstance("EUR"))
 *     .tier("premium", new BigDecimal("19.00"))
 *     .overage("premium", QuotaType.TOKENS, new BigDecimal("2.00"), 100_000)   // 2 EUR per 100,000 tokens
 *     .build();
 * }</pre>
 */
public final class Pricing {

  private final Currency currency;
  private final Map<String, BigDecimal> tierPrices;
  private final Map<String, Map<QuotaType, OveragePrice>> overage;

  private Pricing(Builder b) {
    this.currency = b.currency;
    this.tierPrices = Map.copyOf(b.tierPrices);
    Map<String, Map<QuotaType, OveragePrice>> o = new TreeMap<>();
    b.overage.forEach((tier, prices) -> o.put(tier, Map.copyOf(prices)));
    this.overage = Map.copyOf(o);
  }

  public static Builder builder(Currency currency) {
    return new Builder(Checks.notNull("currency", currency));
  }

  public Currency currency() {
    return currency;
  }

  /** The tier's monthly price; zero for a tier without one. */
  public BigDecimal tierPrice(String tier) {
    return tierPrices.getOrDefault(tier, BigDecimal.ZERO.setScale(scale()));
  }

  /** Whether the tier has a price above zero. */
  public boolean isPaid(String tier) {
    return tierPrice(tier).signum() > 0;
  }

  /** The overage price of a type on a tier, if units past the limit are charged. */
  public Optional<OveragePrice> overage(String tier, QuotaType type) {
    return Optional.ofNullable(overage.getOrDefault(tier, Map.of()).get(type));
  }

  /** {@code amount} rounded to the currency's minor unit. */
  public BigDecimal round(BigDecimal amount) {
    return amount.setScale(scale(), RoundingMode.HALF_EVEN);
  }

  private int scale() {
    return Math.max(0, currency.getDefaultFractionDigits());
  }

  /**
   * The price of units past a limit.
   *
   * @param price what {@code perUnits} units cost, at least zero
   * @param perUnits how many units {@code price} buys, at least 1; units are charged pro rata
   */
  public record OveragePrice(BigDecimal price, long perUnits) {

    public OveragePrice {
      Checks.notNull("price", price);
      if (price.signum() < 0) {
        throw new InvalidUsageException("price", "must not be negative, was " + price);
      }
      if (perUnits < 1 || perUnits > Quota.MAX_AMOUNT) {
        throw new InvalidUsageException("perUnits", "must be within 1.." + Quota.MAX_AMOUNT + ", was " + perUnits);
      }
    }

    /** The unrounded charge for {@code units}. */
    public BigDecimal charge(long units) {
      return price.multiply(BigDecimal.valueOf(units)).divide(BigDecimal.valueOf(perUnits), 12, RoundingMode.HALF_EVEN);
    }
  }

  /** Builds a {@link Pricing}. Not thread-safe. */
  public static final class Builder {
    private final Currency currency;
    private final Map<String, BigDecimal> tierPrices = new TreeMap<>();
    private final Map<String, Map<QuotaType, OveragePrice>> overage = new TreeMap<>();

    private Builder(Currency currency) {
      this.currency = currency;
    }

    /** The tier's monthly price, at least zero. */
    public Builder tier(String tier, BigDecimal monthlyPrice) {
      Checks.name("tier", tier);
      Checks.notNull("monthlyPrice", monthlyPrice);
      if (monthlyPrice.signum() < 0) {
        throw new InvalidUsageException("monthlyPrice", "must not be negative, was " + monthlyPrice);
      }
      tierPrices.put(tier, monthlyPrice);
      return this;
    }

    /** Charges {@code price} per {@code perUnits} units of {@code type} used past the monthly limit on {@code tier}. */
    public Builder overage(String tier, QuotaType type, BigDecimal price, long perUnits) {
      Checks.name("tier", tier);
      Checks.notNull("type", type);
      overage.computeIfAbsent(tier, t -> new TreeMap<>()).put(type, new OveragePrice(price, perUnits));
      return this;
    }

    public Pricing build() {
      return new Pricing(this);
    }
  }

  @Override
  public String toString() {
    return "Pricing[" + currency + ", tiers=" + tierPrices + ", overage=" + overage + "]";
  }
}
