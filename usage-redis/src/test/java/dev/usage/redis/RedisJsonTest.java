package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.AuditEntry;
import dev.usage.PeriodUsage;
import dev.usage.Quota;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The stored JSON of audit entries and history rows: exact text, exact round trips, refusals. */
class RedisJsonTest {

  private static final Instant AT = Instant.parse("2026-03-31T23:59:59.123456789Z");

  @Test
  void anAuditEntryIsStoredAsThisObjectAndReadBackEqual() {
    AuditEntry e = new AuditEntry(AT, "a\"b\\c|d;e", "user {x}", "override", Optional.of(QuotaType.TOKENS), "-",
        "tokens|5", "Zoë 😀 \u2027");

    String json = RedisJson.audit(e);

    assertThat(json).isEqualTo("{\"at\":\"2026-03-31T23:59:59.123456789Z\",\"actor\":\"a\\\"b\\\\c|d;e\","
        + "\"user\":\"user {x}\",\"action\":\"override\",\"type\":\"tokens\",\"old\":\"-\",\"new\":\"tokens|5\","
        + "\"reason\":\"Zoë 😀 \u2027\"}");
    assertThat(RedisJson.audit(json)).isEqualTo(e);
  }

  @Test
  void anAuditEntryWithoutAQuotaTypeHasNoTypeField() {
    AuditEntry e = new AuditEntry(Instant.EPOCH, "system", "u", "change-tier", Optional.empty(), "free", "premium",
        "upgrade");

    assertThat(RedisJson.audit(e)).doesNotContain("\"type\"");
    assertThat(RedisJson.audit(RedisJson.audit(e))).isEqualTo(e);
  }

  @Test
  void anAuditEntryKeepsItsRequestIdAndHashesAndOneWrittenBeforeThemStillReads() {
    String h1 = "a".repeat(64);
    String h2 = "0123456789abcdef".repeat(4);
    AuditEntry e = new AuditEntry(AT, "alice", "u", "change-tier", Optional.empty(), "free", "premium", "up")
        .withRequestId("idem-1").withHashes(Optional.of(h1), h2);

    String json = RedisJson.audit(e);

    assertThat(json).endsWith(",\"rid\":\"idem-1\",\"prev\":\"" + h1 + "\",\"hash\":\"" + h2 + "\"}");
    assertThat(RedisJson.audit(json)).isEqualTo(e);
    String old = "{\"at\":\"2026-03-31T23:59:59.123456789Z\",\"actor\":\"alice\",\"user\":\"u\","
        + "\"action\":\"change-tier\",\"old\":\"free\",\"new\":\"premium\",\"reason\":\"up\"}";
    assertThat(RedisJson.audit(old)).isEqualTo(new AuditEntry(AT, "alice", "u", "change-tier", Optional.empty(),
        "free", "premium", "up"));
    assertThatThrownBy(() -> RedisJson.audit(old.replace("{", "{\"rid\":3,")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rid");
  }

  @Test
  void aHistoryRowIsStoredAsThisObjectAndReadBackEqual() {
    PeriodUsage p = new PeriodUsage("u", QuotaType.CHARACTERS, QuotaPeriod.MONTH, Instant.parse("2026-03-01T00:00:00Z"),
        Instant.parse("2026-04-01T00:00:00Z"), Quota.UNLIMITED, Quota.MAX_AMOUNT, 3, AT, Quota.MAX_AMOUNT,
        java.util.List.of(1L, 2L));

    String json = RedisJson.period(p);

    assertThat(json).isEqualTo("{\"user\":\"u\",\"type\":\"characters\",\"period\":\"MONTH\","
        + "\"start\":\"2026-03-01T00:00:00Z\",\"end\":\"2026-04-01T00:00:00Z\",\"limit\":9223372036854775807,"
        + "\"used\":9007199254740991,\"rolledOver\":3,\"closedAt\":\"2026-03-31T23:59:59.123456789Z\","
        + "\"carriedIn\":9007199254740991,\"rolledOverParts\":[1,2]}");
    assertThat(RedisJson.period(json)).isEqualTo(p);
    assertThat(RedisPeriodHistoryStore.field(p)).isEqualTo("characters|2026-03-01T00:00:00Z");
  }

  @Test
  void aHistoryRowStoredBeforeRolloverReadsAsCarryingNothingIn() {
    PeriodUsage old = RedisJson.period("{\"user\":\"u\",\"type\":\"characters\",\"period\":\"MONTH\","
        + "\"start\":\"2026-03-01T00:00:00Z\",\"end\":\"2026-04-01T00:00:00Z\",\"limit\":10,\"used\":4,"
        + "\"rolledOver\":0,\"closedAt\":\"2026-04-01T00:00:00Z\"}");

    assertThat(old.carriedIn()).isZero();
    assertThat(old.rolledOverParts()).isEmpty();
    assertThat(old.used()).isEqualTo(4);
  }

  @Test
  void textThatIsNotAStoredObjectIsRefused() {
    assertThatThrownBy(() -> RedisJson.audit("not json")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisJson.audit("[]")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisJson.audit("{\"at\":\"2026-03-01T00:00:00Z\"}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("actor");
    assertThatThrownBy(() -> RedisJson.period("{\"user\":\"u\",\"type\":\"characters\",\"period\":\"MONTH\","
        + "\"start\":\"2026-03-01T00:00:00Z\",\"end\":\"2026-04-01T00:00:00Z\",\"limit\":1.5,\"used\":1,"
        + "\"rolledOver\":0,\"closedAt\":\"2026-03-01T00:00:00Z\"}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
  }
}
