package dev.usage.spring.aop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.UsageEngine;
import dev.usage.spring.annotation.QuotaGuard;
import dev.usage.spring.annotation.QuotaGuard.Amount;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.constraints.NotBlank;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.validation.annotation.Validated;

/** A guarded method of a {@code @Validated} bean: its arguments are validated before anything is charged. */
class QuotaGuardValidationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(QuotaGuardTest.USAGE_AOP)
      .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
      .withPropertyValues("usage.quotas.defaults.monthly.characters=100", "usage.quotas.defaults.monthly.requests=100",
          "usage.tracking.mode=sync")
      .withBean(CheckedService.class);

  /** A service whose method validation is Bean Validation's. */
  @Validated
  public static class CheckedService {

    @QuotaGuard(user = "#user", amounts = {@Amount(type = "characters", value = "#text.length()"),
        @Amount(type = "requests", value = "1")})
    public String correct(String user, @NotBlank String text) {
      return text.trim();
    }

    /** In reservation mode, under a key: a failed call is charged its estimates (see UsageGuardInterceptor). */
    @QuotaGuard(user = "#user", idempotencyKey = "#key", amounts = @Amount(type = "characters",
        value = "#text.length()", actual = "#result.length()"))
    public String draft(String user, String key, @NotBlank String text) {
      return text.trim();
    }
  }

  @Test
  void invalidArgumentsAreRefusedBeforeTheGuardChargesAnything() {
    runner.run(ctx -> {
      CheckedService service = ctx.getBean(CheckedService.class);
      UsageEngine engine = ctx.getBean(UsageEngine.class);

      assertThatThrownBy(() -> service.correct("v", "   ")).isInstanceOf(ConstraintViolationException.class);
      assertThatThrownBy(() -> service.draft("v", "k-1", "  ")).isInstanceOf(ConstraintViolationException.class);
      assertThat(used(engine, "v", QuotaType.CHARACTERS)).isZero();
      assertThat(used(engine, "v", QuotaType.REQUESTS)).isZero();

      // and a valid call is guarded as before
      assertThat(service.correct("v", " ab ")).isEqualTo("ab");
      assertThat(used(engine, "v", QuotaType.CHARACTERS)).isEqualTo(4);
      assertThat(used(engine, "v", QuotaType.REQUESTS)).isEqualTo(1);
    });
  }

  @Test
  void soAreThoseOfABeanMadeAfterStartUp() {
    runner.withBean("perCall", CheckedService.class, CheckedService::new, d -> d.setScope("prototype")).run(ctx -> {
      CheckedService service = (CheckedService) ctx.getBean("perCall");
      UsageEngine engine = ctx.getBean(UsageEngine.class);

      assertThatThrownBy(() -> service.correct("p", "   ")).isInstanceOf(ConstraintViolationException.class);
      assertThat(used(engine, "p", QuotaType.CHARACTERS)).isZero();
      assertThat(service.correct("p", "ab")).isEqualTo("ab");
      assertThat(used(engine, "p", QuotaType.CHARACTERS)).isEqualTo(2);
    });
  }

  private static long used(UsageEngine engine, String user, QuotaType type) {
    return engine.quotas().getQuotaStatus(user).stream().filter(s -> s.type().equals(type))
        .mapToLong(QuotaStatus::used).sum();
  }
}
