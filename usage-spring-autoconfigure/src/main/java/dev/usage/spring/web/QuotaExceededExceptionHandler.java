package dev.usage.spring.web;

import dev.usage.QuotaDecision;
import dev.usage.QuotaExceededException;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * Answers {@link QuotaExceededException} with HTTP 429, an RFC 9457 problem body and (unless waiting cannot help)
 * {@code Retry-After}:
 *
 * <pre>{@code
 * {"type": "https://usage.dev/problems/quota-exceeded", "title": "Quota exceeded", "status": 429,
 *  "detail": "quota exceeded: characters; retry in 14d", "instance": "/api/correct",
 *  "violated": ["characters"], "retryable": true, "retryAfterSeconds": 1209600, "resetAt": "2026-12-01T00:00:00Z",
 *  "quotas": [{"type": "characters", "limit": 10000, "used": 9990, "reserved": 0, "remaining": 10,
 *              "resetAt": "2026-12-01T00:00:00Z", "violated": true}, ...]}
 * }</pre>
 *
 * plus the {@code RateLimit-Policy} and {@code RateLimit} fields. An unlimited quota has {@code null} as its
 * {@code limit} and {@code remaining}. A request that asks for more than a quota can ever
 * allow ({@link dev.usage.QuotaDecision#retryable()} false: beyond its next period's limit and what may be carried
 * into it) gets no {@code Retry-After} and no {@code retryAfterSeconds}, but {@code "retryable": false} and the
 * quotas it exceeds as {@code beyondLimit}: a client that honours {@code Retry-After} would only be refused again.
 * Ordered ahead of the host's advice of default order, so a catch-all handler of the host does not turn the denial
 * into a 500; a host that wants its own answer defines a bean of this type (this one then backs off) or a handler
 * of higher precedence.
 */
@ControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE + 1_000)
public class QuotaExceededExceptionHandler {

  private final URI type;
  private final Clock clock;

  /**
   * @param type the problem type URI
   * @param clock the clock for the seconds until reset
   */
  public QuotaExceededExceptionHandler(URI type, Clock clock) {
    this.type = type;
    this.clock = clock;
  }

  @ExceptionHandler(QuotaExceededException.class)
  public ResponseEntity<ProblemDetail> quotaExceeded(QuotaExceededException e, HttpServletRequest request) {
    QuotaDecision d = e.decision();
    request.setAttribute(UsageRequestAttributes.DECISION, d);
    Instant now = clock.instant();
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, e.getMessage());
    problem.setType(type);
    problem.setTitle("Quota exceeded");
    problem.setInstance(URI.create(request.getRequestURI()));
    problem.setProperty("violated", d.violated().stream().map(QuotaType::name).toList());
    // a request no reset makes room for gets no Retry-After
    problem.setProperty("retryable", d.retryable());
    if (d.retryable()) {
      problem.setProperty("retryAfterSeconds", RateLimitFields.seconds(d.retryAfter()));
    } else {
      problem.setProperty("beyondLimit", d.beyondLimit().stream().map(QuotaType::name).toList());
    }
    d.statuses().stream().filter(s -> d.violated().contains(s.type())).map(QuotaStatus::resetAt)
        .max(Instant::compareTo).ifPresent(at -> problem.setProperty("resetAt", at.toString()));
    List<Map<String, Object>> quotas = new ArrayList<>();
    for (QuotaStatus s : d.statuses()) {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("type", s.type().name());
      q.put("limit", s.isUnlimited() ? null : s.limit());
      q.put("used", s.used());
      q.put("reserved", s.reserved());
      q.put("remaining", s.isUnlimited() ? null : s.remaining()); // like limit: no number JSON clients round
      q.put("resetAt", s.resetAt().toString());
      q.put("violated", d.violated().contains(s.type()));
      quotas.add(q);
    }
    problem.setProperty("quotas", quotas);
    HttpHeaders headers = new HttpHeaders();
    if (d.retryable()) {
      headers.set(HttpHeaders.RETRY_AFTER, Long.toString(RateLimitFields.seconds(d.retryAfter())));
    }
    RateLimitFields.policy(d).ifPresent(v -> headers.set(RateLimitFields.POLICY, v));
    RateLimitFields.rateLimit(d, now).ifPresent(v -> headers.set(RateLimitFields.RATE_LIMIT, v));
    return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).headers(headers).body(problem);
  }
}
