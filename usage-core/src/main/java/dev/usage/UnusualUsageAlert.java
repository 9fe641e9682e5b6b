package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;

/**
 * One user's usage of one quota type in one hour, far above that user's own usual hourly usage.
 *
 * <p>The score is the modified z-score of Iglewicz and Hoaglin, {@code 0.6745 (units - median) / MAD},
 * over the user's active hours in the baseline window (hours with some usage of the type). When the
 * median absolute deviation is 0 (most hours alike), the mean absolute deviation stands in for it as
 * {@code (units - median) / (1.2533 meanAD)}. The deviation divided by is at least the square root of the
 * median, and one unit: a count of about {@code n} independent units (requests) varies by about {@code √n} from
 * hour to hour however flat the baseline looked (characters and tokens, which come many to a request, vary more).
 * So after hours of exactly 50 requests an hour of 54 scores 0.57, not infinity (an hour of 100 scores 7.1), and
 * an hour of 2 requests is not far out when a fifth of the baseline hours had 2 and the rest 1.
 *
 * @param userId the user
 * @param type the quota type
 * @param hourStart the start of the UTC hour examined
 * @param units the user's units of {@code type} in that hour
 * @param baselineMedian the median of the user's active baseline hours
 * @param baselineDeviation the deviation the score divides by (scaled MAD or mean absolute deviation, at
 *     least √median and 1)
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
