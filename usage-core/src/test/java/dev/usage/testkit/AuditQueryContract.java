package dev.usage.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.usage.AuditEntry;
import dev.usage.AuditFilter;
import dev.usage.AuditOrder;
import dev.usage.AuditPage;
import dev.usage.AuditQuery;
import dev.usage.ChangeRequest;
import dev.usage.ExportFormat;
import dev.usage.Quota;
import dev.usage.QuotaManagementService;
import dev.usage.QuotaType;
import dev.usage.Tier;
import dev.usage.TimeRange;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Queries over the audit trail of every user: filters by user, actor, action, quota type and time, pages in
 * either order, and the CSV and JSON export of a filter. Each test filters by users or an actor of its own, so
 * that other tests' entries in a shared store do not count.
 */
public abstract class AuditQueryContract extends AbstractStorageContract {

  private static final Quota NINE_HUNDRED = Quota.monthly(QuotaType.REQUESTS, 900);

  @Test
  void findsEntriesByUserActorActionQuotaTypeAndTimeInPages() {
    QuotaManagementService quotas = engine().quotas();
    String actor = user("auditor");
    String a = user("filter-a");
    String b = user("filter-b");
    Instant t0 = clock.instant();
    quotas.updateQuota(a, NINE_HUNDRED, actor, "1");
    clock.advance(Duration.ofMinutes(1));
    quotas.updateQuota(b, Quota.monthly(QuotaType.CHARACTERS, 5), actor, "2");
    clock.advance(Duration.ofMinutes(1));
    quotas.changeTier(a, Tier.PREMIUM, actor, "3");
    clock.advance(Duration.ofMinutes(1));
    quotas.removeQuotaOverride(a, QuotaType.REQUESTS, actor, "4");
    clock.advance(Duration.ofMinutes(1));
    quotas.changeTier(b, Tier.PREMIUM, "someone-else", "5");

    assertThat(reasons(quotas, AuditFilter.builder().actor(actor).build(), AuditOrder.OLDEST_FIRST))
        .containsExactly("1", "2", "3", "4");
    assertThat(reasons(quotas, AuditFilter.builder().actor(actor).build(), AuditOrder.NEWEST_FIRST))
        .containsExactly("4", "3", "2", "1");
    assertThat(reasons(quotas, AuditFilter.builder().user(a).build(), AuditOrder.OLDEST_FIRST))
        .containsExactly("1", "3", "4");
    assertThat(reasons(quotas, AuditFilter.builder().user(a, b).action("change-tier").build(), AuditOrder.OLDEST_FIRST))
        .containsExactly("3", "5");
    assertThat(reasons(quotas, AuditFilter.builder().user(a, b).quotaType(QuotaType.REQUESTS).build(),
        AuditOrder.OLDEST_FIRST)).containsExactly("1", "4");
    TimeRange middle = TimeRange.of(t0.plus(Duration.ofMinutes(1)), t0.plus(Duration.ofMinutes(3)));
    assertThat(reasons(quotas, AuditFilter.builder().actor(actor).range(middle).build(), AuditOrder.OLDEST_FIRST))
        .as("[from, to)").containsExactly("2", "3");
    // bounds finer than the microsecond, which every store keeps of an entry, count as cut to it (as SQL compares)
    List<AuditEntry> all = quotas.findAuditEntries(AuditQuery.of(AuditFilter.builder().actor(actor).build())
        .order(AuditOrder.OLDEST_FIRST)).entries();
    TimeRange fine = TimeRange.of(all.get(1).at().plusNanos(500), all.get(3).at().plusNanos(500));
    assertThat(reasons(quotas, AuditFilter.builder().actor(actor).range(fine).build(), AuditOrder.OLDEST_FIRST))
        .as("[from, to) at the microsecond").containsExactly("2", "3");

    AuditPage first = quotas.findAuditEntries(AuditQuery.of(AuditFilter.builder().actor(actor).build()).limit(3));
    assertThat(first.entries()).extracting(AuditEntry::reason).containsExactly("4", "3", "2");
    assertThat(first.next()).isPresent();
    AuditPage second = quotas.findAuditEntries(first.next().get());
    assertThat(second.entries()).extracting(AuditEntry::reason).containsExactly("1");
    assertThat(second.next()).isEmpty();
    assertThat(quotas.findAuditEntries(AuditQuery.of(AuditFilter.builder().actor(actor).build()).limit(4)).next())
        .as("an exactly full page is the last").isEmpty();
  }

  @Test
  void exportsTheFilteredEntriesAsCsvAndJson() throws Exception {
    QuotaManagementService quotas = engine().quotas();
    String actor = user("exporter");
    String user = user("export");
    quotas.updateQuota(user, NINE_HUNDRED, ChangeRequest.of(actor, "=cmd|' /C calc'!A0, \"quoted\"")
        .withRequestId("idem-export"));
    clock.advance(Duration.ofSeconds(1));
    quotas.changeTier(user, Tier.PREMIUM, actor, "second");
    AuditFilter filter = AuditFilter.builder().actor(actor).build();

    ByteArrayOutputStream csv = new ByteArrayOutputStream();
    assertThat(quotas.exportAuditTrail(filter, AuditOrder.OLDEST_FIRST, ExportFormat.CSV, csv)).isEqualTo(2);
    List<List<String>> rows = new ArrayList<>();
    try (MappingIterator<List<String>> it = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY)
        .readerForListOf(String.class).readValues(csv.toByteArray())) {
      it.forEachRemaining(rows::add);
    }
    assertThat(rows.get(0)).containsExactly("at", "userId", "actor", "action", "quotaType", "oldValue", "newValue",
        "reason", "requestId", "previousHash", "hash");
    assertThat(rows).hasSize(3);
    assertThat(rows.get(1)).containsExactly(clock.instant().minusSeconds(1).toString(), user, actor, "override",
        "requests", "500/month hard", "900/month hard", "'=cmd|' /C calc'!A0, \"quoted\"", "idem-export", "", "");
    assertThat(rows.get(2).get(3)).isEqualTo("change-tier");
    assertThat(rows.get(2).get(4)).as("no quota type: empty cell").isEmpty();

    ByteArrayOutputStream json = new ByteArrayOutputStream();
    assertThat(quotas.exportAuditTrail(filter, AuditOrder.NEWEST_FIRST, ExportFormat.JSON, json)).isEqualTo(2);
    JsonNode array = new ObjectMapper().readTree(json.toString(StandardCharsets.UTF_8));
    assertThat(array).hasSize(2);
    assertThat(array.get(0).get("action").asText()).isEqualTo("change-tier");
    assertThat(array.get(0).has("quotaType")).as("absent: left out").isFalse();
    assertThat(array.get(1).get("reason").asText()).isEqualTo("=cmd|' /C calc'!A0, \"quoted\"");
    assertThat(array.get(1).get("requestId").asText()).isEqualTo("idem-export");
    assertThat(json.toString(StandardCharsets.UTF_8).split("\n")).as("one entry per line").hasSize(4);
  }

  private static List<String> reasons(QuotaManagementService quotas, AuditFilter filter, AuditOrder order) {
    return quotas.findAuditEntries(new AuditQuery(filter, order, 0, AuditQuery.MAX_LIMIT)).entries().stream()
        .map(AuditEntry::reason).toList();
  }
}
