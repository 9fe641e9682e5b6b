package dev.usage.example.api;

import dev.usage.Quota;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code PUT /api/quota/update}: a per-user quota set by an admin, audited with the admin as
 * actor and {@code reason}.
 *
 * @param type the quota type's name
 * @param limit units per period, 0 or more
 * @param period {@code month} (default), {@code week} or {@code day}
 * @param requestId makes a retry safe: the same id changes nothing more
 */
public record QuotaChangeRequest(
    @NotBlank(message = "must not be blank") @Size(max = 128, message = "must be at most {max} characters") String userId,
    @NotNull(message = "must not be null") @Pattern(regexp = QuotaChangeRequest.TYPE, message = "must match " + QuotaChangeRequest.TYPE) String type,
    @NotNull(message = "must not be null") @PositiveOrZero(message = "must not be negative") @Max(value = Quota.MAX_AMOUNT, message = "must be at most {value}") Long limit,
    @Pattern(regexp = QuotaChangeRequest.PERIOD, message = "must be one of month, week, day") String period,
    @NotBlank(message = "must not be blank") @Size(max = 512, message = "must be at most {max} characters") String reason,
    @Size(min = 1, max = 128, message = "must be 1 to 128 characters") String requestId) {

  /** A quota type's name. */
  static final String TYPE = "[a-z][a-z0-9_.-]{0,63}";
  /** The period kinds, as the API spells them. */
  static final String PERIOD = "month|week|day";

  public QuotaChangeRequest {
    period = period == null ? "month" : period;
  }
}
