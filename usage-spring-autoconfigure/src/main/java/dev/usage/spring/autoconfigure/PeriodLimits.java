package dev.usage.spring.autoconfigure;

import dev.usage.Enforcement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Limits per period kind: {@code monthly}, {@code weekly} and {@code daily}, how each is enforced, and whether
 * its unused units roll over into the next period. A quota
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

  /**
   * Rollover of unused units into the next period, by type name (as for enforcement; a name with a dot in
   * brackets, e.g. rollover[a.b].cap): "cap" (units; -1 for no absolute cap), "cap-percent" (of the limit,
   * 1 to 1000) and "expires-after-periods" (1 to 24; 0 for never). A type needs a limit at the same place.
   * Unused units are lost at the end of each period without one.
   */
  private Map<String, RolloverProperties> rollover = new LinkedHashMap<>();

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

  public Map<String, RolloverProperties> getRollover() {
    return rollover;
  }

  public void setRollover(Map<String, RolloverProperties> rollover) {
    this.rollover = rollover;
  }
}
