package dev.usage.example;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import org.springframework.stereotype.Component;

/**
 * Counts tokens the way the model would: OpenAI's {@code cl100k_base} byte-pair encoding, through JTokkit
 * (the encoding ships inside its jar). An estimate before the call ({@link #estimate}) is reserved; the
 * count after it is what is charged, which may be a little more or less.
 */
@Component
public class TokenCounter {

  /** The encoding's name, as reported in each correction. */
  public static final String ENCODING = "cl100k_base";

  private final Encoding encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  /** The number of tokens of {@code text}. */
  public int count(String text) {
    return encoding.countTokensOrdinary(text);
  }

  /**
   * What correcting {@code text} is expected to cost, reserved before the work: the prompt's tokens and as
   * many again for the answer. The commit afterwards charges the {@linkplain Correction.Tokens#total()
   * counted total}, which may be a little more or less.
   */
  public long estimate(String text) {
    return 2L * (count(text) + Corrector.INSTRUCTION_TOKENS);
  }
}
