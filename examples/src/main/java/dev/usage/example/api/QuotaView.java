package dev.usage.example.api;

import dev.usage.QuotaStatus;
import java.time.Instant;

/**
 * One quota as the API shows it: the period's limit (with units carried in), what is used and held, and
 * the level the dashboard colours ({@code green}, {@code yellow} from 80 %, {@code red} at the limit).
 *
 * @param utilisation used and held units over the limit, 0 to 1 and beyond for a SOFT quota past its limit
 */
public record QuotaView(String type, String period, long limit, long used, long reserved, long remaining,
    double utilisation, String level, String enforcement, Instant periodStart, Instant resetAt, long carriedIn) {

  public static QuotaView of(QuotaStatus s) {
    return new QuotaView(s.type().name(), Units.lower(s.period()), s.limit(), s.used(), s.reserved(),
        s.remaining(), s.utilisation(), Units.lower(s.level()), Units.lower(s.enforcement()), s.periodStart(),
        s.resetAt(), s.carriedIn());
  }
}
