package dev.usage.example.api;

import dev.usage.AnalyticsUnavailableException;
import dev.usage.IdempotencyConflictException;
import dev.usage.InvalidUsageException;
import dev.usage.TrackingRejectedException;
import dev.usage.UsageStorageException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.validation.method.ParameterErrors;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;

/**
 * Every error of the API as an RFC 9457 problem: 400 for a refused body, parameter or value, with
 * {@code errors: [{field, message}]} naming each offending field or parameter; 409 for an idempotency key
 * reused for another change; 503 when the store cannot answer. Ordered after the library's own handlers
 * (the 429 of a spent quota, the 401 of a guarded call without a user), which keep their answers. Replaces
 * Spring Boot's problem-details handler, whose answer to a refused body does not say which field was wrong.
 */
@RestControllerAdvice
@Order(0)
public class ApiProblemHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ApiProblemHandler.class);

  /**
   * One refused field or parameter.
   *
   * @param field the field of the body ({@code text}, {@code limits[characters]}) or the query parameter
   * @param message what is wrong with it
   */
  public record FieldProblem(String field, String message) {}

  @Override
  protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
      HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    List<FieldProblem> errors = new ArrayList<>();
    ex.getBindingResult().getFieldErrors().forEach(e -> errors.add(problem(e)));
    ex.getBindingResult().getGlobalErrors().forEach(e -> errors.add(new FieldProblem(e.getObjectName(), message(e))));
    return invalid(errors, headers, request);
  }

  @Override
  protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
      HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    List<FieldProblem> errors = new ArrayList<>();
    for (ParameterValidationResult result : ex.getParameterValidationResults()) {
      if (result instanceof ParameterErrors body) {
        body.getFieldErrors().forEach(e -> errors.add(problem(e)));
      } else {
        String name = result.getMethodParameter().getParameterName();
        result.getResolvableErrors().forEach(e -> errors.add(new FieldProblem(name, message(e))));
      }
    }
    return invalid(errors, headers, request);
  }

  @Override
  protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException ex,
      HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    return invalid(List.of(new FieldProblem(ex.getParameterName(), "is required")), headers, request);
  }

  @Override
  protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
      HttpStatusCode status, WebRequest request) {
    String name = ex instanceof MethodArgumentTypeMismatchException m ? m.getName() : String.valueOf(ex.getPropertyName());
    String expected = ex.getRequiredType() == java.time.LocalDate.class ? "a date (YYYY-MM-DD)"
        : ex.getRequiredType() == null ? "another value" : "a value of type " + ex.getRequiredType().getSimpleName();
    return invalid(List.of(new FieldProblem(name, "must be " + expected + ", was '" + ex.getValue() + "'")), headers,
        request);
  }

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex, HttpHeaders headers,
      HttpStatusCode status, WebRequest request) {
    String field = jsonPath(ex);
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, field.isEmpty()
        ? "The request body is missing or is not valid JSON."
        : "The request body could not be read at '" + field + "': wrong type or malformed value.");
    problem.setTitle("Unreadable request body");
    if (!field.isEmpty()) {
      problem.setProperty("errors", List.of(new FieldProblem(field, "has the wrong type or a malformed value")));
    }
    return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
  }

  /** The engine refused a value; its message names the field. */
  @ExceptionHandler(InvalidUsageException.class)
  public ResponseEntity<Object> invalidUsage(InvalidUsageException ex, WebRequest request) {
    String message = ex.getMessage().startsWith(ex.field() + ": ")
        ? ex.getMessage().substring(ex.field().length() + 2) : ex.getMessage();
    return invalid(List.of(new FieldProblem(ex.field(), message)), new HttpHeaders(), request);
  }

  @ExceptionHandler(IdempotencyConflictException.class)
  public ResponseEntity<Object> idempotencyConflict(IdempotencyConflictException ex, WebRequest request) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
        "The request id '" + ex.key() + "' was already used for another change.");
    problem.setTitle("Request id reused");
    return handleExceptionInternal(ex, problem, new HttpHeaders(), HttpStatus.CONFLICT, request);
  }

  @ExceptionHandler({UsageStorageException.class, TrackingRejectedException.class,
      AnalyticsUnavailableException.class})
  public ResponseEntity<Object> unavailable(RuntimeException ex, WebRequest request) {
    log.warn("usage store unavailable: {}", ex.toString());
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
        "The usage store cannot answer now; try again shortly.");
    problem.setTitle("Usage store unavailable");
    return handleExceptionInternal(ex, problem, new HttpHeaders(), HttpStatus.SERVICE_UNAVAILABLE, request);
  }

  private ResponseEntity<Object> invalid(List<FieldProblem> errors, HttpHeaders headers, WebRequest request) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
        "Invalid request: " + String.join("; ",
            errors.stream().map(e -> e.field() + ": " + e.message()).toList()) + ".");
    problem.setTitle("Invalid request");
    problem.setProperty("errors", List.copyOf(errors));
    return handleExceptionInternal(new IllegalArgumentException(problem.getDetail()), problem, headers,
        HttpStatus.BAD_REQUEST, request);
  }

  private static FieldProblem problem(FieldError e) {
    return new FieldProblem(e.getField(), message(e));
  }

  private static String message(MessageSourceResolvable e) {
    return e.getDefaultMessage() == null ? "is invalid" : e.getDefaultMessage();
  }

  /** The JSON property path at which Jackson failed ({@code limits.characters}), empty when unknown. */
  private static String jsonPath(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof JacksonException j && !j.getPath().isEmpty()) {
        List<String> parts = new ArrayList<>();
        for (JacksonException.Reference r : j.getPath()) {
          parts.add(r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]");
        }
        return String.join(".", parts).replace(".[", "[");
      }
    }
    return "";
  }
}
