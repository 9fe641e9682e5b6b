package dev.usage.spring.autoconfigure;

import dev.usage.AuditEntry;
import dev.usage.Quota;
import dev.usage.QuotaManagementService;
import dev.usage.QuotaType;
import dev.usage.UserQuota;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Applies {@code usage.users.<id>.*} to the store at start-up through {@link QuotaManagementService}, so each
 * change is audited (actor {@value #ACTOR}). Only what differs from the stored settings is changed, so a
 * restart writes nothing.
 *
 * <p><b>Overrides no longer in the properties.</b> For a user still under {@code usage.users}, a stored
 * override whose type the properties no longer set is removed (audited, actor {@value #ACTOR}) when the
 * properties put it there: the latest audit entry of that type is an {@code override} by {@value #ACTOR}. An
 * override whose latest change was made by anyone else (an administrator through the management service)
 * stays. A user removed from {@code usage.users} altogether keeps every stored setting: the store offers no
 * cheap listing of users or of audit entries by actor, so such users are not looked for; remove their
 * overrides with {@link QuotaManagementService#removeQuotaOverride}. A tier, zone or billing day whose
 * property is removed keeps its stored value likewise.
 *
 * <p>Every user's limits, ids and billing anchor days are checked before anything is applied, so such a mistake
 * fails start-up with nothing written.
 */
public class UsageUserSettingsInitializer implements InitializingBean {

  /** The actor named in the audit trail for changes made from properties. */
  public static final String ACTOR = "usage.users";

  private static final String REASON = "usage.users properties";
  private static final String REASON_REMOVED = "no longer in usage.users properties";

  private static final String PREFIX = "usage.users.";
  /** What may follow a user's id, in Boot's relaxed forms (dashes and underscores dropped, lower case). */
  private static final List<String> USER_SETTINGS =
      List.of("tier", "timezone", "billinganchorday", "monthly", "weekly", "daily", "enforcement", "rollover");

  private final QuotaManagementService quotas;
  private final UsageProperties properties;
  private final Environment environment;

  public UsageUserSettingsInitializer(QuotaManagementService quotas, UsageProperties properties) {
    this(quotas, properties, null);
  }

  /**
   * @param environment where {@code usage.users.*} were read from: a user id Spring Boot would bind as another
   *     fails start-up (see {@link #requireBracketedIds}); null to skip that check
   */
  public UsageUserSettingsInitializer(QuotaManagementService quotas, UsageProperties properties,
      Environment environment) {
    this.quotas = quotas;
    this.properties = properties;
    this.environment = environment;
  }

  @Override
  public void afterPropertiesSet() {
    requireBracketedIds(environment);
    // every user's settings are checked before any is applied: a bad value fails start-up with nothing written
    properties.getUsers().forEach(this::check);
    properties.getUsers().forEach(this::apply);
  }

  /**
   * Refuses, naming the property, what {@link #apply} would be refused by the service for: a bad limit, id or
   * billing anchor day, or more overrides than a user may have. A tier not configured is refused only when it is
   * applied (tiers may come from the host's engine customizers too).
   */
  private void check(String userId, UserProperties u) {
    String prefix = "usage.users." + userId;
    Map<QuotaType, Quota> overrides = UsagePropertiesMapper.quotas(prefix, u);
    if (overrides.size() > UserQuota.MAX_OVERRIDES) {
      throw new InvalidConfigurationPropertyValueException(prefix, overrides.size() + " limits",
          "a user may have at most " + UserQuota.MAX_OVERRIDES + " overrides");
    }
    Integer anchor = u.getBillingAnchorDay();
    if (anchor != null && (anchor < 1 || anchor > 31)) {
      throw new InvalidConfigurationPropertyValueException(prefix + ".billing-anchor-day", anchor,
          "must be within 1..31");
    }
    UsagePropertiesMapper.named(prefix, userId, () -> quotas.getUserQuota(userId));
  }

  /**
   * Refuses a user id that Spring Boot would not bind as written: without brackets, Boot drops a key holding
   * characters other than letters, digits, {@code -} and {@code _} (an e-mail address), and splits a key at its
   * dots, so {@code usage.users.john.doe.tier} would set up the user {@code john} (what follows the id is not one
   * of a user's settings then). Such ids are written in brackets: {@code usage.users.[alice@example.com].tier}.
   */
  static void requireBracketedIds(Environment environment) {
    if (!(environment instanceof ConfigurableEnvironment env)) {
      return;
    }
    for (PropertySource<?> source : env.getPropertySources()) {
      if (!(source instanceof EnumerablePropertySource<?> names)) {
        continue;
      }
      for (String name : names.getPropertyNames()) {
        if (!name.startsWith(PREFIX) || name.startsWith(PREFIX + "[")) {
          continue;
        }
        String rest = name.substring(PREFIX.length());
        int dot = rest.indexOf('.');
        String id = dot < 0 ? rest : rest.substring(0, dot);
        String setting = dot < 0 ? "" : rest.substring(dot + 1).split("[.\\[]", 2)[0];
        if (!id.matches("[A-Za-z0-9_-]+") || !USER_SETTINGS.contains(setting.replace("-", "").replace("_", "")
            .toLowerCase(Locale.ROOT))) {
          throw new InvalidConfigurationPropertyValueException(name, names.getProperty(name), "not a user's"
              + " setting as written: a user id with characters other than letters, digits, '-' and '_', or with a"
              + " dot, must be written in brackets, or Spring Boot binds another id (or none):"
              + " usage.users.[alice@example.com].tier; a user's settings are " + USER_SETTINGS);
        }
      }
    }
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
    // dropped ones first: a user may have only so many overrides (UserQuota.MAX_OVERRIDES)
    List<QuotaType> dropped = current.overrides().keySet().stream().filter(t -> !overrides.containsKey(t))
        .sorted(Comparator.comparing(QuotaType::name)).toList();
    if (!dropped.isEmpty()) {
      List<AuditEntry> trail = quotas.auditTrail(userId);
      for (QuotaType type : dropped) {
        if (setFromProperties(trail, type)) {
          current = quotas.removeQuotaOverride(userId, type, ACTOR, REASON_REMOVED);
        }
      }
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

  /** Whether the latest change of {@code type}'s override (the trail is oldest first) was made from properties. */
  private static boolean setFromProperties(List<AuditEntry> trail, QuotaType type) {
    for (int i = trail.size() - 1; i >= 0; i--) {
      AuditEntry e = trail.get(i);
      if (e.quotaType().equals(Optional.of(type))) {
        return e.action().equals("override") && e.actor().equals(ACTOR);
      }
    }
    return false;
  }
}
