package dev.usage.spring.autoconfigure;

import dev.usage.Enforcement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Limits per period kind: {@code monthly}, {@code weekly} and {@code daily}, and how each is enforced. A quota
 * type may have a limit in one period kind only (a tier or user holds one quota per type); setting it in two
 * fails start-up naming both properties.
 */
public class PeriodLimits {

  /** Limits per month (calendar month, or from the user's billing anchor day). */
  @NestedConfigurationProperty
  private QuotaLimits monthly = new QuotaLimits();

  /** Limits per ISO week (Monday to Monday in the user's zone). */
  @NestedConfigurationProperty
  private QuotaLimits weekly = new QuotaLimits();

  /** Limits per day (midnight to midnight in the user's zone). */
  @NestedConfigurationProperty
  private QuotaLimits daily = new QuotaLimits();

  /**
   * How each quota type limited beside this map is enforced, by type name (characters, requests, tokens or a
   * custom type's name): "hard" (the default) refuses requests past the limit, "soft" admits them and only
   * reports (status RED; overage, billing, alerts). A type needs a limit at the same place (monthly, weekly
   * or daily).
   */
  private Map<String, Enforcement> enforcement = new LinkedHashMap<>();

  public QuotaLimits getMonthly() {
    return monthly;
  }

  public void setMonthly(QuotaLimits monthly) {
    this.monthly = monthly;
  }

  public QuotaLimits getWeekly() {
    return weekly;
  }

  public void setWeekly(QuotaLimits weekly) {
    this.weekly = weekly;
  }

  public QuotaLimits getDaily() {
    return daily;
  }

  public void setDaily(QuotaLimits daily) {
    this.daily = daily;
  }

  public Map<String, Enforcement> getEnforcement() {
    return enforcement;
  }

  public void setEnforcement(Map<String, Enforcement> enforcement) {
    this.enforcement = enforcement;
  }
}
