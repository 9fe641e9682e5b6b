package dev.usage.example;

import dev.usage.spring.annotation.QuotaGuard;
import dev.usage.spring.annotation.QuotaGuard.Amount;
import dev.usage.spring.annotation.TrackUsage;
import org.springframework.stereotype.Service;

/**
 * Corrects texts, charging the caller's quotas before the work: the text's characters, one request, and
 * the tokens the call is expected to cost (reserved, then the counted tokens committed). A caller past a
 * limit gets HTTP 429 with a problem body and {@code RateLimit} fields, and nothing is corrected. Every
 * call, served or refused, is recorded as a usage event of the feature {@code text-correction}.
 */
@Service
public class CorrectionService {

  private final TokenCounter tokens;

  public CorrectionService(TokenCounter tokens) {
    this.tokens = tokens;
  }

  @QuotaGuard(amounts = {
      @Amount(type = "characters", value = "#request.text().length()"),
      @Amount(type = "requests", value = "1"),
      @Amount(type = "tokens", value = "@tokenCounter.estimate(#request.text())", actual = "#result.tokens().total()")})
  @TrackUsage(feature = "text-correction", characters = "#request.text().length()",
      inputTokens = "#result == null ? 0 : #result.tokens().input()",
      outputTokens = "#result == null ? 0 : #result.tokens().output()")
  public Correction correct(CorrectionRequest request) {
    Corrector.Result result = Corrector.correct(request.text());
    long in = tokens.count(request.text()) + Corrector.INSTRUCTION_TOKENS;
    long out = tokens.count(result.text());
    return new Correction(request.text(), result.text(),
        result.changes().stream().map(c -> new Correction.Change(c.from(), c.to())).toList(),
        request.text().length(), new Correction.Tokens(in, out), TokenCounter.ENCODING);
  }
}
