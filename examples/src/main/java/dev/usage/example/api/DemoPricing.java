package dev.usage.example.api;

import dev.usage.Pricing;
import java.math.BigDecimal;
import java.util.Currency;

/**
 * The prices the revenue view uses when the host sets none ({@code usage.pricing.currency} unset, so no
 * {@link Pricing} bean): free costs nothing, premium 19 EUR and enterprise 99 EUR a month, no overage.
 */
final class DemoPricing {

  private DemoPricing() {}

  static Pricing standard() {
    return Pricing.builder(Currency.getInstance("EUR"))
        .tier("premium", new BigDecimal("19.00"))
        .tier("enterprise", new BigDecimal("99.00"))
        .build();
  }
}
