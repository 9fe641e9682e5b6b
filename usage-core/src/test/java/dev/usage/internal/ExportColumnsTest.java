package dev.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cell escape and the duration encoding on their own, including TAB and CR, which no UsageEvent can
 * hold but a cell escape must still cover.
 */
class ExportColumnsTest {

  @ParameterizedTest
  @ValueSource(strings = {"=HYPERLINK(\"http://x\")", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", "'x", "'", "''"})
  void escapesEveryFormulaStartAndUnescapesExactlyOneQuote(String value) {
    String cell = ExportColumns.escape(value);

    assertThat(cell).isEqualTo("'" + value);
    assertThat(ExportColumns.unescape(cell)).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "x", "1", "x=1", " =1", "{\"a\":1}", "\uD83D\uDE00"})
  void leavesOtherCellsAsTheyAre(String value) {
    assertThat(ExportColumns.escape(value)).isEqualTo(value);
    assertThat(ExportColumns.unescape(value)).isEqualTo(value);
  }

  @ParameterizedTest
  @CsvSource({"0, 0", "1, 0.000001", "1000, 0.001", "1500000, 1.5", "12345678, 12.345678", "3000000000, 3000",
      "604800000000000, 604800000"})
  void writesMillisecondsAsAPlainDecimalToTheNanosecond(long nanos, String text) {
    assertThat(ExportColumns.millis(Duration.ofNanos(nanos))).isEqualTo(text);
    assertThat(ExportColumns.fromMillis(new BigDecimal(text))).isEqualTo(Duration.ofNanos(nanos));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0000001", "1e20", "99999999999999999999"})
  void refusesSubNanosecondOrOutOfRangeMilliseconds(String text) {
    assertThatThrownBy(() -> ExportColumns.fromMillis(new BigDecimal(text)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
