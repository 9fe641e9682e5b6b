package dev.usage.example.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;

/** {@code /api/usage/*}: history, analytics, export and the tracking endpoint with its own rate limit. */
class UsageApiTest extends ApiTestSupport {

  private static final String FIRST = "teh libary is realy nice";
  private static final String SECOND = "i will recieve it tomorow";

  @Test
  void historyHasADayForEachDateWithTheDaysCorrections() throws Exception {
    String user = newUser();
    corrected(user, FIRST);
    clock.advance(Duration.ofDays(1));
    corrected(user, SECOND);

    JsonNode days = json(mvc.perform(as(user, get("/api/usage/history?from=2026-12-14&to=2026-12-16"))).andReturn());

    assertThat(days.valueStream().map(d -> d.get("date").asString()).toList())
        .containsExactly("2026-12-14", "2026-12-15", "2026-12-16");
    assertThat(days.get(0).get("events").asLong()).isZero();
    assertThat(days.get(1).get("characters").asLong()).isEqualTo(FIRST.length());
    assertThat(days.get(1).get("requests").asLong()).isEqualTo(1);
    assertThat(days.get(1).get("events").asLong()).isEqualTo(1);
    assertThat(days.get(2).get("characters").asLong()).isEqualTo(SECOND.length());
    assertThat(days.get(2).get("tokens").asLong()).isPositive();
  }

  @Test
  void historyDefaultsToTheThirtyDaysEndingToday() throws Exception {
    JsonNode days = json(mvc.perform(as(newUser(), get("/api/usage/history"))).andReturn());

    assertThat(days).hasSize(30);
    assertThat(days.get(0).get("date").asString()).isEqualTo(TODAY.minusDays(29).toString());
    assertThat(days.get(29).get("date").asString()).isEqualTo(TODAY.toString());
  }

  @Test
  void namesTheParameterOfAnUnparsableOrBackwardRange() throws Exception {
    String user = newUser();
    assertInvalid(mvc.perform(as(user, get("/api/usage/history?from=2026-13-01"))).andReturn(), "from");
    assertInvalid(mvc.perform(as(user, get("/api/usage/history?from=2026-12-10&to=2026-12-01"))).andReturn(), "to");
    assertInvalid(mvc.perform(as(user, get("/api/usage/analytics?to=yesterday"))).andReturn(), "to");
  }

  @Test
  void analyticsSumsTheRangeByFeatureAndForecastsTheMonth() throws Exception {
    String user = newUser();
    corrected(user, FIRST);
    corrected(user, SECOND);
    track(user, "{\"feature\": \"ocr\", \"characters\": 40, \"requests\": 2}");

    JsonNode a = json(mvc.perform(as(user, get("/api/usage/analytics?from=2026-12-01&to=2026-12-15"))).andReturn());

    assertThat(a.get("userId").asString()).isEqualTo(user);
    assertThat(a.get("tier").asString()).isEqualTo("free");
    assertThat(a.get("totals").get("events").asLong()).isEqualTo(3);
    assertThat(a.get("totals").get("units").get("characters").asLong()).isEqualTo(FIRST.length() + SECOND.length() + 40);
    assertThat(a.get("byFeature").get("text-correction").get("events").asLong()).isEqualTo(2);
    assertThat(a.get("byFeature").get("ocr").get("units").get("requests").asLong()).isEqualTo(2);
    JsonNode trend = quota(a.get("trend"), "characters");
    assertThat(trend.get("previous").asLong()).isZero();
    assertThat(trend.get("current").asLong()).isEqualTo(FIRST.length() + SECOND.length() + 40);
    assertThat(quota(a.get("vsTier"), "characters").get("units").asLong()).isEqualTo(FIRST.length() + SECOND.length() + 40);
    JsonNode period = quota(a.get("periods"), "characters");
    assertThat(period.get("period").asString()).isEqualTo("month");
    assertThat(period.get("limit").asLong()).isEqualTo(2000);
    assertThat(period.get("used").asLong()).isEqualTo(FIRST.length() + SECOND.length());
    // 49 characters in the 14 days and 10 hours since December began, continued to the end of its 31 days
    JsonNode forecast = quota(a.get("forecast"), "characters");
    assertThat(forecast.get("used").asLong()).isEqualTo(FIRST.length() + SECOND.length());
    assertThat(forecast.get("projected").asLong())
        .isEqualTo((long) ((FIRST.length() + SECOND.length()) * (31 * 24.0) / (14 * 24 + 10)));
    assertThat(forecast.get("runsOutAt").isNull()).isTrue();
  }

  @Test
  void exportsTheUsersEventsOfTheRangeAsCsv() throws Exception {
    String user = newUser();
    String other = newUser();
    corrected(user, FIRST);
    clock.advance(Duration.ofMinutes(1));
    corrected(user, SECOND);
    corrected(other, FIRST);

    MvcResult started = mvc.perform(as(user, get("/api/usage/export?format=csv&from=2026-12-01&to=2026-12-31")))
        .andReturn();
    MvcResult r = mvc.perform(asyncDispatch(started)).andReturn();

    assertThat(r.getResponse().getStatus()).isEqualTo(200);
    assertThat(r.getResponse().getContentType()).startsWith("text/csv");
    assertThat(r.getResponse().getHeader(HttpHeaders.CONTENT_DISPOSITION))
        .isEqualTo("attachment; filename=\"usage-" + user + "-2026-12-01-2026-12-31.csv\"");
    List<String> lines = r.getResponse().getContentAsString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("eventId,userId,occurredAt,feature,endpoint,characters,requests");
    assertThat(lines.subList(1, 3)).allSatisfy(l -> assertThat(l).contains("," + user + ",").contains("text-correction"));
    assertThat(lines.get(1)).as("oldest first").contains("2026-12-15T10:00:00Z").contains("," + FIRST.length() + ",1,");
    assertThat(lines.get(2)).contains("2026-12-15T10:01:00Z").contains("," + SECOND.length() + ",1,");
  }

  @Test
  void exportsJsonThatParsesToTheUsersEvents() throws Exception {
    String user = newUser();
    corrected(user, FIRST);

    MvcResult started = mvc.perform(as(user, get("/api/usage/export?format=json"))).andReturn();
    MvcResult r = mvc.perform(asyncDispatch(started)).andReturn();

    assertThat(r.getResponse().getContentType()).startsWith(MediaType.APPLICATION_JSON_VALUE);
    assertThat(r.getResponse().getHeader(HttpHeaders.CONTENT_DISPOSITION))
        .isEqualTo("attachment; filename=\"usage-" + user + "-2026-11-16-2026-12-15.json\"");
    JsonNode events = json(r);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).get("userId").asString()).isEqualTo(user);
    assertThat(events.get(0).get("characters").asLong()).isEqualTo(FIRST.length());
  }

  @Test
  void refusesAnUnknownExportFormatNamingIt() throws Exception {
    assertInvalid(mvc.perform(as(newUser(), get("/api/usage/export?format=xml"))).andReturn(), "format");
  }

  @Test
  void tracksReportedUsageIntoTheHistoryWithoutChargingTheQuotas() throws Exception {
    String user = newUser();
    MvcResult r = mvc.perform(body(as(user, post("/api/usage/track")),
        "{\"feature\": \"ocr\", \"endpoint\": \"POST /scan\", \"characters\": 120, \"inputTokens\": 30,"
            + " \"outputTokens\": 12}")).andReturn();

    assertThat(r.getResponse().getStatus()).isEqualTo(202);
    assertThat(json(r).get("accepted").asBoolean()).isTrue();
    JsonNode today = json(mvc.perform(as(user, get("/api/usage/history?from=2026-12-15&to=2026-12-15"))).andReturn())
        .get(0);
    assertThat(today.get("characters").asLong()).isEqualTo(120);
    assertThat(today.get("requests").asLong()).as("requests default to 1").isEqualTo(1);
    assertThat(today.get("tokens").asLong()).isEqualTo(42);
    assertThat(today.get("failedEvents").asLong()).isZero();
    JsonNode quotas = json(mvc.perform(as(user, get("/api/usage/current"))).andReturn()).get("quotas");
    assertThat(quota(quotas, "characters").get("used").asLong()).isZero();
    assertThat(quota(quotas, "tracked-events").get("used").asLong()).isEqualTo(1);
  }

  @Test
  void recordsAnEventWithAnErrorCodeAsFailedAndAnIdempotencyKeyOnce() throws Exception {
    String user = newUser();
    String event = "{\"feature\": \"ocr\", \"errorCode\": \"timeout\", \"idempotencyKey\": \"scan-1\"}";
    track(user, event);
    track(user, event);

    JsonNode today = json(mvc.perform(as(user, get("/api/usage/history?from=2026-12-15&to=2026-12-15"))).andReturn())
        .get(0);
    assertThat(today.get("events").asLong()).isEqualTo(1);
    assertThat(today.get("failedEvents").asLong()).isEqualTo(1);
    JsonNode quotas = json(mvc.perform(as(user, get("/api/usage/current"))).andReturn()).get("quotas");
    assertThat(quota(quotas, "tracked-events").get("used").asLong()).as("a retried event costs once").isEqualTo(1);
  }

  @Autowired
  DataSource dataSource;

  @Test
  void anEventTheStoreCouldNotRecordCostsNothingWithoutAKeyAndOnceWithOne() throws Exception {
    String user = newUser();
    String keyed = "{\"feature\": \"ocr\", \"idempotencyKey\": \"scan-9\"}";
    eventTable("usage_tracking", "usage_tracking_away"); // the event log's table is gone: the store fails
    try {
      assertThat(mvc.perform(trackRequest(user, "{\"feature\": \"ocr\"}")).andReturn().getResponse().getStatus())
          .isEqualTo(503);
      assertThat(mvc.perform(trackRequest(user, keyed)).andReturn().getResponse().getStatus()).isEqualTo(503);
    } finally {
      eventTable("usage_tracking_away", "usage_tracking");
    }
    JsonNode quotas = json(mvc.perform(as(user, get("/api/usage/current"))).andReturn()).get("quotas");
    assertThat(quota(quotas, "tracked-events").get("used").asLong()).as("the keyed event's unit only").isEqualTo(1);

    track(user, keyed); // the retry under the key is recorded, and not charged again
    quotas = json(mvc.perform(as(user, get("/api/usage/current"))).andReturn()).get("quotas");
    assertThat(quota(quotas, "tracked-events").get("used").asLong()).isEqualTo(1);
    JsonNode today = json(mvc.perform(as(user, get("/api/usage/history?from=2026-12-15&to=2026-12-15"))).andReturn())
        .get(0);
    assertThat(today.get("events").asLong()).isEqualTo(1);
  }

  private void eventTable(String from, String to) throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      s.execute("ALTER TABLE " + from + " RENAME TO " + to);
    }
  }

  @Test
  void takesIdempotencyKeysOfUpTo122Characters() throws Exception {
    String user = newUser();
    track(user, "{\"feature\": \"ocr\", \"idempotencyKey\": \"" + "k".repeat(122) + "\"}");

    JsonNode problem = assertInvalid(mvc.perform(trackRequest(user,
        "{\"feature\": \"ocr\", \"idempotencyKey\": \"" + "k".repeat(123) + "\"}")).andReturn(), "idempotencyKey");
    // the limit the caller was given, not that of the guard's key the sample makes of it ("track:" and the key)
    assertThat(problem.get("errors").get(0).get("message").asString()).isEqualTo("must be 1 to 122 characters");
  }

  @Test
  void namesEachRefusedFieldOfATrackedEvent() throws Exception {
    String user = newUser();
    assertInvalid(mvc.perform(body(as(user, post("/api/usage/track")),
        "{\"feature\": \"OCR!\", \"characters\": -1, \"requests\": -2}")).andReturn(), "feature", "characters", "requests");
    assertInvalid(mvc.perform(body(as(user, post("/api/usage/track")), "{\"characters\": 1}")).andReturn(), "feature");
    assertInvalid(mvc.perform(body(as(user, post("/api/usage/track")), "{\"feature\": \"ocr\", \"characters\": \"many\"}"))
        .andReturn(), "characters");
  }

  @Test
  void refusesTheHundredAndFirstTrackedEventOfAFreeUserInADay() throws Exception {
    String user = newUser();
    for (int i = 1; i <= 100; i++) {
      assertThat(mvc.perform(trackRequest(user, "{\"feature\": \"ocr\"}")).andReturn().getResponse().getStatus())
          .as("call %d", i).isEqualTo(202);
    }

    MvcResult refused = mvc.perform(trackRequest(user, "{\"feature\": \"ocr\"}")).andReturn();

    assertThat(refused.getResponse().getStatus()).isEqualTo(429);
    assertThat(refused.getResponse().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    assertThat(json(refused).get("violated").get(0).asString()).isEqualTo("tracked-events");
    // the daily quota starts again at midnight UTC: 14 hours after the clock's 10:00
    assertThat(refused.getResponse().getHeader(HttpHeaders.RETRY_AFTER)).isEqualTo(Long.toString(14 * 3600));
    JsonNode today = json(mvc.perform(as(user, get("/api/usage/history?from=2026-12-15&to=2026-12-15"))).andReturn())
        .get(0);
    assertThat(today.get("events").asLong()).as("the refused event is not recorded").isEqualTo(100);

    clock.advance(Duration.ofHours(14));
    assertThat(mvc.perform(trackRequest(user, "{\"feature\": \"ocr\"}")).andReturn().getResponse().getStatus())
        .as("the next day").isEqualTo(202);
  }


  private void track(String user, String event) throws Exception {
    MvcResult r = mvc.perform(trackRequest(user, event)).andReturn();
    assertThat(r.getResponse().getStatus()).as(r.getResponse().getContentAsString()).isEqualTo(202);
  }

  private static org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder trackRequest(String user,
      String event) {
    return body(as(user, post("/api/usage/track")), event);
  }
}
