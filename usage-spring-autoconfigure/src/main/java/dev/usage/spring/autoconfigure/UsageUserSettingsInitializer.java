package dev.usage.spring.autoconfigure;

import dev.usage.Quota;
import dev.usage.QuotaManagementService;
import dev.usage.QuotaType;
import dev.usage.UserQuota;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.InitializingBean;

/**
 * Applies {@code usage.users.<id>.*} to the store at start-up through {@link QuotaManagementService}, so each
 * change is audited (actor {@value #ACTOR}). Only what differs from the stored settings is changed, so a
 * restart writes nothing; an override removed from the properties is not removed from the store (it may
 * have been set by an administrator): remove it with {@code removeQuotaOverride}.
 */
public class UsageUserSettingsInitializer implements InitializingBean {

  /** The actor named in the audit trail for changes made from properties. */
  public static final String ACTOR = "usage.users";

  private static final String REASON = "usage.users properties";

  private final QuotaManagementService quotas;
  private final UsageProperties properties;

  public UsageUserSettingsInitializer(QuotaManagementService quotas, UsageProperties properties) {
    this.quotas = quotas;
    this.properties = properties;
  }

  @Override
  public void afterPropertiesSet() {
    properties.getUsers().forEach(this::apply);
  }

  private void apply(String userId, UserProperties u) {
    String prefix = "usage.users." + userId;
    Map<QuotaType, Quota> overrides = UsagePropertiesMapper.quotas(prefix, u);
    String tier = u.getTier() != null ? u.getTier() : properties.getDefaultTier();
    UserQuota current = UsagePropertiesMapper.named(prefix + ".tier", tier,
        () -> quotas.initializeUserQuotas(userId, tier, ACTOR));
    if (u.getTier() != null && !u.getTier().equals(current.tier())) {
      current = UsagePropertiesMapper.named(prefix + ".tier", tier,
          () -> quotas.changeTier(userId, tier, ACTOR, REASON));
    }
    for (Quota q : overrides.values()) {
      if (!current.override(q.type()).equals(Optional.of(q))) {
        current = UsagePropertiesMapper.named(prefix, q.limit(), () -> quotas.updateQuota(userId, q, ACTOR, REASON));
      }
    }
    ZoneId zone = u.getTimeZone() != null ? u.getTimeZone() : current.zone();
    int anchor = u.getBillingAnchorDay() != null ? u.getBillingAnchorDay() : current.billingAnchorDay();
    if (!zone.equals(current.zone()) || anchor != current.billingAnchorDay()) {
      UsagePropertiesMapper.named(prefix + ".billing-anchor-day", anchor,
          () -> quotas.changeBillingCycle(userId, zone, anchor, ACTOR, REASON));
    }
  }
}
