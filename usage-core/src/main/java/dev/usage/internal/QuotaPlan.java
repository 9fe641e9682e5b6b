package dev.usage.internal;

import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaType;
import dev.usage.Tier;
import dev.usage.UserQuota;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the quotas that apply to a user: per-user override, then the user's tier, then its parent
 * tiers, then the configured defaults. Each tier's chain is flattened once, when the plan is built.
 * Immutable and thread-safe.
 */
public final class QuotaPlan {

  private static final Logger log = LoggerFactory.getLogger(QuotaPlan.class);

  private final Map<String, Tier> tiers;
  private final Map<String, Map<QuotaType, Quota>> effectiveByTier;
  private final String defaultTier;
  private final Set<QuotaType> knownTypes;
  private final Set<String> warnedUnknownTiers = Collections.newSetFromMap(new java.util.concurrent.ConcurrentHashMap<>());

  public QuotaPlan(Collection<Tier> tierList, Collection<Quota> defaults, String defaultTier) {
    Map<String, Tier> byName = new LinkedHashMap<>();
    for (Tier t : tierList) {
      byName.put(t.name(), t);
    }
    Map<QuotaType, Quota> base = new TreeMap<>();
    for (Quota q : defaults) {
      base.put(q.type(), q);
    }
    Map<String, Map<QuotaType, Quota>> effective = new LinkedHashMap<>();
    for (Tier t : byName.values()) {
      List<Tier> chain = chain(t, byName);
      Map<QuotaType, Quota> m = new TreeMap<>(base);
      for (int i = chain.size() - 1; i >= 0; i--) {
        m.putAll(chain.get(i).quotas());
      }
      effective.put(t.name(), Collections.unmodifiableMap(m));
    }
    if (!effective.containsKey(Checks.name("defaultTier", defaultTier))) {
      throw new InvalidUsageException("defaultTier", "no tier named '" + defaultTier + "' is configured");
    }
    this.tiers = Collections.unmodifiableMap(byName);
    this.effectiveByTier = Collections.unmodifiableMap(effective);
    this.defaultTier = defaultTier;
    Set<QuotaType> types = new java.util.TreeSet<>();
    effective.values().forEach(m -> types.addAll(m.keySet()));
    this.knownTypes = Collections.unmodifiableSet(types);
  }

  /** Every quota type some tier or the defaults give a limit (per-user overrides may add others). */
  public Set<QuotaType> knownTypes() {
    return knownTypes;
  }

  private static List<Tier> chain(Tier t, Map<String, Tier> byName) {
    List<Tier> chain = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Tier current = t;
    while (current != null) {
      if (!seen.add(current.name())) {
        throw new InvalidUsageException("tier.parent", "tiers form a cycle through '" + current.name() + "'");
      }
      chain.add(current);
      Optional<String> parent = current.parent();
      if (parent.isPresent() && !byName.containsKey(parent.get())) {
        throw new InvalidUsageException("tier.parent",
            "tier '" + current.name() + "' names unknown parent '" + parent.get() + "'");
      }
      current = parent.map(byName::get).orElse(null);
    }
    return chain;
  }

  public String defaultTier() {
    return defaultTier;
  }

  public boolean hasTier(String name) {
    return effectiveByTier.containsKey(name);
  }

  public Map<String, Tier> tiers() {
    return tiers;
  }

  /** The quotas that apply to a user, ordered by type. */
  public Map<QuotaType, Quota> effective(UserQuota user) {
    Map<QuotaType, Quota> base = effectiveByTier.get(user.tier());
    if (base == null) {
      if (warnedUnknownTiers.add(user.tier())) {
        log.warn("Tier '{}' of user '{}' is not configured (any more); its users get tier '{}'",
            user.tier(), user.userId(), defaultTier);
      }
      base = effectiveByTier.get(defaultTier);
    }
    if (user.overrides().isEmpty()) {
      return base;
    }
    Map<QuotaType, Quota> m = new TreeMap<>(base);
    m.putAll(user.overrides());
    return Collections.unmodifiableMap(m);
  }
}
