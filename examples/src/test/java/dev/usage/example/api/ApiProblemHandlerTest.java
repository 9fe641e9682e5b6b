package dev.usage.example.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.AnalyticsUnavailableException;
import dev.usage.IdempotencyConflictException;
import dev.usage.InvalidUsageException;
import dev.usage.TrackingRejectedException;
import dev.usage.UsageStorageException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.context.request.ServletWebRequest;

/** The engine's exceptions as problems: the answers no request of the shared context can provoke. */
class ApiProblemHandlerTest {

  private final ApiProblemHandler handler = new ApiProblemHandler();
  private final ServletWebRequest request =
      new ServletWebRequest(new MockHttpServletRequest("GET", "/api/usage/history"), new MockHttpServletResponse());

  @Test
  void answersAStoreThatCannotAnswerWith503() {
    for (RuntimeException e : List.of(new UsageStorageException("connection refused"),
        new TrackingRejectedException("buffer full"), new AnalyticsUnavailableException("events on Redis only"))) {
      ResponseEntity<Object> r = handler.unavailable(e, request);

      assertThat(r.getStatusCode().value()).as(e.toString()).isEqualTo(503);
      assertThat(((ProblemDetail) r.getBody()).getDetail()).as("the store's message is not shown")
          .doesNotContain(e.getMessage());
    }
  }

  @Test
  void answersAReusedRequestIdWith409NamingIt() {
    ResponseEntity<Object> r = handler.idempotencyConflict(new IdempotencyConflictException("bob", "req-7"), request);

    assertThat(r.getStatusCode().value()).isEqualTo(409);
    assertThat(((ProblemDetail) r.getBody()).getDetail()).contains("req-7");
  }

  @Test
  void answersARefusedValueWith400NamingItsField() {
    ResponseEntity<Object> r = handler.invalidUsage(new InvalidUsageException("userIds[3]", "repeats userIds[1]"), request);

    ProblemDetail problem = (ProblemDetail) r.getBody();
    assertThat(r.getStatusCode().value()).isEqualTo(400);
    assertThat(problem.getProperties().get("errors"))
        .isEqualTo(List.of(new ApiProblemHandler.FieldProblem("userIds[3]", "repeats userIds[1]")));
    assertThat(problem.getDetail()).isEqualTo("Invalid request: userIds[3]: repeats userIds[1].");
  }
}
