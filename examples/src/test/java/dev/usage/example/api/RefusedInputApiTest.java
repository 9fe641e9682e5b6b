package dev.usage.example.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.usage.UsageEngine;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.web.server.ResponseStatusException;

/**
 * What the API refuses and how: amounts and dates that would break the reports, an admin change that
 * cannot be made whole, the actuator's view of other users, and the Basic challenge a browser must not get.
 */
class RefusedInputApiTest extends ApiTestSupport {

  @Autowired
  UsageEngine engine;

  @Test
  void refusesATrackedAmountOverABillionSoThatNoUserCanOverflowTheReports() throws Exception {
    String user = newUser();

    assertInvalid(mvc.perform(body(as(user, post("/api/usage/track")),
        "{\"feature\": \"ocr\", \"characters\": 1000000001}")).andReturn(), "characters");
    assertThat(mvc.perform(body(as(user, post("/api/usage/track")),
        "{\"feature\": \"ocr\", \"characters\": 1000000000}")).andReturn().getResponse().getStatus()).isEqualTo(202);
  }

  @Test
  void refusesDatesOutsideTheYears1970To9999NamingTheParameter() throws Exception {
    String user = newUser();

    assertInvalid(mvc.perform(as(user, get("/api/usage/history?from=1969-12-31&to=1970-01-02"))).andReturn(), "from");
    assertInvalid(mvc.perform(as(user, get("/api/usage/history?to=%2B10000-01-01"))).andReturn(), "to");
    assertInvalid(mvc.perform(asAdmin(get("/api/admin/analytics?to=%2B999999999-12-31"))).andReturn(), "to");
    // the default 30 days before an early 'to' stop at 1970 instead of being refused
    MvcResult early = mvc.perform(as(user, get("/api/usage/history?to=1970-01-05"))).andReturn();
    assertThat(early.getResponse().getStatus()).as(early.getResponse().getContentAsString()).isEqualTo(200);
    assertThat(json(early)).hasSize(5);
  }

  @Test
  void anAdminChangeWithAnUnknownTierChangesNoLimitEither() throws Exception {
    String user = newUser();

    MvcResult r = mvc.perform(body(asAdmin(put("/api/admin/quota/user/" + user)),
        "{\"tier\": \"platinum\", \"limits\": {\"characters\": 5000}, \"reason\": \"upgrade\"}")).andReturn();

    assertThat(r.getResponse().getStatus()).as(r.getResponse().getContentAsString()).isEqualTo(400);
    assertThat(engine.quotas().getUserQuota(user).overrides()).isEmpty();
    assertThat(engine.quotas().auditTrail(user)).isEmpty();
  }

  @Test
  void anAdminChangeBeyondTheMostOverridesChangesNothingAndASwapWorks() throws Exception {
    String user = newUser();
    for (int i = 0; i < dev.usage.UserQuota.MAX_OVERRIDES; i++) {
      engine.quotas().updateQuota(user, dev.usage.Quota.monthly(dev.usage.QuotaType.of("c" + i), 5), "ops", "seed");
    }

    MvcResult r = mvc.perform(body(asAdmin(put("/api/admin/quota/user/" + user)),
        "{\"tier\": \"premium\", \"limits\": {\"zz\": 5}, \"reason\": \"one more\"}")).andReturn();
    assertInvalid(r, "limits");
    assertThat(engine.quotas().getUserQuota(user).tier()).as("the tier is not changed either").isEqualTo("free");

    MvcResult swap = mvc.perform(body(asAdmin(put("/api/admin/quota/user/" + user)),
        "{\"limits\": {\"c0\": -1, \"zz\": 5}, \"reason\": \"swap\"}")).andReturn();
    assertThat(swap.getResponse().getStatus()).as(swap.getResponse().getContentAsString()).isEqualTo(200);
    assertThat(engine.quotas().getUserQuota(user).overrides()).hasSize(dev.usage.UserQuota.MAX_OVERRIDES)
        .containsKey(dev.usage.QuotaType.of("zz")).doesNotContainKey(dev.usage.QuotaType.of("c0"));
  }

  @Test
  void theActuatorsUsageEndpointIsForAdminsOnly() throws Exception {
    String user = newUser();

    assertThat(mvc.perform(as(user, get("/actuator/usage/bob"))).andReturn().getResponse().getStatus())
        .isEqualTo(403);
    assertThat(mvc.perform(as(user, get("/actuator/usage"))).andReturn().getResponse().getStatus()).isEqualTo(403);
    assertThat(mvc.perform(asAdmin(get("/actuator/usage/bob"))).andReturn().getResponse().getStatus())
        .isEqualTo(200);
    assertThat(mvc.perform(get("/actuator/health")).andReturn().getResponse().getStatus()).isEqualTo(200);
  }

  @Test
  void challengesApiClientsWithBasicButNotTheDashboardsScripts() throws Exception {
    MvcResult client = mvc.perform(get("/api/usage/current")).andReturn();
    MvcResult script = mvc.perform(get("/api/usage/current").header("Sec-Fetch-Mode", "cors")).andReturn();

    assertThat(client.getResponse().getStatus()).isEqualTo(401);
    assertThat(client.getResponse().getHeader(HttpHeaders.WWW_AUTHENTICATE)).startsWith("Basic");
    assertThat(script.getResponse().getStatus()).isEqualTo(401);
    assertThat(script.getResponse().getHeader(HttpHeaders.WWW_AUTHENTICATE)).isNull();
  }

  @Test
  void aStoppingFeedOpensNoNewStream() {
    LiveUsageFeed feed = new LiveUsageFeed();
    feed.stop();

    assertThatThrownBy(() -> feed.subscribe("alice")).isInstanceOfSatisfying(ResponseStatusException.class,
        e -> assertThat(e.getStatusCode().value()).isEqualTo(503));
    assertThat(feed.subscribers()).isZero();
  }
}
