package dev.usage.example.api;

import dev.usage.Quota;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;

/**
 * The body of {@code PUT /api/admin/quota/user/{id}}: a new tier and/or monthly per-user limits by quota
 * type name ({@code -1} removes that type's override), audited with the admin as actor and {@code reason}.
 * At least one of {@code tier} and {@code limits} is required.
 *
 * @param requestId makes a retry safe: the same id changes nothing more
 */
public record UserQuotaChange(
    @Pattern(regexp = "[a-z][a-z0-9_.-]{0,63}", message = "must be a tier's name") String tier,
    @Size(max = 64, message = "must hold at most {max} types")
    Map<@NotNull @Pattern(regexp = QuotaChangeRequest.TYPE, message = "must be a quota type's name") String,
        @NotNull(message = "must not be null") @Min(value = -1, message = "must be -1 (remove) or more") @Max(value = Quota.MAX_AMOUNT, message = "must be at most {value}") Long> limits,
    @NotBlank(message = "must not be blank") @Size(max = 512, message = "must be at most {max} characters") String reason,
    @Size(min = 1, max = 56, message = "must be 1 to 56 characters") String requestId) {

  public UserQuotaChange {
    limits = limits == null ? Map.of() : limits;
  }
}
