package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;

/**
 * One user's usage of one quota type in one hour, far above that user's own usual hourly usage.
 *
 * <p>The score is the modified z-score of Iglewicz and Hoaglin, {@code 0.6745 (units - median) / MAD},
 * over the user's active hours in the baseline window (hours with some usage of the type). When the
 * median absolute deviation is 0 (most hours alike), the mean absolute deviation stands in for it as
 * {@code (units - median) / (1.2533 meanAD)}; when that is 0 too, every baseline hour had the same usage and
 * the score of a higher hour is {@link Double#POSITIVE_INFINITY}.
 *
 * @param userId the user
 * @param type the quota type
 * @param hourStart the start of the UTC hour examined
 * @param units the user's units of {@code type} in that hour
 * @param baselineMedian the median of the user's active baseline hours
 * @param baselineDeviation the deviation the score divides by (scaled MAD or mean absolute deviation; 0
 *     when the baseline has no spread)
 * @param baselineHours how many active hours the baseline held
 * @param score the modified z-score
 * @param detectedAt when it was detected (engine clock)
 */
public record UnusualUsageAlert(String userId, QuotaType type, Instant hourStart, long units, double baselineMedian,
    double baselineDeviation, int baselineHours, double score, Instant detectedAt) {

  public UnusualUsageAlert {
    Checks.id("userId", userId);
    Checks.notNull("type", type);
    Checks.notNull("hourStart", hourStart);
    Checks.notNull("detectedAt", detectedAt);
  }
}
