package dev.usage.example;

import java.util.List;

/**
 * The answer of {@code POST /api/correct}: the corrected text, what changed, and what the request cost.
 *
 * @param characters the characters charged (the text's length in UTF-16 code units, as Java counts it)
 * @param tokens the tokens charged, counted with {@link #tokenizer}
 */
public record Correction(String original, String corrected, List<Change> changes, long characters, Tokens tokens,
    String tokenizer) {

  /** One change: {@code from} became {@code to}. */
  public record Change(String from, String to) {}

  /** Tokens in (the prompt: instruction and text) and out (the corrected text). */
  public record Tokens(long input, long output) {

    public long total() {
      return input + output;
    }
  }
}
