package dev.usage.example.api;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code POST /api/quota/reset}: an admin gives a user the current period's whole allowance of
 * one quota back (the units used stay on record).
 *
 * @param requestId makes a retry safe: the same id changes nothing more
 */
public record QuotaResetRequest(
    @NotBlank(message = "must not be blank") @Size(max = 128, message = "must be at most {max} characters") String userId,
    @NotNull(message = "must not be null") @Pattern(regexp = QuotaChangeRequest.TYPE, message = "must match " + QuotaChangeRequest.TYPE) String type,
    @NotBlank(message = "must not be blank") @Size(max = 512, message = "must be at most {max} characters") String reason,
    @Size(min = 1, max = 128, message = "must be 1 to 128 characters") String requestId) {}
