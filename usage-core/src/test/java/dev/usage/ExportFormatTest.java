package dev.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The export formats: names parsed in any case, anything else refused naming the field. */
class ExportFormatTest {

  @Test
  void parsesNamesInAnyCase() {
    assertThat(ExportFormat.parse("csv")).isEqualTo(ExportFormat.CSV);
    assertThat(ExportFormat.parse("CSV")).isEqualTo(ExportFormat.CSV);
    assertThat(ExportFormat.parse("Csv")).isEqualTo(ExportFormat.CSV);
    assertThat(ExportFormat.parse("json")).isEqualTo(ExportFormat.JSON);
    assertThat(ExportFormat.parse("jSoN")).isEqualTo(ExportFormat.JSON);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", " ", "xml", "csv ", " json", "csv;", "text/csv", ".csv", "jsonl", "\u0000csv",
      "c\u017fv", "\uff43sv"})
  void refusesAnythingElseNamingTheFormatField(String name) {
    assertThatThrownBy(() -> ExportFormat.parse(name))
        .isInstanceOf(InvalidUsageException.class)
        .satisfies(e -> assertThat(((InvalidUsageException) e).field()).isEqualTo("format"))
        .hasMessageStartingWith("format: ");
  }

  @Test
  void describesMediaTypeExtensionAndCharset() {
    assertThat(ExportFormat.CSV.mediaType()).isEqualTo("text/csv");
    assertThat(ExportFormat.JSON.mediaType()).isEqualTo("application/json");
    assertThat(ExportFormat.CSV.fileExtension()).isEqualTo("csv");
    assertThat(ExportFormat.JSON.fileExtension()).isEqualTo("json");
    assertThat(ExportFormat.CSV.charset()).isEqualTo(StandardCharsets.UTF_8);
    assertThat(ExportFormat.JSON.charset()).isEqualTo(StandardCharsets.UTF_8);
  }
}
