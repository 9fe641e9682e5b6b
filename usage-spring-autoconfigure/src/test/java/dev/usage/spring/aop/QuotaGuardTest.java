package dev.usage.spring.aop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.QuotaDecision;
import dev.usage.QuotaExceededException;
import dev.usage.QuotaManagementService;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.SystemUsage;
import dev.usage.UsageTrackingService;
import dev.usage.spring.annotation.QuotaGuard;
import dev.usage.spring.annotation.QuotaGuard.Amount;
import dev.usage.spring.annotation.TrackUsage;
import dev.usage.spring.autoconfigure.UsageAopAutoConfiguration;
import dev.usage.spring.autoconfigure.UsageAutoConfiguration;
import dev.usage.spring.autoconfigure.UsageMemoryStoreAutoConfiguration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;

/** {@code @QuotaGuard} and {@code @TrackUsage} on a plain service bean. */
public class QuotaGuardTest {

  public static final AutoConfigurations USAGE_AOP = AutoConfigurations.of(UsageMemoryStoreAutoConfiguration.class,
      UsageAutoConfiguration.class, UsageAopAutoConfiguration.class);

  private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(USAGE_AOP)
      .withPropertyValues("usage.quotas.defaults.monthly.characters=100",
          "usage.quotas.defaults.monthly.tokens=1000", "usage.tracking.mode=sync")
      .withBean(TextService.class);

  /** A service with guarded methods. */
  public static class TextService {

    public record Reply(String text, long tokensUsed) {}

    @QuotaGuard(user = "#user", amounts = {@Amount(type = "characters", value = "#text.length()"),
        @Amount(type = "requests", value = "1")})
    public String correct(String user, String text) {
      return text.toUpperCase();
    }

    @QuotaGuard(user = "#user", amounts = @Amount(type = "tokens", value = "#text.length() * 10",
        actual = "#result.tokensUsed()"))
    public Reply generate(String user, String text) {
      if (text.startsWith("!")) {
        throw new IllegalArgumentException("refused by the model");
      }
      long remaining = CurrentQuotaDecision.get().flatMap(d -> d.remaining(QuotaType.TOKENS)).orElse(-1L);
      return new Reply("remaining while running: " + remaining, text.length() / 2);
    }

    @QuotaGuard(amounts = @Amount(type = "characters", value = "#text.length()"))
    public String asPrincipal(String text) {
      return text;
    }

    @TrackUsage(feature = "summary", user = "#user", characters = "#text.length()", outputTokens = "#result.length()")
    @QuotaGuard(user = "#user", amounts = @Amount(type = "characters", value = "#text.length()"))
    public String summarize(String user, String text) {
      return text.substring(0, 3);
    }
  }

  @AfterEach
  void clearSecurity() {
    SecurityContextHolder.clearContext();
  }

  private static QuotaStatus status(AssertableApplicationContext ctx, String user, QuotaType type) {
    return ctx.getBean(QuotaManagementService.class).getQuotaStatus(user).stream()
        .filter(s -> s.type().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void consumesTheSpelAmountsAndRefusesOnceSpentWithoutRunningTheMethod() {
    runner.run(ctx -> {
      assertThat(ctx).hasNotFailed();
      TextService service = ctx.getBean(TextService.class);
      assertThat(service.correct("alice", "x".repeat(60))).isEqualTo("X".repeat(60));
      assertThat(status(ctx, "alice", QuotaType.CHARACTERS).used()).isEqualTo(60);
      assertThat(status(ctx, "alice", QuotaType.REQUESTS).used()).isEqualTo(1);
      assertThatThrownBy(() -> service.correct("alice", "y".repeat(41)))
          .isInstanceOfSatisfying(QuotaExceededException.class,
              e -> assertThat(e.decision().violated()).containsExactly(QuotaType.CHARACTERS));
      assertThat(status(ctx, "alice", QuotaType.CHARACTERS).used()).isEqualTo(60);
      assertThat(status(ctx, "alice", QuotaType.REQUESTS).used()).as("all or nothing").isEqualTo(1);
      assertThat(service.correct("alice", "z".repeat(40))).hasSize(40);
      assertThat(status(ctx, "alice", QuotaType.CHARACTERS).remaining()).isZero();
    });
  }

  @Test
  void reservationIsSettledWithTheActualAmountFromTheResult() {
    runner.run(ctx -> {
      TextService.Reply reply = ctx.getBean(TextService.class).generate("bob", "x".repeat(40));
      // 400 tokens were held while the method ran; 20 were charged after it
      assertThat(reply.text()).isEqualTo("remaining while running: 600");
      QuotaStatus tokens = status(ctx, "bob", QuotaType.TOKENS);
      assertThat(tokens.used()).isEqualTo(20);
      assertThat(tokens.reserved()).isZero();
      assertThat(CurrentQuotaDecision.get()).isEmpty();
    });
  }

  @Test
  void reservationIsReleasedWhenTheMethodThrows() {
    runner.run(ctx -> {
      TextService service = ctx.getBean(TextService.class);
      service.generate("carol", "x".repeat(10)); // 5 used
      assertThatThrownBy(() -> service.generate("carol", "!".repeat(20))).isInstanceOf(IllegalArgumentException.class);
      QuotaStatus tokens = status(ctx, "carol", QuotaType.TOKENS);
      assertThat(tokens.used()).isEqualTo(5);
      assertThat(tokens.reserved()).isZero();
    });
  }

  @Test
  void defaultUserIsTheAuthenticatedPrincipal() {
    runner.run(ctx -> {
      SecurityContextHolder.getContext().setAuthentication(
          UsernamePasswordAuthenticationToken.authenticated("dora", null, List.of()));
      ctx.getBean(TextService.class).asPrincipal("hello");
      assertThat(status(ctx, "dora", QuotaType.CHARACTERS).used()).isEqualTo(5);
      SecurityContextHolder.clearContext();
      assertThatThrownBy(() -> ctx.getBean(TextService.class).asPrincipal("hello"))
          .isInstanceOfSatisfying(QuotaUserUnresolvedException.class, e -> {
            assertThat(e.method()).isEqualTo("TextService.asPrincipal");
            assertThat(e.userExpression()).isEmpty();
          })
          .hasMessageContaining("TextService.asPrincipal").hasMessageContaining("authenticated principal");
    });
  }

  @Test
  void userExpressionGivingNullIsRefusedNamingTheExpressionAndConsumesNothing() {
    runner.run(ctx -> {
      assertThatThrownBy(() -> ctx.getBean(TextService.class).correct(null, "hello"))
          .isInstanceOfSatisfying(QuotaUserUnresolvedException.class,
              e -> assertThat(e.userExpression()).isEqualTo("#user"))
          .hasMessageContaining("TextService.correct").hasMessageContaining("'#user' gave null");
    });
  }

  @Test
  void withoutSpringSecurityAGuardWithoutUserFailsStartUpNamingTheMethod() {
    runner.withClassLoader(new FilteredClassLoader("org.springframework.security"))
        .run(ctx -> assertThat(ctx).getFailure().hasMessageContaining("TextService.asPrincipal")
            .hasMessageContaining("UserIdResolver"));
  }

  @Test
  void trackUsageRecordsOutcomeQuantitiesAndTheDenial() {
    runner.run(ctx -> {
      Instant from = Instant.now().minusSeconds(60);
      TextService service = ctx.getBean(TextService.class);
      service.summarize("erin", "x".repeat(90));
      assertThatThrownBy(() -> service.summarize("erin", "x".repeat(20))).isInstanceOf(QuotaExceededException.class);
      SystemUsage usage = ctx.getBean(UsageTrackingService.class).getSystemUsage(from, Instant.now().plusSeconds(60));
      assertThat(usage.events()).isEqualTo(2);
      assertThat(usage.failedEvents()).isEqualTo(1);
      assertThat(usage.total(QuotaType.CHARACTERS)).isEqualTo(110);
      assertThat(usage.total(QuotaType.TOKENS)).isEqualTo(3);
    });
  }

  @Test
  void guardedMethodsOutsideACallHaveNoDecision() {
    Optional<QuotaDecision> none = CurrentQuotaDecision.get();
    assertThat(none).isEmpty();
  }
}
