package dev.usage.example.api;

import dev.usage.Quota;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * The body of {@code POST /api/admin/quota/bulk}: the same per-user quota for many users, each change
 * audited on its own with the admin as actor.
 *
 * @param userIds 1 to {@value #MAX_USERS} distinct user ids
 * @param period {@code month} (default), {@code week} or {@code day}
 * @param requestId applies once per user: a rerun changes nobody twice
 */
public record BulkQuotaRequest(
    @NotEmpty(message = "must hold 1 to " + BulkQuotaRequest.MAX_USERS + " user ids") @Size(max = BulkQuotaRequest.MAX_USERS, message = "must hold 1 to {max} user ids")
    List<@NotBlank(message = "must not be blank") @Size(max = 128, message = "must be at most {max} characters") String> userIds,
    @NotNull(message = "must not be null") @Pattern(regexp = QuotaChangeRequest.TYPE, message = "must match " + QuotaChangeRequest.TYPE) String type,
    @NotNull(message = "must not be null") @PositiveOrZero(message = "must not be negative") @Max(value = Quota.MAX_AMOUNT, message = "must be at most {value}") Long limit,
    @Pattern(regexp = QuotaChangeRequest.PERIOD, message = "must be one of month, week, day") String period,
    @NotBlank(message = "must not be blank") @Size(max = 512, message = "must be at most {max} characters") String reason,
    @Size(min = 1, max = 128, message = "must be 1 to 128 characters") String requestId) {

  /** Most users one request may change. */
  public static final int MAX_USERS = 1_000;

  public BulkQuotaRequest {
    period = period == null ? "month" : period;
  }
}
