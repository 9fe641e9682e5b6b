package dev.usage.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.servlet.HandlerMapping;

/** The endpoint a guarded call is recorded (and its processing time tagged) with. */
class WebGuardCallContextTest {

  private final WebGuardCallContext context = new WebGuardCallContext(Clock.systemUTC());

  @AfterEach
  void clear() {
    RequestContextHolder.resetRequestAttributes();
  }

  @Test
  void theEndpointIsTheMethodAndTheHandlersPatternNeverTheRawUri() {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/users/123/usage");
    RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request));
    // no handler pattern (a guarded bean called from a servlet filter): not '/users/123/usage', one per id
    assertThat(context.endpoint()).isEmpty();

    request.setAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, "/users/{id}/usage");
    assertThat(context.endpoint()).contains("GET /users/{id}/usage");
  }

  @Test
  void outsideARequestThereIsNone() {
    assertThat(context.endpoint()).isEmpty();
  }
}
