package dev.usage.spring.autoconfigure;

import java.time.ZoneId;

/**
 * Settings of one user under {@code usage.users.<user-id>}, applied to the store at start-up through the
 * quota management service (so they are audited, with actor {@code usage.users}); only what differs from
 * the stored settings is changed. Limits set here are per-user overrides, which win over the tier's; an
 * override these properties set and no longer name is removed, unless someone else changed it since (see
 * {@link UsageUserSettingsInitializer}).
 */
public class UserProperties extends PeriodLimits {

  /** The user's tier; unset keeps the stored tier (or the default tier for a new user). */
  private String tier;

  /** The zone in which the user's days, weeks and months begin; unset keeps the stored zone. */
  private ZoneId timeZone;

  /** Day of month (1-31) on which the user's monthly periods begin; unset keeps the stored day. */
  private Integer billingAnchorDay;

  public String getTier() {
    return tier;
  }

  public void setTier(String tier) {
    this.tier = tier;
  }

  public ZoneId getTimeZone() {
    return timeZone;
  }

  public void setTimeZone(ZoneId timeZone) {
    this.timeZone = timeZone;
  }

  public Integer getBillingAnchorDay() {
    return billingAnchorDay;
  }

  public void setBillingAnchorDay(Integer billingAnchorDay) {
    this.billingAnchorDay = billingAnchorDay;
  }
}
