package dev.usage.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.usage.QuotaManagementService;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.spring.annotation.QuotaGuard;
import dev.usage.spring.annotation.QuotaGuard.Amount;
import dev.usage.spring.annotation.TrackUsage;
import dev.usage.spring.aop.CurrentQuotaDecision;
import dev.usage.spring.aop.QuotaUserUnresolvedException;
import dev.usage.spring.autoconfigure.UsageAutoConfiguration;
import dev.usage.spring.autoconfigure.UsageMemoryStoreAutoConfiguration;
import dev.usage.spring.autoconfigure.UsageWebMvcAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A guarded MVC endpoint: RateLimit fields, then 429 with a problem body once the quota is spent. */
@SpringBootTest(classes = QuotaGuardWebTest.App.class, properties = {"usage.store=memory",
    "usage.quotas.defaults.monthly.characters=100", "usage.quotas.defaults.monthly.tokens=1000",
    "usage.quotas.defaults.monthly.requests=-1"})
class QuotaGuardWebTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(CorrectionController.class)
  static class App {}

  /** The reference endpoint: characters and a request up front, tokens reserved and settled from the reply. */
  @RestController
  public static class CorrectionController {

    public record CorrectionRequest(String user, String text) {}

    public record Correction(String corrected, long tokensUsed, long charactersRemaining, boolean decisionOnRequest) {}

    @PostMapping("/api/correct")
    @QuotaGuard(user = "#request.user()", amounts = {
        @Amount(type = "characters", value = "#request.text().length()"),
        @Amount(type = "requests", value = "1"),
        @Amount(type = "tokens", value = "#request.text().length() * 10", actual = "#result.tokensUsed()")})
    @TrackUsage(feature = "text-correction", user = "#request.user()", characters = "#request.text().length()")
    public Correction correct(@RequestBody CorrectionRequest request, HttpServletRequest http) {
      long remaining = CurrentQuotaDecision.get().flatMap(d -> d.remaining(QuotaType.CHARACTERS)).orElse(-1L);
      return new Correction(request.text().trim(), request.text().length() / 2, remaining,
          UsageRequestAttributes.decision(http).isPresent());
    }

    /** Tokens held for the reply; a text starting with {@code !} fails, as a model that timed out. */
    @PostMapping("/api/draft")
    @QuotaGuard(user = "#request.user()", amounts = @Amount(type = "tokens", value = "#request.text().length() * 10",
        actual = "#result.length()"))
    public String draft(@RequestBody CorrectionRequest request) {
      if (request.text().startsWith("!")) {
        throw new ResponseStatusException(HttpStatus.GATEWAY_TIMEOUT, "the model timed out");
      }
      return request.text();
    }

    /** Calls of the methods below that ran (static: the bean is a proxy, whose own fields are unset). */
    static final AtomicInteger CALLS = new AtomicInteger();

    /** The user is the authenticated principal (the default). */
    @PostMapping("/api/as-principal")
    @QuotaGuard(amounts = @Amount(type = "characters", value = "#request.text().length()"))
    public String asPrincipal(@RequestBody CorrectionRequest request) {
      CALLS.incrementAndGet();
      return request.text();
    }

    /** The user comes from the body, which may lack it. */
    @PostMapping("/api/as-named")
    @QuotaGuard(user = "#request.user()", amounts = @Amount(type = "characters", value = "#request.text().length()"))
    public String asNamed(@RequestBody CorrectionRequest request) {
      CALLS.incrementAndGet();
      return request.text();
    }
  }

  @Autowired
  WebApplicationContext context;

  @Autowired
  QuotaManagementService quotas;


  MockMvc mvc;
  final JsonMapper json = JsonMapper.builder().build();

  @BeforeEach
  void mockMvc() {
    mvc = MockMvcBuilders.webAppContextSetup(context).build();
  }

  @AfterEach
  void clearSecurity() {
    SecurityContextHolder.clearContext();
  }

  private MockHttpServletResponse correct(String user, int characters) throws Exception {
    String body = json.writeValueAsString(new CorrectionController.CorrectionRequest(user, "x".repeat(characters)));
    return mvc.perform(post("/api/correct").contentType(MediaType.APPLICATION_JSON).content(body))
        .andReturn().getResponse();
  }

  private MockHttpServletResponse send(String path, String user, String text) throws Exception {
    String body = json.writeValueAsString(new CorrectionController.CorrectionRequest(user, text));
    return mvc.perform(MockMvcRequestBuilders.post(path).contentType(MediaType.APPLICATION_JSON).content(body))
        .andReturn().getResponse();
  }

  private QuotaStatus status(String user, QuotaType type) {
    return quotas.getQuotaStatus(user).stream().filter(s -> s.type().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void guardedResponseCarriesTheRateLimitFieldsAndTheDecision() throws Exception {
    MockHttpServletResponse r = correct("ann", 40);
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(r.getHeader("RateLimit-Policy"))
        .matches(".*\"characters\";q=100;w=\\d+;qu=\"characters\".*")
        .contains("\"tokens\";q=1000;w=").as("an unlimited quota has no policy").doesNotContain("requests");
    // after the commit: 40 characters and 20 actual tokens are charged
    assertThat(r.getHeader("RateLimit")).matches(".*\"characters\";r=60;t=\\d+.*").contains("\"tokens\";r=980;t=");
    JsonNode body = json.readTree(r.getContentAsString());
    assertThat(body.get("charactersRemaining").asLong()).isEqualTo(60);
    assertThat(body.get("decisionOnRequest").asBoolean()).isTrue();
  }

  @Test
  void aFailedCallReportsWhatRemainsOnceItsReservationIsGivenBack() throws Exception {
    MockHttpServletResponse r = send("/api/draft", "gus", "!" + "x".repeat(19)); // 200 tokens held, then released
    assertThat(r.getStatus()).isEqualTo(504);
    assertThat(status("gus", QuotaType.TOKENS).reserved()).isZero();
    assertThat(r.getHeader("RateLimit")).contains("\"tokens\";r=1000;t=");
  }

  @Autowired
  MeterRegistry meters;

  @Test
  void trackedCallsAreTimedByTheirHttpEndpoint() throws Exception {
    assertThat(correct("dan", 10).getStatus()).isEqualTo(200);
    assertThat(meters.get("usage.processing").tag("endpoint", "POST /api/correct")
        .tag("feature", "text-correction").timer().count()).isPositive();
  }

  @Test
  void reservationIsSettledWithTheActualTokens() throws Exception {
    assertThat(correct("ben", 30).getStatus()).isEqualTo(200);
    QuotaStatus tokens = status("ben", QuotaType.TOKENS);
    assertThat(tokens.used()).isEqualTo(15); // estimated 300, actual 30 / 2
    assertThat(tokens.reserved()).isZero();
    assertThat(status("ben", QuotaType.CHARACTERS).used()).isEqualTo(30);
  }

  @Test
  void spentQuotaAnswers429WithProblemDetailsAndRetryAfter() throws Exception {
    assertThat(correct("cat", 40).getStatus()).isEqualTo(200);
    assertThat(correct("cat", 40).getStatus()).isEqualTo(200);
    MockHttpServletResponse denied = correct("cat", 40);
    assertThat(denied.getStatus()).isEqualTo(429);
    assertThat(denied.getContentType()).startsWith("application/problem+json");
    assertThat(Long.parseLong(denied.getHeader("Retry-After"))).isPositive();
    assertThat(denied.getHeader("RateLimit")).contains("\"characters\";r=20;t=");
    JsonNode problem = json.readTree(denied.getContentAsString());
    assertThat(problem.get("type").asString()).endsWith("/quota-exceeded");
    assertThat(problem.get("status").asInt()).isEqualTo(429);
    assertThat(problem.get("violated").get(0).asString()).isEqualTo("characters");
    assertThat(problem.get("retryAfterSeconds").asLong()).isEqualTo(Long.parseLong(denied.getHeader("Retry-After")));
    assertThat(problem.get("resetAt").asString()).isNotEmpty();
    JsonNode characters = problem.get("quotas").valueStream()
        .filter(q -> q.get("type").asString().equals("characters")).findFirst().orElseThrow();
    assertThat(characters.get("remaining").asLong()).isEqualTo(20);
    assertThat(characters.get("violated").asBoolean()).isTrue();
    JsonNode requests = problem.get("quotas").valueStream()
        .filter(q -> q.get("type").asString().equals("requests")).findFirst().orElseThrow();
    assertThat(requests.get("limit").isNull()).as("unlimited").isTrue();
    assertThat(requests.get("remaining").isNull()).as("no number a JSON client would round").isTrue();
    // the refused request consumed nothing
    assertThat(status("cat", QuotaType.CHARACTERS).used()).isEqualTo(80);
    assertThat(status("cat", QuotaType.REQUESTS).used()).isEqualTo(2);
    assertThat(status("cat", QuotaType.TOKENS).reserved()).isZero();
  }

  @Test
  void aRequestAboveTheWholeLimitAnswers429WithoutRetryAfter() throws Exception {
    // 120 characters against a limit of 100: no reset makes room for them
    MockHttpServletResponse denied = correct("eve", 120);
    assertThat(denied.getStatus()).isEqualTo(429);
    assertThat(denied.getHeader("Retry-After")).isNull();
    JsonNode problem = json.readTree(denied.getContentAsString());
    assertThat(problem.get("retryable").asBoolean()).isFalse();
    assertThat(problem.has("retryAfterSeconds")).isFalse();
    assertThat(problem.get("beyondLimit").get(0).asString()).isEqualTo("characters");
    assertThat(problem.get("detail").asString()).contains("more than the whole limit of characters");
    // one that fits the limit but not what is left of it may retry after the reset
    assertThat(correct("eve", 90).getStatus()).isEqualTo(200);
    MockHttpServletResponse later = correct("eve", 20);
    assertThat(later.getStatus()).isEqualTo(429);
    assertThat(Long.parseLong(later.getHeader("Retry-After"))).isPositive();
    assertThat(json.readTree(later.getContentAsString()).get("retryable").asBoolean()).isTrue();
  }

  @Test
  void guardWithoutAnAuthenticatedPrincipalAnswers401WithProblemDetailsAndConsumesNothing() throws Exception {
    int calls = CorrectionController.CALLS.get();
    MockHttpServletResponse r = send("/api/as-principal", null, "hello");
    assertThat(r.getStatus()).isEqualTo(401);
    assertThat(r.getContentType()).startsWith("application/problem+json");
    assertThat(r.getHeader("WWW-Authenticate")).as("RFC 9110: a 401 carries a challenge").isEqualTo("Bearer");
    assertThat(r.getHeader("RateLimit")).isNull();
    JsonNode problem = json.readTree(r.getContentAsString());
    assertThat(problem.get("type").asString()).isEqualTo("https://usage.dev/problems/user-unresolved");
    assertThat(problem.get("status").asInt()).isEqualTo(401);
    assertThat(problem.get("instance").asString()).isEqualTo("/api/as-principal");
    assertThat(CorrectionController.CALLS.get()).as("the method did not run").isEqualTo(calls);

    // the same endpoint with a principal charges that principal
    SecurityContextHolder.getContext().setAuthentication(
        UsernamePasswordAuthenticationToken.authenticated("eve", null, List.of()));
    assertThat(send("/api/as-principal", null, "hello").getStatus()).isEqualTo(200);
    assertThat(status("eve", QuotaType.CHARACTERS).used()).isEqualTo(5);
  }

  @Test
  void userExpressionGivingNullAnswers401() throws Exception {
    int calls = CorrectionController.CALLS.get();
    MockHttpServletResponse r = send("/api/as-named", null, "hello");
    assertThat(r.getStatus()).isEqualTo(401);
    assertThat(json.readTree(r.getContentAsString()).get("type").asString()).endsWith("/user-unresolved");
    assertThat(CorrectionController.CALLS.get()).isEqualTo(calls);
    assertThat(send("/api/as-named", "fay", "hello").getStatus()).isEqualTo(200);
    assertThat(status("fay", QuotaType.CHARACTERS).used()).isEqualTo(5);
  }

  @Test
  void theChallengeIsConfigurableAndABlankOneFailsStartUpNamingTheProperty() {
    WebApplicationContextRunner web = new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(UsageMemoryStoreAutoConfiguration.class, UsageAutoConfiguration.class,
            UsageWebMvcAutoConfiguration.class))
        .withPropertyValues("usage.store=memory");
    web.withPropertyValues("usage.web.authenticate-challenge=Basic realm=\"api\"").run(ctx -> {
      assertThat(ctx).hasNotFailed();
      ResponseEntity<ProblemDetail> r = ctx.getBean(QuotaUserUnresolvedExceptionHandler.class)
          .userUnresolved(new QuotaUserUnresolvedException("C.m", ""), new MockHttpServletRequest("POST", "/x"));
      assertThat(r.getHeaders().getFirst("WWW-Authenticate")).isEqualTo("Basic realm=\"api\"");
    });
    web.withPropertyValues("usage.web.authenticate-challenge= ").run(ctx -> assertThat(ctx).getFailure()
        .rootCause().hasMessageContaining("usage.web.authenticate-challenge"));
  }
}
