package dev.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Currency;
import org.junit.jupiter.api.Test;

class PricingTest {

  private static final Currency EUR = Currency.getInstance("EUR");

  @Test
  void pricesTiersAndChargesOverageProRataRoundedToTheCurrency() {
    Pricing p = Pricing.builder(EUR).tier("premium", new BigDecimal("19.00"))
        .overage("premium", QuotaType.TOKENS, new BigDecimal("2.00"), 100_000).build();
    assertThat(p.tierPrice("premium")).isEqualTo(new BigDecimal("19.00"));
    assertThat(p.tierPrice("free")).isEqualTo(new BigDecimal("0.00"));
    assertThat(p.isPaid("premium")).isTrue();
    assertThat(p.isPaid("free")).isFalse();
    assertThat(p.overage("premium", QuotaType.CHARACTERS)).isEmpty();
    Pricing.OveragePrice tokens = p.overage("premium", QuotaType.TOKENS).orElseThrow();
    assertThat(p.round(tokens.charge(1))).isEqualTo(new BigDecimal("0.00"));
    assertThat(p.round(tokens.charge(250_000))).isEqualTo(new BigDecimal("5.00"));
    // 0.125 and 0.135 round half-even to the cent
    assertThat(p.round(new BigDecimal("0.125"))).isEqualTo(new BigDecimal("0.12"));
    assertThat(p.round(new BigDecimal("0.135"))).isEqualTo(new BigDecimal("0.14"));
    Pricing yen = Pricing.builder(Currency.getInstance("JPY")).tier("premium", new BigDecimal("2000")).build();
    assertThat(yen.round(new BigDecimal("2.5"))).isEqualTo(new BigDecimal("2"));
    assertThat(yen.tierPrice("free")).isEqualTo(new BigDecimal("0"));
  }

  @Test
  void refusesBadPricesNamingTheField() {
    Pricing.Builder b = Pricing.builder(EUR);
    assertThatThrownBy(() -> b.tier("premium", new BigDecimal("-1")))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("monthlyPrice"));
    assertThatThrownBy(() -> b.tier(" ", BigDecimal.ONE))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("tier"));
    assertThatThrownBy(() -> b.overage("premium", QuotaType.TOKENS, BigDecimal.ONE, 0))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("perUnits"));
    assertThatThrownBy(() -> b.overage("premium", QuotaType.TOKENS, new BigDecimal("-0.01"), 1))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("price"));
    assertThatThrownBy(() -> Pricing.builder(null))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("currency"));
    assertThat(b.build().isPaid("premium")).isFalse(); // nothing bad was kept
  }
}
