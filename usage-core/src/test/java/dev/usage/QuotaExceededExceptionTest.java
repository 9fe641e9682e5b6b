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
  void leavesOutZeroUnits() {
    assertThat(QuotaExceededException.readable(Duration.ofHours(3))).isEqualTo("3h");
    assertThat(QuotaExceededException.readable(Duration.ofSeconds(61))).isEqualTo("1m 1s");
    assertThat(QuotaExceededException.readable(Duration.ZERO)).isEqualTo("0s");
    assertThat(QuotaExceededException.readable(Duration.ofNanos(1))).isEqualTo("1s");
  }
}
