package dev.usage;

import dev.usage.internal.Checks;
import java.util.List;
import java.util.Optional;

/**
 * A user's current standing: their tier and the status of every quota that applies to them.
 *
 * @param userId the user
 * @param tier the user's tier
 * @param quotas the status of each quota, ordered by type name
 */
public record UserUsage(String userId, String tier, List<QuotaStatus> quotas) {

  public UserUsage {
    Checks.id("userId", userId);
    Checks.name("tier", tier);
    quotas = List.copyOf(Checks.noNullElements("quotas", quotas));
  }

  public Optional<QuotaStatus> quota(QuotaType type) {
    return quotas.stream().filter(q -> q.type().equals(type)).findFirst();
  }
}
