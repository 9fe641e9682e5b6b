package dev.usage.example.api;

import dev.usage.ChangeRequest;
import dev.usage.Enforcement;
import dev.usage.Quota;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import dev.usage.RolloverPolicy;
import dev.usage.UsageEngine;
import dev.usage.UserQuota;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/quota/*}: quota statuses and closed periods (one's own; an admin may name any user with
 * {@code ?userId=}), and an admin's override and reset of one user's quota, audited with the admin as actor.
 */
@RestController
@RequestMapping("/api/quota")
@Tag(name = "quota", description = "Quota statuses, history, and admin changes")
public class QuotaController {

  private final UsageEngine engine;

  public QuotaController(UsageEngine engine) {
    this.engine = engine;
  }

  /** The status of every quota of the user in its current period. */
  @GetMapping("/status")
  @Operation(summary = "Quota statuses of the signed-in user (an admin may pass userId)")
  public List<QuotaView> status(Authentication auth, @RequestParam Optional<String> userId) {
    String user = Caller.of(auth).target(userId);
    return engine.quotas().getQuotaStatus(user).stream().map(QuotaView::of).toList();
  }

  /** The user's closed periods, oldest first. */
  @GetMapping("/history")
  @Operation(summary = "Closed quota periods of the signed-in user (an admin may pass userId)")
  public List<ClosedPeriod> history(Authentication auth, @RequestParam Optional<String> userId) {
    String user = Caller.of(auth).target(userId);
    return engine.quotas().getQuotaHistory(user).stream().map(ClosedPeriod::of).toList();
  }

  /** Sets a per-user quota (admin). */
  @PutMapping("/update")
  @Operation(summary = "Set a per-user quota override (admin)")
  public QuotaSettings update(Authentication auth, @Valid @RequestBody QuotaChangeRequest request) {
    Quota quota = new Quota(QuotaType.of(request.type()), request.limit(), period(request.period()),
        Enforcement.HARD, RolloverPolicy.none());
    UserQuota settings = engine.quotas().updateQuota(request.userId(), quota,
        change(auth, request.reason(), request.requestId()));
    return settings(settings);
  }

  /** Gives a user the current period's allowance of one quota back (admin). */
  @PostMapping("/reset")
  @Operation(summary = "Reset one quota's usage in its current period (admin)")
  public QuotaSettings reset(Authentication auth, @Valid @RequestBody QuotaResetRequest request) {
    UserQuota settings = engine.quotas().resetUsage(request.userId(), QuotaType.of(request.type()),
        change(auth, request.reason(), request.requestId()));
    return settings(settings);
  }

  private QuotaSettings settings(UserQuota settings) {
    return QuotaSettings.of(settings, engine.quotas().getQuotaStatus(settings.userId()));
  }

  /** The period kind the API spells in lower case (validated by the request's pattern). */
  static QuotaPeriod period(String name) {
    return QuotaPeriod.valueOf(name.toUpperCase(Locale.ROOT));
  }

  /** The audited change: the signed-in admin as actor, with the caller's reason and request id. */
  static ChangeRequest change(Authentication auth, String reason, String requestId) {
    ChangeRequest change = ChangeRequest.of(auth.getName(), reason);
    return requestId == null ? change : change.withRequestId(requestId);
  }
}
