package dev.usage.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.Quota;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class TextCorrectionDemoTest {

  @Test
  void servesUntilTheFreeUserRunsOutThenReportsEveryQuota() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (UsageEngine engine = UsageEngine.builder()
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 400))
        .trackingMode(TrackingMode.SYNC)
        .closeOnShutdown(false)
        .build()) {
      new TextCorrectionDemo(engine, new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();

      String out = bytes.toString(StandardCharsets.UTF_8);
      assertThat(out).contains("request 11 of alice DENIED: [characters] exhausted");
      assertThat(out).contains("10 requests served");
      assertThat(out).containsPattern("alice \\(free\\)\\n  characters +399 / 400 ");
      // every served request was charged and recorded once
      long recorded = engine.tracking().getSystemUsage(Instant.EPOCH, Instant.now().plus(1, ChronoUnit.DAYS)).events();
      assertThat(recorded).isEqualTo(10);
    }
  }

  @Test
  void correctorFixesSpellingSpacingAndCapitals() {
    assertThat(Corrector.correct("teh quick fox.  it was realy fast."))
        .isEqualTo("The quick fox. It was really fast.");
    assertThat(Corrector.correct("i can not go to the libary"))
        .isEqualTo("I cannot go to the library");
  }
}
