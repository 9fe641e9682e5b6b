package dev.usage.example.api;

import dev.usage.EventFilter;
import dev.usage.ExportFormat;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.security.Principal;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * {@code /api/usage/*}: the signed-in user's own usage: now, per day, analysed, exported, and usage the
 * host reports from elsewhere. Days are UTC; {@code from} and {@code to} are inclusive and default to the
 * 30 days ending today.
 */
@RestController
@RequestMapping("/api/usage")
@Tag(name = "usage", description = "The signed-in user's usage")
public class UsageController {

  private final UsageEngine engine;
  private final TrackedEvents tracked;
  private final Clock clock;

  public UsageController(UsageEngine engine, TrackedEvents tracked, ObjectProvider<Clock> clock) {
    this.engine = engine;
    this.tracked = tracked;
    this.clock = clock.getIfUnique(Clock::systemUTC);
  }

  /** This period's usage of every quota of the signed-in user. */
  @GetMapping("/current")
  @Operation(summary = "The signed-in user's tier and quotas in their current periods")
  public CurrentUsage current(Principal user) {
    return CurrentUsage.of(engine.tracking().getUserUsage(user.getName()));
  }

  /** The signed-in user's usage per day, oldest first, days without events included. */
  @GetMapping("/history")
  @Operation(summary = "The signed-in user's usage per day")
  public List<DailyUsage> history(Principal user,
      @Parameter(description = "first day, YYYY-MM-DD") @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
      @Parameter(description = "last day, inclusive") @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to) {
    DayRange days = DayRange.of(from, to, clock);
    return DailyUsage.of(engine.analytics().generateUsageReport(user.getName(), days.timeRange()));
  }

  /** The signed-in user's report over the range, and the forecast of their current periods. */
  @GetMapping("/analytics")
  @Operation(summary = "The signed-in user's totals, features, trend, tier comparison, periods and forecast")
  public UsageAnalytics analytics(Principal user,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to) {
    DayRange days = DayRange.of(from, to, clock);
    return UsageAnalytics.of(engine.analytics().generateUsageReport(user.getName(), days.timeRange()), days,
        engine.analytics().forecastUsage(user.getName()));
  }

  /**
   * Records usage the host did elsewhere for the signed-in user. Rate-limited by the daily
   * {@code tracked-events} quota (429 past it).
   */
  @PostMapping("/track")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Record usage done elsewhere (rate-limited by the daily tracked-events quota)")
  public TrackAccepted track(Principal user, @Valid @RequestBody TrackRequest request) {
    UsageEvent.Builder event = engine.tracking().event(user.getName())
        .feature(request.feature())
        .endpoint(request.endpoint())
        .characters(request.characters())
        .requests(request.requests())
        .inputTokens(request.inputTokens())
        .outputTokens(request.outputTokens())
        .errorCode(request.errorCode())
        .success(request.success());
    if (request.idempotencyKey() != null) {
      tracked.trackOnce(event.eventId(request.idempotencyKey()).build());
    } else {
      tracked.track(event.build());
    }
    return TrackAccepted.YES;
  }

  /** The signed-in user's events in the range as a CSV or JSON download, streamed from the store. */
  @GetMapping("/export")
  @Operation(summary = "Download the signed-in user's events as CSV or JSON")
  public ResponseEntity<StreamingResponseBody> export(Principal user,
      @Parameter(description = "csv or json") @RequestParam(defaultValue = "csv") String format,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to) {
    ExportFormat f = ExportFormat.parse(format);
    DayRange days = DayRange.of(from, to, clock);
    EventFilter filter = EventFilter.builder(days.timeRange()).user(user.getName()).build();
    String filename = "usage-" + user.getName() + "-" + days.from() + "-" + days.to() + "." + f.fileExtension();
    StreamingResponseBody body = out -> engine.analytics().exportUsageData(filter, f, out);
    return ResponseEntity.ok()
        .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(filename).build().toString())
        .contentType(new MediaType(MediaType.parseMediaType(f.mediaType()), f.charset()))
        .body(body);
  }
}
