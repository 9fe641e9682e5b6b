package dev.usage.example.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.usage.AuditEntry;
import dev.usage.UsageEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;

/** {@code /api/quota/*}: statuses, closed periods, and an admin's override and reset. */
class QuotaApiTest extends ApiTestSupport {

  /** 1,499 characters: most of the free tier's 2,000. */
  private static final String LONG = "word ".repeat(300).strip();
  /** 599 characters: more than the free tier has left after {@link #LONG}. */
  private static final String MORE = "word ".repeat(120).strip();

  @Autowired
  UsageEngine engine;

  @Test
  void showsTheFreeTiersQuotasOfANewUser() throws Exception {
    JsonNode quotas = json(mvc.perform(as(newUser(), get("/api/quota/status"))).andReturn());

    assertThat(quotas.valueStream().map(q -> q.get("type").asString()).toList())
        .containsExactly("characters", "requests", "tokens", "tracked-events");
    assertThat(quota(quotas, "characters").get("limit").asLong()).isEqualTo(2000);
    assertThat(quota(quotas, "characters").get("period").asString()).isEqualTo("month");
    assertThat(quota(quotas, "characters").get("resetAt").asString()).isEqualTo("2027-01-01T00:00:00Z");
    assertThat(quota(quotas, "characters").get("level").asString()).isEqualTo("green");
    assertThat(quota(quotas, "tracked-events").get("limit").asLong()).isEqualTo(100);
    assertThat(quota(quotas, "tracked-events").get("period").asString()).isEqualTo("day");
  }

  @Test
  void letsOnlyAnAdminReadAnotherUsersQuotas() throws Exception {
    String user = newUser();
    String other = newUser();

    MvcResult own = mvc.perform(as(user, get("/api/quota/status?userId=" + user))).andReturn();
    MvcResult foreign = mvc.perform(as(user, get("/api/quota/status?userId=" + other))).andReturn();
    MvcResult foreignHistory = mvc.perform(as(user, get("/api/quota/history?userId=" + other))).andReturn();
    MvcResult byAdmin = mvc.perform(asAdmin(get("/api/quota/status?userId=bob"))).andReturn();

    assertThat(own.getResponse().getStatus()).isEqualTo(200);
    assertThat(foreign.getResponse().getStatus()).isEqualTo(403);
    assertThat(foreign.getResponse().getContentType()).isEqualTo("application/problem+json");
    assertThat(foreignHistory.getResponse().getStatus()).isEqualTo(403);
    assertThat(quota(json(byAdmin), "characters").get("limit").asLong()).as("bob is premium").isEqualTo(100_000);
  }

  @Test
  void anAdminOverrideChangesTheLimitTheUserSeesAndIsAudited() throws Exception {
    String user = newUser();

    JsonNode settings = json(mvc.perform(body(asAdmin(put("/api/quota/update")),
        "{\"userId\": \"" + user + "\", \"type\": \"characters\", \"limit\": 5000, \"reason\": \"ticket 42\"}"))
        .andReturn());

    assertThat(settings.get("userId").asString()).isEqualTo(user);
    assertThat(settings.get("overrides").get(0).get("type").asString()).isEqualTo("characters");
    assertThat(settings.get("overrides").get(0).get("limit").asLong()).isEqualTo(5000);
    assertThat(quota(settings.get("quotas"), "characters").get("limit").asLong()).isEqualTo(5000);
    JsonNode seen = json(mvc.perform(as(user, get("/api/quota/status"))).andReturn());
    assertThat(quota(seen, "characters").get("limit").asLong()).isEqualTo(5000);
    assertThat(correct(user, LONG).getResponse().getStatus()).isEqualTo(200);
    assertThat(correct(user, MORE).getResponse().getStatus()).as("within the new limit").isEqualTo(200);
    List<AuditEntry> trail = engine.quotas().auditTrail(user);
    assertThat(trail).last().satisfies(e -> {
      assertThat(e.actor()).isEqualTo(ADMIN);
      assertThat(e.reason()).isEqualTo("ticket 42");
    });
  }

  @Test
  void anOverrideMayBeWeeklyOrDaily() throws Exception {
    String weekly = newUser();
    String daily = newUser();

    JsonNode week = quota(override(weekly, "requests", 3, "week").get("quotas"), "requests");
    JsonNode day = quota(override(daily, "requests", 2, "day").get("quotas"), "requests");

    assertThat(week.get("period").asString()).isEqualTo("week");
    assertThat(week.get("limit").asLong()).isEqualTo(3);
    assertThat(week.get("periodStart").asString()).as("the Monday of the clock's week").isEqualTo("2026-12-14T00:00:00Z");
    assertThat(week.get("resetAt").asString()).isEqualTo("2026-12-21T00:00:00Z");
    assertThat(day.get("period").asString()).isEqualTo("day");
    assertThat(day.get("limit").asLong()).isEqualTo(2);
    assertThat(day.get("periodStart").asString()).as("the clock's day").isEqualTo("2026-12-15T00:00:00Z");
    assertThat(day.get("resetAt").asString()).isEqualTo("2026-12-16T00:00:00Z");

    // two requests a day: the third correction of the day is refused until midnight, 14 hours after 10:00
    assertThat(correct(daily, "teh libary").getResponse().getStatus()).isEqualTo(200);
    assertThat(correct(daily, "teh libary").getResponse().getStatus()).isEqualTo(200);
    MvcResult third = correct(daily, "teh libary");
    assertThat(third.getResponse().getStatus()).isEqualTo(429);
    assertThat(json(third).get("violated").valueStream().map(JsonNode::asString).toList()).containsExactly("requests");
    assertThat(third.getResponse().getHeader(HttpHeaders.RETRY_AFTER)).isEqualTo(Long.toString(14 * 3600));
    clock.advance(Duration.ofHours(14));
    assertThat(correct(daily, "teh libary").getResponse().getStatus()).as("the next day").isEqualTo(200);
    JsonNode next = quota(json(mvc.perform(as(daily, get("/api/quota/status"))).andReturn()), "requests");
    assertThat(next.get("periodStart").asString()).isEqualTo("2026-12-16T00:00:00Z");
    assertThat(next.get("used").asLong()).isEqualTo(1);
  }

  private JsonNode override(String user, String type, long limit, String period) throws Exception {
    MvcResult r = mvc.perform(body(asAdmin(put("/api/quota/update")), "{\"userId\": \"" + user + "\", \"type\": \""
        + type + "\", \"limit\": " + limit + ", \"period\": \"" + period + "\", \"reason\": \"trial\"}")).andReturn();
    assertThat(r.getResponse().getStatus()).as(r.getResponse().getContentAsString()).isEqualTo(200);
    return json(r);
  }

  @Test
  void aResetGivesTheAllowanceBack() throws Exception {
    String user = newUser();
    assertThat(correct(user, LONG).getResponse().getStatus()).isEqualTo(200);
    assertThat(correct(user, MORE).getResponse().getStatus()).isEqualTo(429);

    JsonNode settings = json(mvc.perform(body(asAdmin(post("/api/quota/reset")),
        "{\"userId\": \"" + user + "\", \"type\": \"characters\", \"reason\": \"goodwill\"}")).andReturn());

    assertThat(quota(settings.get("quotas"), "characters").get("used").asLong()).isZero();
    assertThat(quota(settings.get("quotas"), "characters").get("remaining").asLong()).isEqualTo(2000);
    assertThat(quota(settings.get("quotas"), "requests").get("used").asLong()).as("only characters reset").isEqualTo(1);
    assertThat(correct(user, MORE).getResponse().getStatus()).isEqualTo(200);
  }

  @Test
  void namesEveryRefusedFieldOfAnOverride() throws Exception {
    assertInvalid(mvc.perform(body(asAdmin(put("/api/quota/update")),
            "{\"userId\": \" \", \"type\": \"Chars!\", \"limit\": -1, \"period\": \"year\"}")).andReturn(),
        "userId", "type", "limit", "period", "reason");
    assertInvalid(mvc.perform(body(asAdmin(post("/api/quota/reset")), "{\"userId\": \"x\", \"type\": \"characters\"}"))
        .andReturn(), "reason");
    assertInvalid(mvc.perform(body(asAdmin(post("/api/quota/reset")),
        "{\"userId\": \"" + newUser() + "\", \"type\": \"pages\", \"reason\": \"r\"}")).andReturn(), "quotaType");
  }

  @Test
  void refusesARequestIdReusedForAnotherChangeWith409() throws Exception {
    String user = newUser();
    String change = "{\"userId\": \"" + user + "\", \"type\": \"requests\", \"limit\": %d, \"reason\": \"r\","
        + " \"requestId\": \"req-1\"}";
    assertThat(mvc.perform(body(asAdmin(put("/api/quota/update")), change.formatted(50))).andReturn().getResponse()
        .getStatus()).isEqualTo(200);
    assertThat(mvc.perform(body(asAdmin(put("/api/quota/update")), change.formatted(50))).andReturn().getResponse()
        .getStatus()).as("a retry").isEqualTo(200);

    MvcResult conflict = mvc.perform(body(asAdmin(put("/api/quota/update")), change.formatted(60))).andReturn();

    assertThat(conflict.getResponse().getStatus()).isEqualTo(409);
    assertThat(json(conflict).get("detail").asString()).contains("req-1");
    assertThat(quota(json(mvc.perform(as(user, get("/api/quota/status"))).andReturn()), "requests").get("limit")
        .asLong()).isEqualTo(50);
  }

  /**
   * The monthly reset job with the clock in January closes December for every user it sees, and the clock
   * then goes back to December: no other test may run on that state. So this test has a context of its own
   * (its own clock and engine, closed after it) and a database no other test uses. {@code @DirtiesContext}
   * alone would not do: the default H2 database ({@code DB_CLOSE_DELAY=-1}) outlives a closed context, and the
   * next context would read the closed periods back.
   */
  @Nested
  @TestPropertySource(properties = "spring.datasource.url=jdbc:h2:mem:quota-api-closed-periods;DB_CLOSE_DELAY=-1")
  @DirtiesContext
  class ClosedPeriods extends ApiTestSupport {

    @Autowired
    UsageEngine engine;

    @Test
    void historyListsThePeriodsTheResetJobClosed() throws Exception {
      String user = newUser();
      assertThat(correct(user, LONG).getResponse().getStatus()).isEqualTo(200);
      assertThat(json(mvc.perform(as(user, get("/api/quota/history"))).andReturn())).isEmpty();

      // December can take no more charges a day and five minutes after it ends; the job then closes it
      clock.set(Instant.parse("2027-01-02T01:00:00Z"));
      engine.quotas().resetMonthlyQuotas();

      JsonNode history = json(mvc.perform(as(user, get("/api/quota/history"))).andReturn());
      JsonNode characters = quota(history, "characters");
      assertThat(characters.get("period").asString()).isEqualTo("month");
      assertThat(characters.get("periodStart").asString()).isEqualTo("2026-12-01T00:00:00Z");
      assertThat(characters.get("periodEnd").asString()).isEqualTo("2027-01-01T00:00:00Z");
      assertThat(characters.get("limit").asLong()).isEqualTo(2000);
      assertThat(characters.get("used").asLong()).isEqualTo(LONG.length());
      assertThat(characters.get("rolledOver").asLong()).isZero();
      assertThat(characters.get("closedAt").asString()).isEqualTo("2027-01-02T01:00:00Z");
      assertThat(json(mvc.perform(asAdmin(get("/api/quota/history?userId=" + user))).andReturn())).isEqualTo(history);
    }
  }
}
