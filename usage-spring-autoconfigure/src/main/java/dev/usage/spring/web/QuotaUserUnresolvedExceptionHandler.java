package dev.usage.spring.web;

import dev.usage.spring.aop.QuotaUserUnresolvedException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * Answers {@link QuotaUserUnresolvedException} (a guarded endpoint reached without a user to charge, e.g. no
 * authenticated principal) with HTTP 401 and an RFC 9457 problem body; nothing was consumed:
 *
 * <pre>{@code
 * {"type": "https://usage.dev/problems/user-unresolved", "title": "No user to charge", "status": 401,
 *  "detail": "this request is charged to a user, and it names none", "instance": "/api/correct"}
 * }</pre>
 *
 * The detail does not repeat the exception's message, which names the method and its expression (logged at
 * debug). The response carries the {@code WWW-Authenticate} challenge that RFC 9110 requires of a 401, as
 * configured ({@code usage.web.authenticate-challenge}, default {@code Bearer}): the scheme is the host's to
 * name. With Spring Security's
 * filters, a protected endpoint is refused by the host's entry point before it is reached, so this answers
 * only for endpoints the host leaves open. Ordered like {@link QuotaExceededExceptionHandler}; a host that
 * wants its own answer defines a bean of this type (this one then backs off) or a handler of higher precedence.
 */
@ControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE + 1_000)
public class QuotaUserUnresolvedExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(QuotaUserUnresolvedExceptionHandler.class);

  private final URI type;
  private final String challenge;

  /**
   * @param type the problem type URI
   * @param challenge the {@code WWW-Authenticate} value, e.g. {@code Bearer} or {@code Basic realm="api"}
   */
  public QuotaUserUnresolvedExceptionHandler(URI type, String challenge) {
    if (challenge == null || challenge.isBlank()) {
      throw new IllegalArgumentException("challenge: a 401 needs a WWW-Authenticate challenge (RFC 9110), e.g. Bearer");
    }
    this.type = type;
    this.challenge = challenge;
  }

  @ExceptionHandler(QuotaUserUnresolvedException.class)
  public ResponseEntity<ProblemDetail> userUnresolved(QuotaUserUnresolvedException e, HttpServletRequest request) {
    log.debug("401 for {}: {}", request.getRequestURI(), e.getMessage());
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED,
        "this request is charged to a user, and it names none");
    problem.setType(type);
    problem.setTitle("No user to charge");
    problem.setInstance(URI.create(request.getRequestURI()));
    return ResponseEntity.status(HttpStatus.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, challenge).body(problem);
  }
}
