package dev.usage.spring.autoconfigure;

import dev.usage.UsageTrackingService;
import dev.usage.spring.aop.GuardCallContext;
import dev.usage.spring.aop.GuardedMethodVerifier;
import dev.usage.spring.aop.PendingCommits;
import dev.usage.spring.aop.SecurityContextUserIdResolver;
import dev.usage.spring.aop.UsageGuardAdvisor;
import dev.usage.spring.aop.UsageGuardInterceptor;
import dev.usage.spring.aop.UsageGuardListener;
import dev.usage.spring.aop.UserIdResolver;
import dev.usage.spring.aop.ValidationBeforeGuard;
import org.springframework.aop.Advisor;
import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.type.AnnotationMetadata;

/**
 * {@code @QuotaGuard} and {@code @TrackUsage}: a Spring AOP advisor (spring-aop alone suffices; with
 * spring-boot-starter-aspectj Boot's AspectJ-aware proxy creator applies it as well), the start-up check of
 * annotated methods, and the authenticated principal as the default user when Spring Security is present.
 */
@AutoConfiguration(after = UsageAutoConfiguration.class,
    afterName = "org.springframework.boot.autoconfigure.aop.AopAutoConfiguration")
@ConditionalOnClass({Advisor.class, UsageTrackingService.class})
@ConditionalOnBooleanProperty(name = "usage.enabled", matchIfMissing = true)
@ConditionalOnBean(UsageTrackingService.class)
@Import(UsageAopAutoConfiguration.AutoProxyRegistrar.class)
public class UsageAopAutoConfiguration {

  /**
   * The advisor; an infrastructure bean so that the plain infrastructure proxy creator applies it too. Its
   * dependencies are looked up lazily: advisors are made before ordinary beans.
   */
  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  @ConditionalOnMissingBean
  public static UsageGuardAdvisor usageGuardAdvisor(ObjectProvider<UsageTrackingService> tracking,
      BeanFactory beanFactory, ObjectProvider<UserIdResolver> users, ObjectProvider<GuardCallContext> callContexts,
      ObjectProvider<UsageGuardListener> listeners) {
    return new UsageGuardAdvisor(new UsageGuardInterceptor(tracking, beanFactory, users, callContexts, listeners));
  }

  /**
   * Retries in the background a reservation's commit that the store failed after the guarded method did its work;
   * flushed when the context closes, before the engine (it depends on the tracking service).
   */
  @Bean
  @ConditionalOnMissingBean
  public PendingCommits usagePendingCommits(UsageTrackingService tracking) {
    return new PendingCommits(tracking);
  }

  /** Moves method validation ({@code @Validated}) ahead of the guard in each guarded bean's proxy. */
  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  @ConditionalOnMissingBean
  public static ValidationBeforeGuard usageValidationBeforeGuard() {
    return new ValidationBeforeGuard();
  }

  /** Refuses start-up when an annotated method would run unguarded. */
  @Bean
  @ConditionalOnMissingBean
  public static GuardedMethodVerifier usageGuardedMethodVerifier(UsageGuardAdvisor advisor) {
    return new GuardedMethodVerifier(advisor.interceptor());
  }

  /** The authenticated principal's name as the default user. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.security.core.context.SecurityContextHolder")
  static class SecurityUser {

    @Bean
    @ConditionalOnMissingBean
    UserIdResolver usageUserIdResolver() {
      return new SecurityContextUserIdResolver();
    }
  }

  /** Makes sure some auto-proxy creator exists (Boot's AopAutoConfiguration may be excluded or disabled). */
  static class AutoProxyRegistrar implements ImportBeanDefinitionRegistrar {
    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
      AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
    }
  }
}
