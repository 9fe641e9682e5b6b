package dev.usage.example.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.UserDetailsManager;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The application as API clients see it: one shared context (H2 in memory, events stored before the call
 * returns, a clock standing at {@link #NOW}) and HTTP Basic. Each test signs up its own users, so tests do
 * not see each other's usage.
 */
@SpringBootTest(properties = "usage.tracking.mode=sync")
@AutoConfigureMockMvc
@Import(FixedClockConfiguration.class)
abstract class ApiTestSupport {

  /** Where the clock stands: mid-December, far from any period boundary. */
  static final Instant NOW = Instant.parse("2026-12-15T10:00:00Z");
  static final LocalDate TODAY = LocalDate.parse("2026-12-15");
  static final String PASSWORD = "test-password";
  static final String ADMIN = "admin";
  static final String ADMIN_PASSWORD = "admin-password";

  @Autowired
  MockMvc mvc;

  @Autowired
  JsonMapper json;

  @Autowired
  UserDetailsService users;

  @Autowired
  SettableClock clock;

  @AfterEach
  void standTheClockBack() {
    clock.set(NOW);
  }

  /** A new user with role USER on the free tier (no stored settings), signing in with {@link #PASSWORD}. */
  String newUser() {
    String id = "u-" + UUID.randomUUID().toString().substring(0, 8);
    ((UserDetailsManager) users).createUser(User.withUsername(id).password("{noop}" + PASSWORD).roles("USER").build());
    return id;
  }

  /** The request signed in as {@code user} with {@link #PASSWORD}. */
  static MockHttpServletRequestBuilder as(String user, MockHttpServletRequestBuilder request) {
    return as(user, PASSWORD, request);
  }

  static MockHttpServletRequestBuilder asAdmin(MockHttpServletRequestBuilder request) {
    return as(ADMIN, ADMIN_PASSWORD, request);
  }

  static MockHttpServletRequestBuilder as(String user, String password, MockHttpServletRequestBuilder request) {
    String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return request.header(HttpHeaders.AUTHORIZATION, "Basic " + token);
  }

  static MockHttpServletRequestBuilder body(MockHttpServletRequestBuilder request, String json) {
    return request.contentType(MediaType.APPLICATION_JSON).content(json);
  }

  /** {@code POST /api/correct} of {@code text} as {@code user}, whatever the answer. */
  MvcResult correct(String user, String text) throws Exception {
    return mvc.perform(body(as(user, MockMvcRequestBuilders.post("/api/correct")),
        json.writeValueAsString(Map.of("text", text)))).andReturn();
  }

  /** As {@link #correct}, asserting that the correction was served (200); returns its answer. */
  JsonNode corrected(String user, String text) throws Exception {
    MvcResult r = correct(user, text);
    assertThat(r.getResponse().getStatus()).as(r.getResponse().getContentAsString()).isEqualTo(200);
    return json(r);
  }

  /** The quota of this type in a list of quota statuses. */
  static JsonNode quota(JsonNode quotas, String type) {
    return quotas.valueStream().filter(q -> q.get("type").asString().equals(type)).findFirst()
        .orElseThrow(() -> new AssertionError("no quota " + type + " in " + quotas));
  }

  JsonNode json(MvcResult result) throws Exception {
    return json.readTree(result.getResponse().getContentAsString(StandardCharsets.UTF_8));
  }

  /** Asserts a 400 problem whose {@code errors} name {@code fields}, and returns it. */
  JsonNode assertInvalid(MvcResult result, String... fields) throws Exception {
    assertThat(result.getResponse().getStatus()).as(result.getResponse().getContentAsString()).isEqualTo(400);
    assertThat(result.getResponse().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    JsonNode problem = json(result);
    assertThat(problem.get("status").asInt()).isEqualTo(400);
    assertThat(problem.get("errors").valueStream().map(e -> e.get("field").asString()).toList())
        .containsExactlyInAnyOrder(fields);
    return problem;
  }
}
