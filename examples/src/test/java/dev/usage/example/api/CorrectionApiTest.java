package dev.usage.example.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import jakarta.servlet.http.Cookie;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;

/** {@code POST /api/correct} and {@code GET /api/usage/current}: charging, refusing and signing in. */
class CorrectionApiTest extends ApiTestSupport {

  private static final String FIRST = "teh libary is realy nice";
  private static final String SECOND = "i will recieve it tomorow";

  @Test
  void correctsTheTextAndReportsWhatItCharged() throws Exception {
    String user = newUser();
    JsonNode c = corrected(user, FIRST);

    assertThat(c.get("corrected").asString()).isEqualTo("The library is really nice");
    assertThat(c.get("characters").asLong()).isEqualTo(FIRST.length());
    assertThat(c.get("tokens").get("input").asLong()).isPositive();
  }

  @Test
  void currentUsageShowsTheCharactersAndRequestsOfTwoCorrections() throws Exception {
    String user = newUser();
    JsonNode first = corrected(user, FIRST);
    JsonNode second = corrected(user, SECOND);
    long tokens = first.get("tokens").get("input").asLong() + first.get("tokens").get("output").asLong()
        + second.get("tokens").get("input").asLong() + second.get("tokens").get("output").asLong();

    JsonNode current = json(mvc.perform(as(user, get("/api/usage/current"))).andReturn());

    assertThat(current.get("userId").asString()).isEqualTo(user);
    assertThat(current.get("tier").asString()).isEqualTo("free");
    assertThat(quota(current.get("quotas"), "characters").get("used").asLong()).isEqualTo(FIRST.length() + SECOND.length());
    assertThat(quota(current.get("quotas"), "characters").get("limit").asLong()).isEqualTo(2000);
    assertThat(quota(current.get("quotas"), "requests").get("used").asLong()).isEqualTo(2);
    assertThat(quota(current.get("quotas"), "tokens").get("used").asLong()).isEqualTo(tokens);
  }

  @Test
  void refusesWith429OnceTheFreeCharacterQuotaIsSpent() throws Exception {
    String user = newUser();
    String text = "word ".repeat(300).strip(); // 1,499 characters of the free tier's 2,000
    assertThat(correct(user, text).getResponse().getStatus()).isEqualTo(200);

    MvcResult refused = correct(user, "word ".repeat(120).strip());

    assertThat(refused.getResponse().getStatus()).isEqualTo(429);
    assertThat(refused.getResponse().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    assertThat(Long.parseLong(refused.getResponse().getHeader(HttpHeaders.RETRY_AFTER)))
        .isEqualTo(java.time.Duration.between(NOW, java.time.Instant.parse("2027-01-01T00:00:00Z")).toSeconds());
    JsonNode problem = json(refused);
    assertThat(problem.get("violated").valueStream().map(JsonNode::asString).toList()).containsExactly("characters");
    JsonNode current = json(mvc.perform(as(user, get("/api/usage/current"))).andReturn());
    assertThat(quota(current.get("quotas"), "characters").get("used").asLong())
        .as("a refused correction charges nothing").isEqualTo(text.length());
  }

  @Test
  void namesTheTextWhenItIsBlankOrMissing() throws Exception {
    String user = newUser();
    JsonNode blank = assertInvalid(mvc.perform(body(as(user, post("/api/correct")), "{\"text\": \"  \"}")).andReturn(),
        "text");
    assertThat(blank.get("detail").asString()).contains("text");
    assertInvalid(mvc.perform(body(as(user, post("/api/correct")), "{}")).andReturn(), "text");
    assertInvalid(correct(user, "x".repeat(5_001)), "text");
  }

  @Test
  void answersMalformedJsonWith400() throws Exception {
    MvcResult r = mvc.perform(body(as(newUser(), post("/api/correct")), "{\"text\": ")).andReturn();

    assertThat(r.getResponse().getStatus()).isEqualTo(400);
    assertThat(r.getResponse().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
  }

  @Test
  void refusesCallersWithoutCredentialsOrWithAWrongPassword() throws Exception {
    String user = newUser();
    MvcResult anonymous = mvc.perform(get("/api/usage/current")).andReturn();
    MvcResult anonymousAdmin = mvc.perform(get("/api/admin/usage/system")).andReturn();
    MvcResult wrong = mvc.perform(as(user, "not-the-password", get("/api/usage/current"))).andReturn();
    MvcResult wrongPost = mvc.perform(body(as(user, "not-the-password", post("/api/correct")), "{\"text\": \"hi\"}"))
        .andReturn();
    // no credentials and no CSRF token: the CSRF check refuses it first, still as "sign in", not as a 403
    MvcResult anonymousPost = mvc.perform(body(post("/api/correct"), "{\"text\": \"hi\"}")).andReturn();

    for (MvcResult r : new MvcResult[] {anonymous, anonymousAdmin, wrong, wrongPost, anonymousPost}) {
      assertThat(r.getResponse().getStatus()).isEqualTo(401);
      assertThat(r.getResponse().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    }
    assertThat(wrong.getResponse().getHeader(HttpHeaders.WWW_AUTHENTICATE)).startsWith("Basic");
  }

  @Test
  void aSignedInBrowserSessionNeedsTheCsrfTokenOfItsCookieToPost() throws Exception {
    String user = newUser();
    // as the dashboard does: any answer sets the XSRF-TOKEN cookie, and scripts echo it in X-XSRF-TOKEN
    Cookie token = mvc.perform(get("/api/usage/current").with(SecurityMockMvcRequestPostProcessors.user(user)))
        .andReturn().getResponse().getCookie("XSRF-TOKEN");
    assertThat(token).isNotNull();
    MvcResult without = mvc.perform(body(post("/api/correct").with(SecurityMockMvcRequestPostProcessors.user(user)),
        "{\"text\": \"hi\"}")).andReturn();
    MvcResult with = mvc.perform(body(post("/api/correct").with(SecurityMockMvcRequestPostProcessors.user(user))
        .cookie(token).header("X-XSRF-TOKEN", token.getValue()), "{\"text\": \"hi\"}")).andReturn();

    assertThat(without.getResponse().getStatus()).isEqualTo(403);
    assertThat(json(without).get("detail").asString()).contains("X-XSRF-TOKEN");
    assertThat(with.getResponse().getStatus()).as(with.getResponse().getContentAsString()).isEqualTo(200);
  }
}
