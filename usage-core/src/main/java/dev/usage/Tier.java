package dev.usage;

import dev.usage.internal.Checks;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A named plan: the quotas it sets, and optionally a parent tier whose quotas it inherits where it sets
 * none. The defaults are {@code free}, {@code premium} (parent {@code free}) and {@code enterprise}
 * (parent {@code premium}); anything neither a tier nor its ancestors set comes from the engine's
 * default quotas.
 *
 * @param name the tier's name
 * @param quotas the quotas this tier sets, by type
 * @param parent the tier it inherits from
 */
public record Tier(String name, Map<QuotaType, Quota> quotas, Optional<String> parent) {

  public static final String FREE = "free";
  public static final String PREMIUM = "premium";
  public static final String ENTERPRISE = "enterprise";

  public Tier {
    Checks.name("tier", name);
    Checks.noNullEntries("tier.quotas", quotas);
    for (Map.Entry<QuotaType, Quota> e : quotas.entrySet()) {
      if (!e.getKey().equals(e.getValue().type())) {
        throw new InvalidUsageException("tier.quotas", "key " + e.getKey() + " holds a quota of type " + e.getValue().type());
      }
    }
    quotas = Map.copyOf(quotas);
    parent = Checks.optionalText("tier.parent", parent, Checks.MAX_NAME_LENGTH);
    if (parent.filter(name::equals).isPresent()) {
      throw new InvalidUsageException("tier.parent", "a tier cannot be its own parent");
    }
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The quota this tier itself sets for {@code type}, without inheritance. */
  public Optional<Quota> quota(QuotaType type) {
    return Optional.ofNullable(quotas.get(type));
  }

  /** Builds a {@link Tier}. Not thread-safe; the tier it builds is immutable. */
  public static final class Builder {
    private final String name;
    private final Map<QuotaType, Quota> quotas = new LinkedHashMap<>();
    private String parent;

    private Builder(String name) {
      this.name = name;
    }

    public Builder parent(String parentTier) {
      this.parent = parentTier;
      return this;
    }

    /** Sets a quota; a later one of the same type replaces an earlier one. */
    public Builder quota(Quota quota) {
      Checks.notNull("quota", quota);
      quotas.put(quota.type(), quota);
      return this;
    }

    public Builder quotas(Collection<Quota> all) {
      Checks.noNullElements("quotas", all).forEach(this::quota);
      return this;
    }

    public Tier build() {
      return new Tier(name, quotas, Optional.ofNullable(parent));
    }
  }
}
