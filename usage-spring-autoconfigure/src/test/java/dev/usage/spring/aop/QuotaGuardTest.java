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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
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

    /** The reply doubles the text; the text {@code ?} gives no reply (null), which its actual expression fails on. */
    @QuotaGuard(user = "#user", amounts = {@Amount(type = "requests", value = "1"),
        @Amount(type = "tokens", value = "#text.length() / 4", actual = "#result.length()")})
    public String echo(String user, String text) {
      return text.equals("?") ? null : text + text;
    }

    private final AtomicInteger flakyCalls = new AtomicInteger();

    /** Fails its first call (a model timing out), then replies with the text. */
    @QuotaGuard(user = "#user", idempotencyKey = "#requestId",
        amounts = @Amount(type = "tokens", value = "100", actual = "#result.length()"))
    public String flaky(String user, String requestId, String text) {
      if (flakyCalls.getAndIncrement() == 0) {
        throw new IllegalStateException("the model timed out");
      }
      return text;
    }

    /** Its actual expression calls a method that throws (an index past the reply's end). */
    @QuotaGuard(user = "#user", amounts = @Amount(type = "tokens", value = "2",
        actual = "#result.substring(#result.length() + 1).length()"))
    public String overrun(String user, String text) {
      return text;
    }

    /** Tracked and guarded under a key. */
    @TrackUsage(feature = "draft", user = "#user", characters = "#text.length()")
    @QuotaGuard(user = "#user", idempotencyKey = "#requestId", amounts = @Amount(type = "characters",
        value = "#text.length()"))
    public String draft(String user, String requestId, String text) {
      return text;
    }

    /** Tracked and guarded in reservation mode without a key; fails for a text starting with {@code !}. */
    @TrackUsage(feature = "sketch", user = "#user", characters = "#text.length()")
    @QuotaGuard(user = "#user", amounts = @Amount(type = "characters", value = "#text.length()",
        actual = "#result.length()"))
    public String sketch(String user, String text) {
      if (text.startsWith("!")) {
        throw new IllegalStateException("refused by the model");
      }
      return text;
    }

    /** Tracked; fails with an exception of an anonymous class, whose simple name is empty. */
    @TrackUsage(feature = "anonymous", user = "#user", characters = "#text.length()")
    public String anonymousFailure(String user, String text) {
      throw new IllegalStateException("refused by the model") {};
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

  /**
   * The in-memory storage with a counter store whose commits fail while {@code failing} is above 0 (counted down);
   * with {@code applied}, a failing commit is applied before it fails (its answer was lost).
   */
  private static dev.usage.spi.UsageStorage failingCommits(dev.usage.memory.InMemoryUsageStorage memory,
      AtomicInteger failing, boolean applied) {
    java.util.Set<dev.usage.testkit.FaultyCounters.Call> commits = java.util.EnumSet.of(
        dev.usage.testkit.FaultyCounters.Call.COMMIT);
    return applied ? dev.usage.testkit.FaultyCounters.around(memory, commits, new AtomicInteger(), failing)
        : dev.usage.testkit.FaultyCounters.around(memory, commits, failing, new AtomicInteger());
  }

  @Test
  void aCommitTheStoreFailsAfterTheWorkIsRetriedInTheBackgroundAndTheCallReturnsItsResult() {
    AtomicInteger failing = new AtomicInteger(2);
    dev.usage.memory.InMemoryUsageStorage memory = dev.usage.memory.InMemoryUsageStorage.create();
    runner.withBean(dev.usage.spi.UsageStorage.class, () -> failingCommits(memory, failing, false)).run(ctx -> {
      TextService.Reply reply = ctx.getBean(TextService.class).generate("gus", "hello world");

      assertThat(reply.text()).as("the work is the caller's").startsWith("remaining while running");
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> ctx.getBean(PendingCommits.class).pending() == 0);
      assertThat(status(ctx, "gus", QuotaType.TOKENS)).satisfies(s -> {
        assertThat(s.used()).as("the actual 5 tokens, charged by the third attempt").isEqualTo(5);
        assertThat(s.reserved()).isZero();
      });
    });
  }

  @Test
  void aRetriedCommitThatTheStoreHadAppliedChargesOnce() {
    AtomicInteger failing = new AtomicInteger(1);
    dev.usage.memory.InMemoryUsageStorage memory = dev.usage.memory.InMemoryUsageStorage.create();
    runner.withBean(dev.usage.spi.UsageStorage.class, () -> failingCommits(memory, failing, true)).run(ctx -> {
      ctx.getBean(TextService.class).generate("ivy", "hello world");
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> ctx.getBean(PendingCommits.class).pending() == 0);
      assertThat(status(ctx, "ivy", QuotaType.TOKENS).used()).as("replayed, not charged again").isEqualTo(5);
    });
  }

  /** Retries that wait a minute: only the close can commit within a test. */
  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class SlowRetries {
    @org.springframework.context.annotation.Bean
    PendingCommits slowPendingCommits(UsageTrackingService tracking) {
      return new PendingCommits(tracking, 60_000);
    }
  }

  @Test
  void aCommitStillPendingWhenTheApplicationStopsIsTriedOnceMoreThen() {
    AtomicInteger failing = new AtomicInteger(Integer.MAX_VALUE);
    dev.usage.memory.InMemoryUsageStorage memory = dev.usage.memory.InMemoryUsageStorage.create();
    ApplicationContextRunner shared = runner.withBean(dev.usage.spi.UsageStorage.class,
        () -> failingCommits(memory, failing, false), bd -> bd.setDestroyMethodName(""))
        .withUserConfiguration(SlowRetries.class);
    shared.run(ctx -> {
      ctx.getBean(TextService.class).generate("hal", "hello world");
      assertThat(ctx.getBean(PendingCommits.class).pending()).isEqualTo(1);
      failing.set(0); // the store is back as the application stops
    });
    shared.run(ctx -> assertThat(status(ctx, "hal", QuotaType.TOKENS)).satisfies(s -> {
      assertThat(s.used()).as("committed when the first context closed").isEqualTo(5);
      assertThat(s.reserved()).isZero();
    }));
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
  void anEstimateOfZeroStillHoldsTheTypeSoThatItsActualAmountIsCharged() {
    runner.run(ctx -> {
      // "hi" estimates 2 / 4 = 0 tokens: one is held, and the 4 of the reply are charged
      assertThat(ctx.getBean(TextService.class).echo("fay", "hi")).isEqualTo("hihi");
      QuotaStatus tokens = status(ctx, "fay", QuotaType.TOKENS);
      assertThat(tokens.used()).isEqualTo(4);
      assertThat(tokens.reserved()).isZero();
      assertThat(status(ctx, "fay", QuotaType.REQUESTS).used()).isEqualTo(1);
      assertThat(status(ctx, "fay", QuotaType.REQUESTS).reserved()).isZero();
    });
  }

  @Test
  void anActualExpressionFailingAfterTheCallChargesTheEstimatesAndLeavesNothingHeld() {
    runner.run(ctx -> {
      assertThatThrownBy(() -> ctx.getBean(TextService.class).echo("gus", "?"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("#result.length()");
      QuotaStatus tokens = status(ctx, "gus", QuotaType.TOKENS);
      assertThat(tokens.reserved()).as("no hold left to block the quota until it lapses").isZero();
      assertThat(tokens.used()).as("the one token held").isEqualTo(1);
      assertThat(status(ctx, "gus", QuotaType.REQUESTS).used()).isEqualTo(1);
      assertThat(status(ctx, "gus", QuotaType.REQUESTS).reserved()).isZero();
    });
  }

  @Test
  void aRetryUnderTheSameKeyRunsTheMethodAndLeavesTheFirstCallsSettlementAlone() {
    runner.run(ctx -> {
      TextService service = ctx.getBean(TextService.class);
      assertThatThrownBy(() -> service.flaky("hal", "r-1", "first")).hasMessage("the model timed out");
      // under a key, the failed call's estimate is charged (not released), and its retry runs and counts nothing:
      // a failing first call cannot make the retry free
      assertThat(status(ctx, "hal", QuotaType.TOKENS).used()).isEqualTo(100);
      assertThat(service.flaky("hal", "r-1", "retried")).isEqualTo("retried");
      assertThat(status(ctx, "hal", QuotaType.TOKENS).used()).isEqualTo(100);
      assertThat(status(ctx, "hal", QuotaType.TOKENS).reserved()).isZero();
      // a committed call's retry, whose reply differs in length, is not charged again
      assertThat(service.flaky("hal", "r-2", "twelve chars")).hasSize(12);
      assertThat(service.flaky("hal", "r-2", "five!")).isEqualTo("five!");
      assertThat(status(ctx, "hal", QuotaType.TOKENS).used()).isEqualTo(112);
      assertThat(status(ctx, "hal", QuotaType.TOKENS).reserved()).isZero();
    });
  }

  @Test
  void aMethodAnActualExpressionCallsThrowingChargesTheEstimatesAndLeavesNothingHeld() {
    runner.run(ctx -> {
      assertThatThrownBy(() -> ctx.getBean(TextService.class).overrun("kim", "abc"))
          .isInstanceOf(IndexOutOfBoundsException.class);
      QuotaStatus tokens = status(ctx, "kim", QuotaType.TOKENS);
      assertThat(tokens.reserved()).isZero();
      assertThat(tokens.used()).isEqualTo(2);
    });
  }

  @Test
  void aTrackedCallItsGuardCountedNothingForCarriesNoQuantities() {
    runner.run(ctx -> {
      Instant from = Instant.now().minusSeconds(60);
      TextService service = ctx.getBean(TextService.class);
      service.draft("lou", "d-1", "x".repeat(10));
      service.draft("lou", "d-1", "x".repeat(10)); // a retry: counts nothing
      // the key with other amounts: refused before anything is counted, the method not run
      assertThatThrownBy(() -> service.draft("lou", "d-1", "x".repeat(12)))
          .isInstanceOf(dev.usage.IdempotencyConflictException.class);
      assertThatThrownBy(() -> service.sketch("lou", "!".repeat(7))).hasMessage("refused by the model"); // released
      service.sketch("lou", "y".repeat(5));
      SystemUsage usage = ctx.getBean(UsageTrackingService.class).getSystemUsage(from, Instant.now().plusSeconds(60));
      assertThat(usage.events()).isEqualTo(5);
      assertThat(usage.total(QuotaType.CHARACTERS)).as("what the counters hold").isEqualTo(15)
          .isEqualTo(status(ctx, "lou", QuotaType.CHARACTERS).used());
    });
  }

  /** Guarded on the interface; the bean's class carries no annotation. */
  public interface Corrector {
    @QuotaGuard(user = "#user", amounts = @Amount(type = "characters", value = "#text.length()"))
    String correctFor(String user, String text);
  }

  /** Implements the guarded interface method. */
  public static class InterfaceCorrector implements Corrector {
    @Override
    public String correctFor(String user, String text) {
      return text;
    }
  }

  /** Guarded on a superclass method. */
  public static class BaseCorrector {
    @QuotaGuard(user = "#user", amounts = @Amount(type = "characters", value = "#text.length()"))
    public String correctFor(String user, String text) {
      return text;
    }
  }

  /** Overrides the guarded method without repeating the annotation. */
  public static class SubCorrector extends BaseCorrector {
    @Override
    public String correctFor(String user, String text) {
      return text.trim();
    }
  }

  @Test
  void aGuardOnAnInterfaceOrSuperclassMethodGuardsTheClassProxysCall() {
    // Boot's AOP auto-configuration proxies classes, so the proxy calls the implementing class's method
    runner.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class))
        .withBean(InterfaceCorrector.class).withBean(SubCorrector.class).run(ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(AopUtils.isCglibProxy(ctx.getBean(InterfaceCorrector.class))).isTrue();
          ctx.getBean(InterfaceCorrector.class).correctFor("ida", "x".repeat(30));
          assertThat(status(ctx, "ida", QuotaType.CHARACTERS).used()).isEqualTo(30);
          ctx.getBean(SubCorrector.class).correctFor("jo", "y".repeat(70));
          assertThat(status(ctx, "jo", QuotaType.CHARACTERS).used()).isEqualTo(70);
          assertThatThrownBy(() -> ctx.getBean(SubCorrector.class).correctFor("jo", "y".repeat(31)))
              .isInstanceOf(QuotaExceededException.class);
        });
  }

  /** Has the method, unannotated, without the interface. */
  public static class PlainCorrector {
    public String correctFor(String user, String text) {
      return text;
    }
  }

  /** Implements the guarded interface method by the method it inherits, which Spring's annotation search misses. */
  public static class InheritingCorrector extends PlainCorrector implements Corrector {
  }

  /** Guarded on a generic interface. */
  public interface TypedCorrector<T> {
    @QuotaGuard(user = "#user", amounts = @Amount(type = "characters", value = "#text.length()"))
    String correctFor(String user, T text);
  }

  /** Implements the generic method by the inherited one (javac adds a bridge that calls it). */
  public static class InheritingTypedCorrector extends PlainCorrector implements TypedCorrector<String> {
  }

  @Test
  void aGuardOnAnInterfaceMethodThatTheClassImplementsByAnInheritedMethodGuardsItOnEitherProxy() {
    for (String classProxies : List.of("true", "false")) {
      runner.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class))
          .withPropertyValues("spring.aop.proxy-target-class=" + classProxies)
          .withBean("inheriting", InheritingCorrector.class).withBean("plain", PlainCorrector.class)
          .withBean("typed", InheritingTypedCorrector.class).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            Corrector inheriting = ctx.getBean("inheriting", Corrector.class);
            assertThat(AopUtils.isCglibProxy(inheriting)).as(classProxies).isEqualTo(classProxies.equals("true"));
            inheriting.correctFor("kim", "x".repeat(80));
            assertThat(status(ctx, "kim", QuotaType.CHARACTERS).used()).as(classProxies).isEqualTo(80);
            assertThatThrownBy(() -> inheriting.correctFor("kim", "x".repeat(21))).as(classProxies)
                .isInstanceOf(QuotaExceededException.class);
            // the same method, in a class without the interface, is not guarded
            ctx.getBean("plain", PlainCorrector.class).correctFor("lee", "y".repeat(500));
            assertThat(status(ctx, "lee", QuotaType.CHARACTERS).used()).as(classProxies).isZero();
            // a generic interface's method, called through the interface (its bridge) and, on a class proxy, the class
            @SuppressWarnings("unchecked")
            TypedCorrector<String> typed = ctx.getBean("typed", TypedCorrector.class);
            typed.correctFor("max", "z".repeat(60));
            assertThat(status(ctx, "max", QuotaType.CHARACTERS).used()).as(classProxies).isEqualTo(60);
            if (typed instanceof PlainCorrector asClass) {
              asClass.correctFor("max", "z".repeat(30));
              assertThat(status(ctx, "max", QuotaType.CHARACTERS).used()).as(classProxies).isEqualTo(90);
            }
          });
    }
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
      // the denied call did not run: its 20 characters were not used
      assertThat(usage.total(QuotaType.CHARACTERS)).isEqualTo(90);
      assertThat(usage.total(QuotaType.TOKENS)).isEqualTo(3);
      assertThat(ctx.getBean(UsageTrackingService.class).getUserUsage("erin").quota(QuotaType.CHARACTERS)
          .orElseThrow().used()).as("what the counters hold, and a log re-seeding them would count").isEqualTo(90);
    });
  }

  @Test
  void aCallFailingWithAnAnonymousExceptionClassIsRecordedWithItsSuperclassAsErrorCode() {
    runner.run(ctx -> {
      Instant from = Instant.now().minusSeconds(60);
      assertThatThrownBy(() -> ctx.getBean(TextService.class).anonymousFailure("flo", "abc"))
          .hasMessage("refused by the model");
      UsageTrackingService tracking = ctx.getBean(UsageTrackingService.class);
      SystemUsage usage = tracking.getSystemUsage(from, Instant.now().plusSeconds(60));
      assertThat(usage.events()).as("recorded, not refused for a blank error code").isEqualTo(1);
      assertThat(usage.failedEvents()).isEqualTo(1);
      assertThat(ctx.getBean(dev.usage.AnalyticsService.class)
          .getSystemAnalytics(dev.usage.TimeRange.of(from, Instant.now().plusSeconds(60))).errorCodes())
          .containsEntry("IllegalStateException", 1L);
    });
  }

  @Test
  void guardedMethodsOutsideACallHaveNoDecision() {
    Optional<QuotaDecision> none = CurrentQuotaDecision.get();
    assertThat(none).isEmpty();
  }
}
