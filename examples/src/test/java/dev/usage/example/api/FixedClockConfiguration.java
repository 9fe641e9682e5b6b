package dev.usage.example.api;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** The API tests' clock: the engine, the 429 handler and the controllers all read it. */
@TestConfiguration(proxyBeanMethods = false)
class FixedClockConfiguration {

  @Bean
  SettableClock clock() {
    return new SettableClock(ApiTestSupport.NOW);
  }
}
