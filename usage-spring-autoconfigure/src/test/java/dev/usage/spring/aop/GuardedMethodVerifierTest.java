package dev.usage.spring.aop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.spring.annotation.QuotaGuard;
import dev.usage.spring.annotation.QuotaGuard.Amount;
import dev.usage.spring.annotation.TrackUsage;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** Start-up fails, naming the method, when an annotated method could not be intercepted. */
class GuardedMethodVerifierTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withConfiguration(QuotaGuardTest.USAGE_AOP);

  /** A guard on a private method. */
  public static class PrivateGuard {
    @QuotaGuard(user = "'u'")
    private String hidden() {
      return "x";
    }

    public String call() {
      return hidden();
    }
  }

  /** A guard on a final method. */
  public static class FinalGuard {
    @TrackUsage(feature = "f", user = "'u'")
    public final String fixed() {
      return "x";
    }
  }

  /** A guard in a final class. */
  public static final class FinalClass {
    @QuotaGuard(user = "'u'")
    public String call() {
      return "x";
    }
  }

  /** A guard with an expression that does not parse. */
  public static class BadExpression {
    @QuotaGuard(user = "'u'", amounts = @Amount(type = "characters", value = "#text.length("))
    public String call(String text) {
      return text;
    }
  }

  /** A reservation of more quota types than one holds. */
  public static class WideReservation {
    @QuotaGuard(user = "'u'", amounts = {
      @Amount(type = "t00", value = "1", actual = "1"),
      @Amount(type = "t01", value = "1"),
      @Amount(type = "t02", value = "1"),
      @Amount(type = "t03", value = "1"),
      @Amount(type = "t04", value = "1"),
      @Amount(type = "t05", value = "1"),
      @Amount(type = "t06", value = "1"),
      @Amount(type = "t07", value = "1"),
      @Amount(type = "t08", value = "1"),
      @Amount(type = "t09", value = "1"),
      @Amount(type = "t10", value = "1"),
      @Amount(type = "t11", value = "1"),
      @Amount(type = "t12", value = "1"),
      @Amount(type = "t13", value = "1"),
      @Amount(type = "t14", value = "1"),
      @Amount(type = "t15", value = "1"),
      @Amount(type = "t16", value = "1")})
    public String call() {
      return "x";
    }
  }

  @Test
  void aReservationOfMoreTypesThanOneHoldsFailsStartUp() {
    runner.withBean(WideReservation.class).run(ctx -> assertThat(ctx).getFailure()
        .hasMessageContaining("WideReservation.call").hasMessageContaining("reserves 17 quota types"));
  }

  @Test
  void privateMethodFailsStartUp() {
    runner.withBean(PrivateGuard.class).run(ctx -> assertThat(ctx).getFailure()
        .hasMessageContaining("PrivateGuard.hidden").hasMessageContaining("private"));
  }

  @Test
  void finalMethodFailsStartUp() {
    runner.withBean(FinalGuard.class).run(ctx -> assertThat(ctx).getFailure()
        .hasMessageContaining("FinalGuard.fixed").hasMessageContaining("final"));
  }

  /** Declares a tracked method. */
  public interface Fixed {
    @TrackUsage(feature = "f", user = "'u'")
    String fixed();
  }

  /** Has the method, final, without the interface. */
  public static class FixedBase {
    public final String fixed() {
      return "x";
    }
  }

  /** Implements the interface's method by the final method it inherits. */
  public static class InheritsFinal extends FixedBase implements Fixed {
  }

  @Test
  void aFinalInheritedMethodImplementingAnAnnotatedInterfaceMethodFailsStartUp() {
    runner.withPropertyValues("spring.aop.proxy-target-class=true").withBean(InheritsFinal.class)
        .run(ctx -> assertThat(ctx).getFailure()
            .hasMessageContaining("InheritsFinal.fixed").hasMessageContaining("final"));
  }

  @Test
  void finalClassFailsStartUp() {
    // Spring's class proxy refuses the final class before the verifier runs; either way start-up fails
    runner.withBean(FinalClass.class).run(ctx -> assertThat(ctx).getFailure()
        .hasMessageContaining("FinalClass").hasMessageContaining("final"));
  }

  /** An interface proxy, whose guarded method is on no interface. */
  public interface Greeter {
    String greet();
  }

  /** Implements an interface, so a JDK proxy is made unless class proxies are forced. */
  public static class GreeterImpl implements Greeter {
    @Override
    public String greet() {
      return "hello";
    }

    @QuotaGuard(user = "'u'")
    public String guardedButNotOnTheInterface() {
      return "x";
    }
  }

  @Test
  void methodHiddenFromAnInterfaceProxyFailsStartUp() {
    runner.withBean(GreeterImpl.class).run(ctx -> assertThat(ctx).getFailure()
        .hasMessageContaining("GreeterImpl.guardedButNotOnTheInterface").hasMessageContaining("interface"));
  }

  @Test
  void unparsableExpressionFailsStartUp() {
    runner.withBean(BadExpression.class).run(ctx -> assertThat(ctx).getFailure()
        .hasMessageContaining("BadExpression.call").hasMessageContaining("#text.length("));
  }

  /** Calls its own guarded method, directly and from a lambda: neither call passes through the proxy. */
  public static class SelfCaller {
    @QuotaGuard(user = "'u'")
    public String guarded() {
      return "x";
    }

    @TrackUsage(feature = "f", user = "'u'")
    public String tracked() {
      return "y";
    }

    public String direct() {
      return guarded();
    }

    public java.util.function.Supplier<String> later() {
      return () -> tracked();
    }

    /** Another instance's method: looks the same in bytecode, so it is reported too. */
    public String other(SelfCaller other) {
      return other.guarded();
    }
  }

  /** Calls its guarded methods only through another bean: nothing to report. */
  public static class ThroughTheBean {
    private final SelfCaller callee;

    public ThroughTheBean(SelfCaller callee) {
      this.callee = callee;
    }

    @QuotaGuard(user = "'u'")
    public String guarded() {
      return callee.guarded();
    }

    public static String notAnInstanceMethod(ThroughTheBean b) {
      return b.guarded();
    }
  }

  @Test
  void selfInvocationsAreFoundAndNamedButDoNotFailStartUp() {
    runner.withBean(SelfCaller.class).withBean(ThroughTheBean.class).run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx.getBean(GuardedMethodVerifier.class).selfInvocations()).containsExactlyInAnyOrder(
          SelfCaller.class.getName() + ": SelfCaller.direct calls SelfCaller.guarded",
          SelfCaller.class.getName() + ": SelfCaller.lambda$later$0 calls SelfCaller.tracked",
          SelfCaller.class.getName() + ": SelfCaller.other calls SelfCaller.guarded");
    });
  }

  /** Returns futures and streaming bodies, guarded in either mode. */
  public static class Later {
    @QuotaGuard(user = "'u'", amounts = @Amount(type = "tokens", value = "10", actual = "#result.join()"))
    public CompletableFuture<Long> reservedFuture() {
      return CompletableFuture.completedFuture(3L);
    }

    @QuotaGuard(user = "'u'", amounts = @Amount(type = "tokens", value = "10", actual = "3"))
    public ResponseEntity<StreamingResponseBody> reservedStream() {
      return ResponseEntity.ok(out -> out.write(1));
    }

    @QuotaGuard(user = "'u'", amounts = @Amount(type = "tokens", value = "10"))
    public CompletableFuture<Long> consumedFuture() {
      return CompletableFuture.completedFuture(3L);
    }

    @QuotaGuard(user = "'u'", amounts = @Amount(type = "tokens", value = "10", actual = "#result.length()"))
    public ResponseEntity<String> reservedBody() {
      return ResponseEntity.ok("abc");
    }
  }

  @Test
  void reservationModeOnAMethodWhoseWorkCompletesLaterFailsStartUpNamingEachSuchMethod() {
    runner.withBean(Later.class).run(ctx -> {
      assertThat(ctx).getFailure().hasMessageContaining("Later.reservedFuture")
          .hasMessageContaining("returns a Future")
          .hasMessageContaining("Later.reservedStream").hasMessageContaining("returns a StreamingResponseBody");
      // consumed up front, or a plain body: nothing settles late
      assertThat(ctx).getFailure().message().doesNotContain("consumedFuture").doesNotContain("reservedBody");
    });
  }

  @Test
  void publicMethodsOfAProxiedBeanStartFine() {
    runner.withBean(QuotaGuardTest.TextService.class).run(ctx -> assertThat(ctx).hasNotFailed());
  }
}
