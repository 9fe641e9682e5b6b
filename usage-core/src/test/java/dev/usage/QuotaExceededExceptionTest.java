package dev.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QuotaExceededExceptionTest {

  @Test
  void saysWhichQuotasAndWhenToRetryInWholeUnits() {
    QuotaDecision denied = new QuotaDecision(false, List.of(), List.of(QuotaType.CHARACTERS, QuotaType.TOKENS),
        Duration.ofDays(27).plusHours(4).plusMinutes(17).plusSeconds(11).plusMillis(690), false, false,
        Optional.empty());

    assertThat(new QuotaExceededException(denied).getMessage())
        .isEqualTo("quota exceeded: characters, tokens; retry in 27d 4h 17m 12s");
  }

  @Test
  void aRequestAboveAQuotasWholeLimitIsNotRetryable() {
    try (UsageEngine engine = UsageEngine.builder().closeOnShutdown(false)
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 100))
        .defaultQuota(Quota.monthly(QuotaType.TOKENS, 50).withRollover(RolloverPolicy.carryUpTo(50)))
        .tier(Tier.builder("pro").quota(Quota.monthly(QuotaType.CHARACTERS, 500)).build()).build()) {
      UsageTrackingService tracking = engine.tracking();
      QuotaDecision tooLarge = tracking.consumeQuota(Consumption.of("u", QuotaType.CHARACTERS, 101));
      assertThat(tooLarge.allowed()).isFalse();
      assertThat(tooLarge.beyondLimit()).containsExactly(QuotaType.CHARACTERS);
      assertThat(tooLarge.retryable()).isFalse();
      assertThat(new QuotaExceededException(tooLarge).getMessage()).isEqualTo("quota exceeded: characters; the"
          + " request asks for more than the whole limit of characters, so no reset makes room for it");
      assertThat(tracking.checkQuota(Consumption.of("u", QuotaType.CHARACTERS, 101)).retryable()).isFalse();

      tracking.consumeQuota(Consumption.of("u", QuotaType.CHARACTERS, 60));
      QuotaDecision later = tracking.consumeQuota(Consumption.of("u", QuotaType.CHARACTERS, 60));
      assertThat(later.allowed()).isFalse();
      assertThat(later.retryable()).as("fits the limit after a reset").isTrue();
      // a carrying quota may carry room for more than its limit into the next period
      QuotaDecision carrying = tracking.consumeQuota(Consumption.of("u", QuotaType.TOKENS, 80));
      assertThat(carrying.allowed()).isFalse();
      assertThat(carrying.retryable()).isTrue();
      assertThat(tracking.consumeQuota(Consumption.of("u", QuotaType.CHARACTERS, 10)).retryable()).isTrue();
      // beyond the limit and the most the policy carries in (50 + 50)
      assertThat(tracking.consumeQuota(Consumption.of("u", QuotaType.TOKENS, 101)).beyondLimit())
          .containsExactly(QuotaType.TOKENS);
      // a bigger tier scheduled for the next period makes room for it there
      engine.quotas().changeTierAtNextPeriod("u", "pro", ChangeRequest.of("billing", "upgrade at renewal"));
      assertThat(tracking.consumeQuota(Consumption.of("u", QuotaType.CHARACTERS, 400)).retryable()).isTrue();
      assertThat(tracking.consumeQuota(Consumption.of("u", QuotaType.CHARACTERS, 501)).retryable()).isFalse();
    }
  }

  @Test
  void leavesOutZeroUnits() {
    assertThat(QuotaExceededException.readable(Duration.ofHours(3))).isEqualTo("3h");
    assertThat(QuotaExceededException.readable(Duration.ofSeconds(61))).isEqualTo("1m 1s");
    assertThat(QuotaExceededException.readable(Duration.ZERO)).isEqualTo("0s");
    assertThat(QuotaExceededException.readable(Duration.ofNanos(1))).isEqualTo("1s");
  }
}
