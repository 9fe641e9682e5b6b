package dev.usage.example.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.usage.AuditEntry;
import dev.usage.UsageEngine;
import dev.usage.UserQuota;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;

/** {@code /api/admin/*}: system usage, the active users, user and bulk quota changes, analytics. */
class AdminApiTest extends ApiTestSupport {

  private static final String TEXT = "teh libary is realy nice";

  @Autowired
  UsageEngine engine;

  static Stream<Arguments> adminEndpoints() {
    String change = "{\"userId\": \"bob\", \"type\": \"requests\", \"limit\": 1, \"reason\": \"r\"}";
    return Stream.of(
        Arguments.of("GET /api/admin/usage/system", get("/api/admin/usage/system")),
        Arguments.of("GET /api/admin/usage/users", get("/api/admin/usage/users")),
        Arguments.of("GET /api/admin/analytics", get("/api/admin/analytics")),
        Arguments.of("PUT /api/admin/quota/user/bob",
            body(put("/api/admin/quota/user/bob"), "{\"tier\": \"free\", \"reason\": \"r\"}")),
        Arguments.of("POST /api/admin/quota/bulk", body(post("/api/admin/quota/bulk"),
            "{\"userIds\": [\"bob\"], \"type\": \"requests\", \"limit\": 1, \"reason\": \"r\"}")),
        Arguments.of("PUT /api/quota/update", body(put("/api/quota/update"), change)),
        Arguments.of("POST /api/quota/reset",
            body(post("/api/quota/reset"), "{\"userId\": \"bob\", \"type\": \"requests\", \"reason\": \"r\"}")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("adminEndpoints")
  void refusesAliceWith403(String name, MockHttpServletRequestBuilder request) throws Exception {
    UserQuota settings = engine.quotas().getUserQuota("bob");
    List<String> quotas = limitsAndUsed("bob");
    List<AuditEntry> trail = engine.quotas().auditTrail("bob");

    MvcResult r = mvc.perform(as("alice", "alice-password", request)).andReturn();

    assertThat(r.getResponse().getStatus()).isEqualTo(403);
    assertThat(r.getResponse().getContentType()).isEqualTo("application/problem+json");
    assertThat(json(r).get("detail").asString()).contains("ADMIN");
    UserQuota after = engine.quotas().getUserQuota("bob");
    assertThat(after.tier()).as("nothing changed: tier").isEqualTo("premium");
    assertThat(after.overrides()).as("nothing changed: overrides").isEmpty();
    assertThat(after).as("nothing changed: settings").isEqualTo(settings);
    assertThat(limitsAndUsed("bob")).as("nothing changed: limits and usage").isEqualTo(quotas);
    assertThat(engine.quotas().auditTrail("bob")).as("nothing audited").isEqualTo(trail);
  }

  /** Each quota of the user as "type period limit used", as an admin reads them. */
  private List<String> limitsAndUsed(String user) throws Exception {
    JsonNode quotas = json(mvc.perform(asAdmin(get("/api/quota/status?userId=" + user))).andReturn());
    assertThat(quotas).as("bob's quotas").isNotEmpty();
    return quotas.valueStream().map(q -> q.get("type").asString() + " " + q.get("period").asString() + " "
        + q.get("limit").asLong() + " " + q.get("used").asLong()).toList();
  }

  @Test
  void systemUsageAddsUpEveryUsersEvents() throws Exception {
    JsonNode before = json(mvc.perform(asAdmin(get("/api/admin/usage/system?from=2026-12-15&to=2026-12-15"))).andReturn());
    String first = newUser();
    String second = newUser();
    corrected(first, TEXT);
    corrected(second, TEXT);
    corrected(second, TEXT);

    JsonNode after = json(mvc.perform(asAdmin(get("/api/admin/usage/system?from=2026-12-15&to=2026-12-15"))).andReturn());

    assertThat(after.get("from").asString()).isEqualTo("2026-12-15T00:00:00Z");
    assertThat(after.get("to").asString()).isEqualTo("2026-12-16T00:00:00Z");
    assertThat(after.get("events").asLong() - before.get("events").asLong()).isEqualTo(3);
    assertThat(after.get("activeUsers").asLong() - before.get("activeUsers").asLong()).isEqualTo(2);
    assertThat(after.get("totals").get("characters").asLong() - units(before, "characters")).isEqualTo(3L * TEXT.length());
    assertThat(after.get("totals").get("requests").asLong() - units(before, "requests")).isEqualTo(3);
  }

  @Test
  void listsTheMostActiveUsersWithTheirTierAndQuotasAndTheDemoUsers() throws Exception {
    String user = newUser();
    corrected(user, TEXT);
    corrected(user, TEXT);

    JsonNode users = json(mvc.perform(asAdmin(get("/api/admin/usage/users?limit=500"))).andReturn());

    JsonNode mine = users.valueStream().filter(u -> u.get("userId").asString().equals(user)).findFirst().orElseThrow();
    assertThat(mine.get("tier").asString()).isEqualTo("free");
    assertThat(mine.get("totals").get("events").asLong()).isEqualTo(2);
    assertThat(mine.get("totals").get("units").get("requests").asLong()).isEqualTo(2);
    assertThat(quota(mine.get("quotas"), "characters").get("used").asLong()).isEqualTo(2L * TEXT.length());
    assertThat(users.valueStream().map(u -> u.get("userId").asString() + ":" + u.get("tier").asString()).toList())
        .contains("alice:free", "bob:premium", "admin:enterprise");
    List<Long> requests = users.valueStream().filter(u -> u.get("totals").get("events").asLong() > 0)
        .map(u -> u.get("totals").get("units").path("requests").asLong()).toList();
    assertThat(requests).as("most requests first").isSortedAccordingTo((a, b) -> Long.compare(b, a));
  }

  @Test
  void limitsTheActiveUsersButStillListsTheDemoUsers() throws Exception {
    corrected(newUser(), TEXT);

    JsonNode users = json(mvc.perform(asAdmin(get("/api/admin/usage/users?limit=1&by=characters"))).andReturn());

    long active = users.valueStream().filter(u -> u.get("totals").get("events").asLong() > 0).count();
    assertThat(active).isEqualTo(1);
    assertThat(users.valueStream().map(u -> u.get("userId").asString()).toList()).contains("alice", "bob", "admin");
  }

  @Test
  void refusesAnActiveUsersLimitOutside1To500() throws Exception {
    assertInvalid(mvc.perform(asAdmin(get("/api/admin/usage/users?limit=0"))).andReturn(), "limit");
    assertInvalid(mvc.perform(asAdmin(get("/api/admin/usage/users?limit=501"))).andReturn(), "limit");
    assertInvalid(mvc.perform(asAdmin(get("/api/admin/usage/users?limit=many"))).andReturn(), "limit");
  }

  @Test
  void changesAUsersTierAndLimitsAndRemovesAnOverrideAgain() throws Exception {
    String user = newUser();

    JsonNode changed = json(mvc.perform(body(asAdmin(put("/api/admin/quota/user/" + user)),
        "{\"tier\": \"premium\", \"limits\": {\"characters\": 5000}, \"reason\": \"sales call\"}")).andReturn());

    assertThat(changed.get("tier").asString()).isEqualTo("premium");
    assertThat(quota(changed.get("quotas"), "characters").get("limit").asLong()).isEqualTo(5000);
    assertThat(quota(changed.get("quotas"), "requests").get("limit").asLong()).as("premium's").isEqualTo(1000);
    assertThat(quota(json(mvc.perform(as(user, get("/api/quota/status"))).andReturn()), "characters").get("limit")
        .asLong()).isEqualTo(5000);

    JsonNode removed = json(mvc.perform(body(asAdmin(put("/api/admin/quota/user/" + user)),
        "{\"limits\": {\"characters\": -1}, \"reason\": \"back to the tier\"}")).andReturn());

    assertThat(removed.get("overrides")).isEmpty();
    assertThat(quota(removed.get("quotas"), "characters").get("limit").asLong()).isEqualTo(100_000);
    assertThat(engine.quotas().auditTrail(user)).extracting(AuditEntry::actor).containsOnly(ADMIN);
    assertThat(engine.quotas().auditTrail(user)).extracting(AuditEntry::reason)
        .containsExactly("sales call", "sales call", "back to the tier");
  }

  @Test
  void refusesAUserChangeWithAnUnknownTierOrNothingToChange() throws Exception {
    String user = newUser();
    JsonNode unknown = assertInvalid(mvc.perform(body(asAdmin(put("/api/admin/quota/user/" + user)),
        "{\"tier\": \"gold\", \"reason\": \"r\"}")).andReturn(), "tier");
    assertThat(unknown.get("detail").asString()).contains("gold");
    assertInvalid(mvc.perform(body(asAdmin(put("/api/admin/quota/user/" + user)), "{\"reason\": \"r\"}")).andReturn(),
        "tier");
    assertInvalid(mvc.perform(body(asAdmin(put("/api/admin/quota/user/" + user)),
        "{\"limits\": {\"characters\": -2}}")).andReturn(), "limits[characters]", "reason");
    assertThat(engine.quotas().auditTrail(user)).isEmpty();
  }

  @Test
  void bulkSetsTheQuotaOfEachUser() throws Exception {
    List<String> ids = List.of(newUser(), newUser(), newUser());

    JsonNode result = json(mvc.perform(body(asAdmin(post("/api/admin/quota/bulk")), "{\"userIds\": [\"" + ids.get(0)
        + "\", \"" + ids.get(1) + "\", \"" + ids.get(2) + "\"], \"type\": \"requests\", \"limit\": 42,"
        + " \"reason\": \"promotion\"}")).andReturn());

    assertThat(result.get("updated").asInt()).isEqualTo(3);
    assertThat(result.get("users").valueStream().map(u -> u.get("userId").asString()).toList()).isEqualTo(ids);
    for (String id : ids) {
      JsonNode requests = quota(json(mvc.perform(as(id, get("/api/quota/status"))).andReturn()), "requests");
      assertThat(requests.get("limit").asLong()).as(id).isEqualTo(42);
    }
  }

  @Test
  void refusesABulkChangeWithoutUsersWithRepeatedOnesOrWithTooMany() throws Exception {
    String user = newUser();
    String many = IntStream.range(0, 1001).mapToObj(i -> "\"bulk-" + i + "\"").reduce((a, b) -> a + "," + b).orElseThrow();
    for (String ids : List.of("", "\"" + user + "\", \"" + user + "\"", many)) {
      assertInvalid(mvc.perform(body(asAdmin(post("/api/admin/quota/bulk")),
          "{\"userIds\": [" + ids + "], \"type\": \"requests\", \"limit\": 42, \"reason\": \"r\"}")).andReturn(),
          "userIds");
    }
    assertThat(engine.quotas().auditTrail(user)).isEmpty();
  }

  @Test
  void analyticsShowsFailuresRevenueAndCapacity() throws Exception {
    String user = newUser();
    corrected(user, TEXT);
    String code = "e-" + user;
    MvcResult tracked = mvc.perform(body(as(user, post("/api/usage/track")),
        "{\"feature\": \"ocr\", \"endpoint\": \"POST /scan\", \"errorCode\": \"" + code + "\"}")).andReturn();
    assertThat(tracked.getResponse().getStatus()).isEqualTo(202);

    JsonNode a = json(mvc.perform(asAdmin(get("/api/admin/analytics?from=2026-12-01&to=2026-12-15"))).andReturn());

    JsonNode system = a.get("system");
    assertThat(system.get("errorCodes").get(code).asLong()).isEqualTo(1);
    assertThat(system.get("byHourOfDay")).hasSize(24);
    assertThat(system.get("byDayOfWeek")).hasSize(7);
    assertThat(system.get("peakHour").asInt()).as("every event is at the clock's 10:00").isEqualTo(10);
    assertThat(system.get("peakDay").asString()).isEqualTo("tuesday");
    assertThat(system.get("byTier").get("free").get("events").asLong()).isPositive();
    assertThat(system.get("failures").valueStream().filter(f -> f.get("endpoint").asString().equals("POST /scan"))
        .findFirst().orElseThrow().get("failedEvents").asLong()).isPositive();
    assertThat(system.get("latency").valueStream().map(l -> l.get("endpoint").asString()))
        .contains("POST /api/correct");
    JsonNode revenue = a.get("revenue");
    assertThat(revenue.get("month").asString()).isEqualTo("2026-12");
    assertThat(revenue.get("currency").asString()).isEqualTo("EUR");
    assertThat(revenue.get("tiers").valueStream().map(t -> t.get("tier").asString())).contains("free");
    assertThat(a.get("capacity").get("months").valueStream().map(m -> m.get("month").asString()))
        .containsExactly("2027-01", "2027-02", "2027-03");
  }

  @Test
  void analyticsListsTheAlertsTheUnusualUsageJobFoundWithoutDetectingAnything() throws Exception {
    String user = newUser();
    Instant spike = NOW.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
    // a baseline of 24 active hours with one request each, then 40 requests in the hour examined
    for (int h = 1; h <= 24; h++) {
      track(user, spike.minus(Duration.ofHours(h)), 1);
    }
    track(user, spike.plusSeconds(60), 40);
    JsonNode before = json(mvc.perform(asAdmin(get("/api/admin/analytics"))).andReturn()).get("alerts");
    assertThat(before.valueStream().map(x -> x.get("userId").asString())).as("reading detects nothing")
        .doesNotContain(user);

    assertThat(engine.analytics().detectUnusualUsage(spike)).extracting(x -> x.userId()).contains(user);

    // detection tells its listeners (RecentAlerts among them) on the engine's listener thread, not this one
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonNode after = json(mvc.perform(asAdmin(get("/api/admin/analytics"))).andReturn()).get("alerts");
      JsonNode alert = after.valueStream().filter(x -> x.get("userId").asString().equals(user)).findFirst()
          .orElseThrow(() -> new AssertionError("no alert of " + user + " in " + after));
      assertThat(alert.get("type").asString()).isEqualTo("requests");
      assertThat(alert.get("units").asLong()).isEqualTo(40);
      assertThat(alert.get("hourStart").asString()).isEqualTo(spike.toString());
    });
  }

  private void track(String user, Instant at, long requests) {
    engine.tracking().trackUsage(engine.tracking().event(user).feature("text-correction").occurredAt(at)
        .requests(requests).build());
  }

  @Test
  void analyticsOfARangeWithoutEventsIsAllZeros() throws Exception {
    JsonNode a = json(mvc.perform(asAdmin(get("/api/admin/analytics?from=2020-01-01&to=2020-01-31"))).andReturn());

    assertThat(a.get("system").get("totals").get("events").asLong()).isZero();
    assertThat(a.get("system").get("topUsers")).isEmpty();
    assertThat(a.get("system").get("byHourOfDay").valueStream().mapToLong(h -> h.get("events").asLong()).sum()).isZero();
    assertThat(a.get("revenue").get("month").asString()).isEqualTo("2020-01");
    assertThat(a.get("revenue").get("tiers")).isEmpty();
    assertThat(a.get("revenue").get("totalRevenue").decimalValue()).isZero();
  }


  private static long units(JsonNode systemUsage, String type) {
    return systemUsage.get("totals").path(type).asLong();
  }
}
