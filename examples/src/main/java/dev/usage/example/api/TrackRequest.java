package dev.usage.example.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code POST /api/usage/track}: usage the host did elsewhere, recorded for the signed-in
 * user. Omitted amounts count 0, except {@code requests}, which counts 1; omitted {@code success} is true
 * unless an {@code errorCode} is given.
 *
 * @param feature the product feature, {@code [a-z0-9._-]{1,64}}
 * @param endpoint the endpoint the work was done at, if any
 * @param errorCode why it failed, if it did (marks the event failed)
 * @param idempotencyKey the caller's id for this event, 1 to {@value #KEY_MAX} characters: a retry with the same
 *     key is recorded and counted once
 */
public record TrackRequest(
    @NotNull(message = "must not be null") @Pattern(regexp = "[a-z0-9._-]{1,64}", message = "must match [a-z0-9._-]{1,64}") String feature,
    @Size(max = 256, message = "must be at most {max} characters") String endpoint,
    @PositiveOrZero(message = "must not be negative") @Max(value = MAX, message = "must be at most {value}") Long characters,
    @PositiveOrZero(message = "must not be negative") @Max(value = MAX, message = "must be at most {value}") Long requests,
    @PositiveOrZero(message = "must not be negative") @Max(value = MAX, message = "must be at most {value}") Long inputTokens,
    @PositiveOrZero(message = "must not be negative") @Max(value = MAX, message = "must be at most {value}") Long outputTokens,
    Boolean success,
    @Size(min = 1, max = 128, message = "must be 1 to 128 characters") String errorCode,
    @Size(min = 1, max = KEY_MAX, message = "must be 1 to {max} characters") String idempotencyKey) {

  /**
   * The largest amount of one field of one event: a billion. The engine takes up to 2^53 - 1, but its
   * reports add events up in a {@code long}; a user's 100,000 events a day for ten years at this size
   * still add up within it, so no user can make the reports overflow.
   */
  static final long MAX = 1_000_000_000L;

  /**
   * The longest idempotency key: the quota guard's key is {@code track:} and this one ({@link TrackedEvents}), and
   * the engine takes keys of up to 128 characters.
   */
  static final int KEY_MAX = 128 - 6;

  public TrackRequest {
    characters = characters == null ? 0L : characters;
    requests = requests == null ? 1L : requests;
    inputTokens = inputTokens == null ? 0L : inputTokens;
    outputTokens = outputTokens == null ? 0L : outputTokens;
    success = success == null ? errorCode == null : success;
  }
}
