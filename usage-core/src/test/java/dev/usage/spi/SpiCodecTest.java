package dev.usage.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.Quota;
import dev.usage.QuotaType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The encodings are stored by adapters (JDBC columns, Redis fields): these pin the exact text, so that a change
 * that would leave stored data undecodable fails here.
 */
class SpiCodecTest {

  private static final QuotaType CUSTOM = QuotaType.of("gpu.seconds-v2_x");

  @Test
  void deltasEncodeToTheStoredFormatAndBack() {
    List<CounterDelta> deltas = List.of(
        new CounterDelta(QuotaType.CHARACTERS, "M2026-03-01", Instant.parse("2026-03-01T00:00:00Z"),
            Instant.parse("2026-04-01T00:00:00Z"), 1200, Quota.UNLIMITED, Instant.parse("2026-05-01T00:00:00.123456789Z")),
        new CounterDelta(CUSTOM, "D2026-03-15", Instant.parse("2026-03-14T23:00:00Z"),
            Instant.parse("2026-03-15T23:00:00Z"), 1, 0, Instant.parse("2026-03-16T23:00:00.000001Z")));

    String text = SpiCodec.encodeDeltas(deltas);

    assertThat(text).isEqualTo("characters|M2026-03-01|2026-03-01T00:00:00Z|2026-04-01T00:00:00Z|1200|"
        + "9223372036854775807|2026-05-01T00:00:00.123456789Z;gpu.seconds-v2_x|D2026-03-15|2026-03-14T23:00:00Z|"
        + "2026-03-15T23:00:00Z|1|0|2026-03-16T23:00:00.000001Z");
    assertThat(SpiCodec.decodeDeltas(text)).isEqualTo(deltas);
    assertThat(SpiCodec.encodeDeltas(List.of())).isEmpty();
    assertThat(SpiCodec.decodeDeltas("")).isEmpty();
  }

  @Test
  void amountsEncodeSortedByTypeName() {
    Map<QuotaType, Long> amounts = Map.of(QuotaType.TOKENS, 7L, QuotaType.CHARACTERS, 0L, CUSTOM, Quota.MAX_AMOUNT);

    String text = SpiCodec.encodeAmounts(amounts);

    assertThat(text).isEqualTo("characters=0;gpu.seconds-v2_x=9007199254740991;tokens=7");
    assertThat(SpiCodec.decodeAmounts(text)).containsExactlyEntriesOf(
        new java.util.TreeMap<>(amounts));
    assertThat(SpiCodec.encodeAmounts(Map.of())).isEmpty();
    assertThat(SpiCodec.decodeAmounts("")).isEmpty();
    assertThat(SpiCodec.decodeAmounts(null)).isEmpty();
  }

  @Test
  void overridesEncodeSortedByTypeNameWithEveryField() {
    Map<QuotaType, Quota> overrides = Map.of(
        QuotaType.REQUESTS, Quota.daily(QuotaType.REQUESTS, 50).soft(),
        QuotaType.CHARACTERS, Quota.monthly(QuotaType.CHARACTERS, 100_000),
        CUSTOM, Quota.unlimited(CUSTOM));

    String text = SpiCodec.encodeOverrides(overrides);

    assertThat(text).isEqualTo("characters|100000|MONTH|HARD|false|0|0|0;"
        + "gpu.seconds-v2_x|9223372036854775807|MONTH|HARD|false|0|0|0;requests|50|DAY|SOFT|false|0|0|0");
    assertThat(SpiCodec.decodeOverrides(text)).isEqualTo(overrides);
    assertThat(SpiCodec.encodeOverrides(Map.of())).isEmpty();
    assertThat(SpiCodec.decodeOverrides("")).isEmpty();
    assertThat(SpiCodec.decodeOverrides(null)).isEmpty();
  }

  @Test
  void aScheduledTierChangeRoundTrips() {
    java.util.Optional<dev.usage.TierChange> change =
        java.util.Optional.of(new dev.usage.TierChange("team@eu", Instant.parse("2026-04-01T00:00:00.000001Z")));

    String text = SpiCodec.encodeScheduled(change);

    assertThat(text).isEqualTo("team@eu@2026-04-01T00:00:00.000001Z");
    assertThat(SpiCodec.decodeScheduled(text)).isEqualTo(change);
    assertThat(SpiCodec.encodeScheduled(java.util.Optional.empty())).isEmpty();
    assertThat(SpiCodec.decodeScheduled("")).isEmpty();
    assertThat(SpiCodec.decodeScheduled(null)).isEmpty();
    assertThatThrownBy(() -> SpiCodec.decodeScheduled("free@tomorrow")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scheduled tier change");
  }

  @Test
  void usageResetsRoundTrip() {
    Map<QuotaType, dev.usage.UsageReset> resets = Map.of(QuotaType.TOKENS, new dev.usage.UsageReset(QuotaType.TOKENS,
        Instant.parse("2026-03-01T00:00:00Z"), 9_000, Instant.parse("2026-03-15T10:00:00.123456Z")),
        QuotaType.CHARACTERS, new dev.usage.UsageReset(QuotaType.CHARACTERS, Instant.parse("2026-03-01T00:00:00Z"), 0,
            Instant.parse("2026-03-02T00:00:00Z")));

    String text = SpiCodec.encodeResets(resets);

    assertThat(text).isEqualTo("characters|2026-03-01T00:00:00Z|0|2026-03-02T00:00:00Z;"
        + "tokens|2026-03-01T00:00:00Z|9000|2026-03-15T10:00:00.123456Z");
    assertThat(SpiCodec.decodeResets(text)).isEqualTo(resets);
    assertThat(SpiCodec.decodeResets("")).isEmpty();
    assertThatThrownBy(() -> SpiCodec.decodeResets("tokens|x|1|y")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("usage resets");
  }

  @Test
  void earlierSettingsRoundTripInTheirOrder() {
    List<dev.usage.EarlierSettings> earlier = List.of(
        new dev.usage.EarlierSettings(Instant.parse("2026-03-31T12:00:00Z"), "team @ eu|1;2", Map.of(),
            java.util.Optional.empty(), java.time.ZoneId.of("UTC"), 1),
        new dev.usage.EarlierSettings(Instant.parse("2026-04-01T00:30:00.000001Z"), "basic",
            Map.of(QuotaType.REQUESTS, Quota.daily(QuotaType.REQUESTS, 50), CUSTOM, Quota.monthly(CUSTOM, 7)),
            java.util.Optional.of(new dev.usage.TierChange("pro", Instant.parse("2026-04-01T00:00:00Z"))),
            java.time.ZoneId.of("Asia/Kathmandu"), 31));

    String text = SpiCodec.encodeEarlier(earlier);

    assertThat(text).isEqualTo("2026-03-31T12:00:00Z\tteam @ eu|1;2\t\t\tUTC\t1\n"
        + "2026-04-01T00:30:00.000001Z\tbasic\tpro@2026-04-01T00:00:00Z\t"
        + "gpu.seconds-v2_x|7|MONTH|HARD|false|0|0|0;requests|50|DAY|HARD|false|0|0|0\tAsia/Kathmandu\t31");
    assertThat(SpiCodec.decodeEarlier(text)).isEqualTo(earlier);
    assertThat(SpiCodec.encodeEarlier(List.of())).isEmpty();
    assertThat(SpiCodec.decodeEarlier("")).isEmpty();
    assertThat(SpiCodec.decodeEarlier(null)).isEmpty();
    assertThatThrownBy(() -> SpiCodec.decodeEarlier("2026-03-31T12:00:00Z\tbasic\t\t\tUTC")).isInstanceOf(
        IllegalArgumentException.class).hasMessageContaining("earlier settings");
    assertThatThrownBy(() -> SpiCodec.decodeEarlier(text + "\n")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void textNoEncoderProducedIsRefusedWithIllegalArgument() {
    assertThatThrownBy(() -> SpiCodec.decodeOverrides("requests|50|DAY")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("overrides");
    assertThatThrownBy(() -> SpiCodec.decodeAmounts("requests=x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("amounts");
    assertThatThrownBy(() -> SpiCodec.decodeDeltas("Requests|p")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deltas");
  }
}
