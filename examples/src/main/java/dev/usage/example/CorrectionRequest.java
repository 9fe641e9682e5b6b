package dev.usage.example;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** The body of {@code POST /api/correct}. */
public record CorrectionRequest(
    @NotBlank(message = "must not be blank") @Size(max = CorrectionRequest.MAX_TEXT, message = "must be at most {max} characters") String text) {

  /** The longest text one request may carry. */
  public static final int MAX_TEXT = 5_000;
}
