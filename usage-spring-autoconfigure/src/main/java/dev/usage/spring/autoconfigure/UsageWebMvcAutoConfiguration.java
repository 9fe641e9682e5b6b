package dev.usage.spring.autoconfigure;

import dev.usage.UsageTrackingService;
import dev.usage.spring.aop.GuardCallContext;
import dev.usage.spring.web.QuotaExceededExceptionHandler;
import dev.usage.spring.web.QuotaUserUnresolvedExceptionHandler;
import dev.usage.spring.web.WebGuardCallContext;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ProblemDetail;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * The HTTP contract of guarded Spring MVC endpoints: {@code QuotaExceededException} answered with 429, an
 * RFC 9457 problem body and {@code Retry-After} (none for a request no reset makes room for); a guarded call
 * without a user to charge answered with 401 and a problem body; {@code RateLimit-Policy} and {@code RateLimit}
 * fields on every guarded response; the decision as a request attribute. Time comes from the host's {@link Clock}
 * bean, else the system clock in UTC.
 */
@AutoConfiguration(after = UsageAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({DispatcherServlet.class, ProblemDetail.class, UsageTrackingService.class})
@ConditionalOnBooleanProperty(name = "usage.enabled", matchIfMissing = true)
@ConditionalOnBean(UsageTrackingService.class)
public class UsageWebMvcAutoConfiguration {

  /** Puts each guard's decision on the current request and response. */
  @Bean
  @ConditionalOnMissingBean
  public GuardCallContext usageWebGuardCallContext(ObjectProvider<Clock> clock) {
    return new WebGuardCallContext(clock.getIfUnique(Clock::systemUTC));
  }

  /** The 429 answer. */
  @Bean
  @ConditionalOnMissingBean
  public QuotaExceededExceptionHandler usageQuotaExceededExceptionHandler(UsageProperties properties,
      ObjectProvider<Clock> clock) {
    return new QuotaExceededExceptionHandler(properties.getWeb().getProblemType(), clock.getIfUnique(Clock::systemUTC));
  }

  /** The 401 answer to a guarded call without a user to charge. */
  @Bean
  @ConditionalOnMissingBean
  public QuotaUserUnresolvedExceptionHandler usageQuotaUserUnresolvedExceptionHandler(UsageProperties properties) {
    UsageProperties.Web web = properties.getWeb();
    if (web.getAuthenticateChallenge() == null || web.getAuthenticateChallenge().isBlank()) {
      throw new InvalidConfigurationPropertyValueException("usage.web.authenticate-challenge",
          web.getAuthenticateChallenge(), "a 401 needs a WWW-Authenticate challenge (RFC 9110), e.g. Bearer");
    }
    return new QuotaUserUnresolvedExceptionHandler(web.getUserUnresolvedProblemType(), web.getAuthenticateChallenge());
  }
}
