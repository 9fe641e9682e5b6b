package dev.usage.spring.autoconfigure;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Refuses a {@code usage.users} id that Spring Boot would bind as another (see
 * {@link UsageUserSettingsInitializer#requireBracketedIds}) before {@link UsageProperties} is bound: unknown
 * {@code usage.*} properties fail that binding, and Boot's error would name the id as it mangled it. Imported by
 * every auto-configuration that binds {@link UsageProperties}; not a {@code @Configuration}, so that a host's
 * component scan never registers it on its own.
 */
class UsageUserIdsCheck {

  @Bean
  static BeanFactoryPostProcessor usageUserIdsCheck(Environment environment) {
    return beanFactory -> UsageUserSettingsInitializer.requireBracketedIds(environment);
  }
}
