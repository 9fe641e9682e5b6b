package dev.usage.internal;

import dev.usage.CapacityForecast;
import dev.usage.CapacityForecast.MonthProjection;
import dev.usage.CapacityForecast.Trend;
import dev.usage.Quota;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.UsageForecast;
import dev.usage.UsageForecast.QuotaForecast;
import dev.usage.UsageReset;
import dev.usage.UserQuota;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** The arithmetic of forecasts: run rates of current periods and least-squares lines through daily totals. */
final class Forecasts {

  private Forecasts() {}

  /**
   * Each status's period continued at its rate so far: the units used since the period began, or since an admin
   * reset of it ({@code user}'s resets), over the time since then. A status's {@code used} leaves out the units
   * used before a reset, so the rate is taken over the time after it.
   */
  static UsageForecast usage(UserQuota user, List<QuotaStatus> statuses, Instant now) {
    List<QuotaForecast> out = new ArrayList<>();
    for (QuotaStatus s : statuses) {
      Instant since = s.periodStart();
      UsageReset reset = user.resets().get(s.type());
      if (reset != null && reset.periodStart().equals(s.periodStart()) && reset.at().isAfter(since)) {
        since = reset.at().isBefore(now) ? reset.at() : now;
      }
      // exact integer arithmetic: usage so far over elapsed milliseconds is the rate
      BigInteger used = BigInteger.valueOf(s.used());
      BigInteger elapsed = BigInteger.valueOf(Math.max(1, Duration.between(since, now).toMillis()));
      BigInteger length = elapsed.max(BigInteger.valueOf(Duration.between(since, s.resetAt()).toMillis()));
      long projected = divideRounded(used.multiply(length), elapsed);
      Optional<Instant> runsOut = Optional.empty();
      if (s.limit() != Quota.UNLIMITED) {
        long room = s.limit() - s.used() - s.reserved();
        if (room <= 0) {
          runsOut = Optional.of(now);
        } else if (s.used() > 0) {
          // room / rate, rounded up to the millisecond
          BigInteger millis = BigInteger.valueOf(room).multiply(elapsed).add(used).subtract(BigInteger.ONE).divide(used);
          if (millis.compareTo(BigInteger.valueOf(Duration.between(now, s.resetAt()).toMillis())) < 0) {
            runsOut = Optional.of(now.plusMillis(millis.longValueExact()));
          }
        }
      }
      out.add(new QuotaForecast(s.type(), s.limit(), s.used(), s.reserved(), s.periodStart(), s.resetAt(), projected,
          runsOut));
    }
    return new UsageForecast(user.userId(), now, out);
  }

  /** {@code a / b} rounded half up, for {@code a, b >= 0}, capped at {@code Long.MAX_VALUE}. */
  private static long divideRounded(BigInteger a, BigInteger b) {
    BigInteger q = a.shiftLeft(1).add(b).divide(b.shiftLeft(1));
    return q.bitLength() < 64 ? q.longValue() : Long.MAX_VALUE;
  }

  /**
   * Lines through the daily totals from the first day with any usage to {@code historyTo}, projected over the
   * {@code months} calendar months after {@code historyTo}'s month.
   */
  static CapacityForecast capacity(SortedMap<LocalDate, Map<QuotaType, Long>> daily, LocalDate historyTo, ZoneId zone,
      int months, Instant now) {
    LocalDate first = daily.isEmpty() ? historyTo : daily.firstKey();
    int n = (int) (historyTo.toEpochDay() - first.toEpochDay());
    SortedMap<QuotaType, double[]> series = new TreeMap<>();
    daily.forEach((day, units) -> units.forEach((type, v) ->
        series.computeIfAbsent(type, t -> new double[n])[(int) (day.toEpochDay() - first.toEpochDay())] = v));
    List<Trend> trends = new ArrayList<>();
    series.forEach((type, y) -> trends.add(fit(type, y)));

    List<MonthProjection> projections = new ArrayList<>();
    YearMonth current = YearMonth.from(historyTo);
    for (int k = 1; k <= months; k++) {
      YearMonth m = current.plusMonths(k);
      Map<QuotaType, Long> units = new TreeMap<>();
      for (Trend t : trends) {
        double sum = 0;
        for (int d = 1; d <= m.lengthOfMonth(); d++) {
          long x = m.atDay(d).toEpochDay() - first.toEpochDay();
          sum += Math.max(0, t.intercept() + t.slopePerDay() * x);
        }
        units.put(t.type(), Math.round(sum));
      }
      projections.add(new MonthProjection(m, units));
    }
    return new CapacityForecast(zone, first, historyTo, trends, projections, now);
  }

  /** Ordinary least squares of {@code y} over {@code x = 0..n-1}. */
  static Trend fit(QuotaType type, double[] y) {
    int n = y.length;
    double meanX = (n - 1) / 2.0;
    double meanY = 0;
    for (double v : y) {
      meanY += v;
    }
    meanY /= n;
    double sxx = 0;
    double sxy = 0;
    double syy = 0;
    for (int x = 0; x < n; x++) {
      sxx += (x - meanX) * (x - meanX);
      sxy += (x - meanX) * (y[x] - meanY);
      syy += (y[x] - meanY) * (y[x] - meanY);
    }
    double slope = sxx == 0 ? 0 : sxy / sxx;
    double intercept = meanY - slope * meanX;
    double rSquared = syy == 0 ? 1 : (sxx == 0 ? 0 : (sxy * sxy) / (sxx * syy));
    return new Trend(type, intercept, slope, rSquared, meanY);
  }
}
