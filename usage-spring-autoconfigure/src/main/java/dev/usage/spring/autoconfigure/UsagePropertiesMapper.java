package dev.usage.spring.autoconfigure;

import dev.usage.Enforcement;
import dev.usage.InvalidUsageException;
import dev.usage.Pricing;
import dev.usage.Quota;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import dev.usage.RolloverPolicy;
import dev.usage.Tier;
import dev.usage.UnusualUsagePolicy;
import dev.usage.UsageEngine;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Maps {@link UsageProperties} onto {@link UsageEngine.Builder}. Every value is handed to the library's own
 * validation; an {@link InvalidUsageException} (which names the library's field) becomes an
 * {@link InvalidConfigurationPropertyValueException} naming the {@code usage.*} property, which Spring Boot
 * reports as a failed start-up with that name.
 */
final class UsagePropertiesMapper {

  /** The library's field names (as {@link InvalidUsageException#field()} spells them) to property names. */
  private static final Map<String, String> BUILDER_FIELDS = Map.ofEntries(
      Map.entry("reservationTtl", "usage.reservation-ttl"),
      Map.entry("idempotencyWindow", "usage.idempotency-window"),
      Map.entry("counterRetention", "usage.counter-retention"),
      Map.entry("defaultZone", "usage.time-zone"),
      Map.entry("failureMode", "usage.failure-mode"),
      Map.entry("defaultTier", "usage.default-tier"),
      Map.entry("trackingMode", "usage.tracking.mode"),
      Map.entry("bufferCapacity", "usage.tracking.buffer-size"),
      Map.entry("overflowPolicy", "usage.tracking.overflow-policy"),
      Map.entry("batchSize", "usage.tracking.batch-size"),
      Map.entry("flushInterval", "usage.tracking.flush-interval"),
      Map.entry("offerTimeout", "usage.tracking.offer-timeout"),
      Map.entry("closeTimeout", "usage.tracking.close-timeout"),
      Map.entry("batchLinger", "usage.tracking.batch-linger"),
      Map.entry("writeAttempts", "usage.tracking.write-attempts"),
      Map.entry("settingsCacheSize", "usage.settings-cache-size"),
      Map.entry("thresholds", "usage.thresholds"),
      Map.entry("tier.parent", "usage.tiers.*.parent"),
      // a carrying quota whose carry would arrive after its period ended: the window is the usual fix (the
      // message names the tier and the quota)
      Map.entry("rollover", "usage.idempotency-window"));

  private UsagePropertiesMapper() {}

  /**
   * Applies every property to {@code builder}; the builder is left to the caller (customizers may follow).
   *
   * @throws InvalidConfigurationPropertyValueException a property holds a value the library refuses
   */
  static UsageEngine.Builder apply(UsageProperties p, UsageEngine.Builder builder) {
    builder.defaultZone(p.getTimeZone())
        .defaultTier(p.getDefaultTier())
        .failureMode(p.getFailureMode())
        .reservationTtl(p.getReservationTtl())
        .idempotencyWindow(p.getIdempotencyWindow())
        .counterRetention(p.getCounterRetention())
        .trackingMode(p.getTracking().getMode())
        .bufferCapacity(p.getTracking().getBufferSize())
        .overflowPolicy(p.getTracking().getOverflowPolicy())
        .batchSize(p.getTracking().getBatchSize())
        .flushInterval(p.getTracking().getFlushInterval())
        .batchLinger(p.getTracking().getBatchLinger())
        .writeAttempts(p.getTracking().getWriteAttempts())
        .settingsCacheSize(p.getSettingsCacheSize())
        .thresholds(p.getThresholds().getYellow(), p.getThresholds().getRed())
        .offerTimeout(p.getTracking().getOfferTimeout())
        .closeTimeout(p.getTracking().getCloseTimeout())
        // Spring closes the engine with the context, before the DataSource or Redis client it writes to;
        // a JVM hook of its own could run after they are closed
        .closeOnShutdown(false);
    quotas("usage.quotas.defaults", p.getQuotas().getDefaults()).values().forEach(builder::defaultQuota);
    Set<String> known = new java.util.HashSet<>(List.of(Tier.FREE, Tier.PREMIUM, Tier.ENTERPRISE));
    known.addAll(p.getTiers().keySet());
    p.getTiers().forEach((name, t) -> builder.tier(tier(name, t, known)));
    builder.unusualUsage(unusualUsage(p.getUnusualUsage()));
    return builder;
  }

  /** The unusual-usage policy of {@code usage.unusual-usage.*}. */
  static UnusualUsagePolicy unusualUsage(UsageProperties.UnusualUsage u) {
    String prefix = "usage.unusual-usage.";
    Map<QuotaType, Long> minimums = new java.util.LinkedHashMap<>();
    u.getMinimumUnits().forEach((type, v) -> minimums.put(
        named(prefix + "minimum-units." + type, type, () -> QuotaType.of(type)), v));
    try {
      return new UnusualUsagePolicy(u.getBaseline(), u.getMinBaselineHours(), u.getThreshold(), minimums,
          u.getAlertWindow());
    } catch (InvalidUsageException e) {
      String field = e.field();
      String property;
      Object value;
      if (field.startsWith("minimumUnits.")) {
        String type = field.substring("minimumUnits.".length());
        property = prefix + "minimum-units." + type;
        value = minimums.get(QuotaType.of(type));
      } else {
        property = prefix + switch (field) {
          case "minBaselineHours" -> "min-baseline-hours";
          case "alertWindow" -> "alert-window";
          default -> field;
        };
        value = switch (field) {
          case "baseline" -> u.getBaseline();
          case "minBaselineHours" -> u.getMinBaselineHours();
          case "threshold" -> u.getThreshold();
          case "alertWindow" -> u.getAlertWindow();
          default -> null;
        };
      }
      throw new InvalidConfigurationPropertyValueException(property, value, e.getMessage());
    }
  }

  /** The prices of {@code usage.pricing.*}; call only with a currency set. */
  static Pricing pricing(UsageProperties.PricingProperties p) {
    String code = p.getCurrency();
    Pricing.Builder b = named("usage.pricing.currency", code, () -> {
      try {
        return Pricing.builder(Currency.getInstance(code.trim().toUpperCase(java.util.Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new InvalidUsageException("currency", "not an ISO 4217 currency code");
      }
    });
    p.getTiers().forEach((tier, t) -> {
      String prefix = "usage.pricing.tiers." + tier;
      if (t.getPrice() != null) {
        named(prefix + ".price", t.getPrice(), () -> b.tier(tier, t.getPrice()));
      }
      t.getOverage().forEach((type, o) -> {
        String where = prefix + ".overage." + type;
        QuotaType qt = named(where, type, () -> QuotaType.of(type));
        if (o.getPrice() == null) {
          throw new InvalidConfigurationPropertyValueException(where + ".price", null, "an overage needs a price");
        }
        named(where + (o.getPerUnits() < 1 ? ".per-units" : ".price"), o.getPerUnits() < 1 ? o.getPerUnits() : o.getPrice(),
            () -> b.overage(tier, qt, o.getPrice(), o.getPerUnits()));
      });
    });
    return b.build();
  }

  /** Builds the engine, naming the property behind any setting the library refuses. */
  static UsageEngine build(UsageEngine.Builder builder, UsageProperties p) {
    try {
      return builder.build();
    } catch (InvalidUsageException e) {
      String property = BUILDER_FIELDS.getOrDefault(e.field(), "usage." + e.field());
      throw new InvalidConfigurationPropertyValueException(property, value(property, p), e.getMessage());
    }
  }

  /** The configured value of a property that {@link #BUILDER_FIELDS} names, for the error message. */
  private static Object value(String property, UsageProperties p) {
    UsageProperties.Tracking t = p.getTracking();
    return switch (property) {
      case "usage.reservation-ttl" -> p.getReservationTtl();
      case "usage.idempotency-window" -> p.getIdempotencyWindow();
      case "usage.counter-retention" -> p.getCounterRetention();
      case "usage.time-zone" -> p.getTimeZone();
      case "usage.failure-mode" -> p.getFailureMode();
      case "usage.default-tier" -> p.getDefaultTier();
      case "usage.tracking.mode" -> t.getMode();
      case "usage.tracking.buffer-size" -> t.getBufferSize();
      case "usage.tracking.overflow-policy" -> t.getOverflowPolicy();
      case "usage.tracking.batch-size" -> t.getBatchSize();
      case "usage.tracking.flush-interval" -> t.getFlushInterval();
      case "usage.tracking.offer-timeout" -> t.getOfferTimeout();
      case "usage.tracking.close-timeout" -> t.getCloseTimeout();
      case "usage.tracking.batch-linger" -> t.getBatchLinger();
      case "usage.tracking.write-attempts" -> t.getWriteAttempts();
      case "usage.settings-cache-size" -> p.getSettingsCacheSize();
      case "usage.thresholds" -> "yellow=" + p.getThresholds().getYellow() + ", red=" + p.getThresholds().getRed();
      default -> null;
    };
  }

  private static Tier tier(String name, TierProperties t, Set<String> known) {
    String prefix = "usage.tiers." + name;
    String parent = t.getParent();
    if (parent != null && !known.contains(parent)) {
      throw new InvalidConfigurationPropertyValueException(prefix + ".parent", parent,
          "no tier named '" + parent + "' is built in or configured under usage.tiers");
    }
    Map<QuotaType, Quota> quotas = quotas(prefix, t);
    return named(prefix, name, () -> Tier.builder(name).parent(parent).quotas(quotas.values()).build());
  }

  /**
   * The quotas set under {@code prefix} ({@code prefix.monthly.characters} and so on), one per type, with the
   * enforcement and rollover set beside them.
   *
   * @throws InvalidConfigurationPropertyValueException a limit, enforcement or rollover is refused, an
   *     enforcement or rollover names a type without a limit beside it, or a type has limits in two periods
   */
  static Map<QuotaType, Quota> quotas(String prefix, PeriodLimits limits) {
    Map<QuotaType, Quota> out = new LinkedHashMap<>();
    Map<QuotaType, String> where = new LinkedHashMap<>();
    add(out, where, prefix + ".monthly", QuotaPeriod.MONTH, limits.getMonthly());
    add(out, where, prefix + ".weekly", QuotaPeriod.WEEK, limits.getWeekly());
    add(out, where, prefix + ".daily", QuotaPeriod.DAY, limits.getDaily());
    for (Map.Entry<String, Enforcement> e : limits.getEnforcement().entrySet()) {
      String property = prefix + ".enforcement." + e.getKey();
      QuotaType type = named(property, e.getKey(), () -> QuotaType.of(e.getKey()));
      if (e.getValue() == null) {
        throw new InvalidConfigurationPropertyValueException(property, null, "must be hard or soft");
      }
      Quota quota = out.get(type);
      if (quota == null) {
        throw new InvalidConfigurationPropertyValueException(property, e.getValue(), "no limit of '" + e.getKey()
            + "' is set under " + prefix + ".{monthly,weekly,daily}; the enforcement applies to a limit set beside it");
      }
      out.put(type, quota.withEnforcement(e.getValue()));
    }
    for (Map.Entry<String, RolloverProperties> e : limits.getRollover().entrySet()) {
      String property = prefix + ".rollover." + e.getKey();
      QuotaType type = named(property, e.getKey(), () -> QuotaType.of(e.getKey()));
      Quota quota = out.get(type);
      if (quota == null) {
        throw new InvalidConfigurationPropertyValueException(property, e.getKey(), "no limit of '" + e.getKey()
            + "' is set under " + prefix + ".{monthly,weekly,daily}; the rollover applies to a limit set beside it");
      }
      RolloverPolicy policy = rollover(property, e.getValue());
      out.put(type, named(property, e.getKey(), () -> quota.withRollover(policy)));
    }
    return out;
  }

  /**
   * The policy of {@code property}'s {@code cap}, {@code cap-percent} and {@code expires-after-periods}.
   *
   * @throws InvalidConfigurationPropertyValueException naming the one the library refuses
   */
  private static RolloverPolicy rollover(String property, RolloverProperties r) {
    Long cap = r == null ? null : r.getCap();
    Integer percent = r == null ? null : r.getCapPercent();
    if (cap == null && percent == null) {
      throw new InvalidConfigurationPropertyValueException(property + ".cap", null, "a rollover needs a cap: "
          + property + ".cap (units, or -1 for none) or " + property + ".cap-percent (of the limit)");
    }
    if (cap != null && cap == 0) {
      // the library reads 0 as "no absolute cap"; here that is -1, and carrying nothing is no rollover at all
      throw new InvalidConfigurationPropertyValueException(property + ".cap", cap,
          "must be at least 1, or -1 for no absolute cap; to carry nothing, leave the rollover out");
    }
    if (percent != null && percent == 0) {
      throw new InvalidConfigurationPropertyValueException(property + ".cap-percent", percent,
          "must be within 1..1000; leave it out for no percentage cap");
    }
    long capAmount = cap == null ? 0 : cap == -1 ? Quota.UNLIMITED : cap;
    int capPercent = percent == null ? 0 : percent;
    int expiry = r.getExpiresAfterPeriods();
    // each part checked by the library on its own, so that its refusal names that part's property
    named(property + ".cap", cap, () -> RolloverPolicy.carryUpTo(capAmount == 0 ? Quota.UNLIMITED : capAmount));
    named(property + ".cap-percent", percent, () -> RolloverPolicy.carryUpToPercent(Math.max(1, capPercent)));
    named(property + ".expires-after-periods", expiry, () -> RolloverPolicy.carryAll().expiringAfter(expiry));
    return named(property, null, () -> new RolloverPolicy(true, capAmount, capPercent, expiry));
  }

  private static void add(Map<QuotaType, Quota> out, Map<QuotaType, String> where, String prefix, QuotaPeriod period,
      QuotaLimits limits) {
    for (Map.Entry<String, Long> e : limits.byTypeName().entrySet()) {
      String property = prefix + "." + e.getKey();
      String typeName = e.getKey().startsWith("custom.") ? e.getKey().substring("custom.".length()) : e.getKey();
      Long value = e.getValue();
      if (value == null) {
        throw new InvalidConfigurationPropertyValueException(property, null, "must not be empty");
      }
      long limit = value == -1 ? Quota.UNLIMITED : value;
      Quota quota = named(property, value, () -> new Quota(QuotaType.of(typeName), limit, period,
          Enforcement.HARD, RolloverPolicy.none()));
      String earlier = where.put(quota.type(), property);
      if (earlier != null) {
        throw new InvalidConfigurationPropertyValueException(property, value,
            "quota type '" + typeName + "' already has a limit in " + earlier + "; a type takes one period");
      }
      out.put(quota.type(), quota);
    }
  }

  /** Runs {@code make}, turning the library's refusal into an error naming {@code property}. */
  static <T> T named(String property, Object value, Supplier<T> make) {
    try {
      return make.get();
    } catch (InvalidUsageException e) {
      throw new InvalidConfigurationPropertyValueException(property, value, e.getMessage());
    }
  }
}
