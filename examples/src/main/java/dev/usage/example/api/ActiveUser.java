package dev.usage.example.api;

import java.util.List;

/**
 * One user of {@code GET /api/admin/usage/users}: their tier, their sums in the range and their quotas now.
 *
 * @param totals the sums over the user's events in the range (all zero for a demo user without any)
 * @param quotas the status of each quota in its current period
 */
public record ActiveUser(String userId, String tier, TotalsView totals, List<QuotaView> quotas) {

  public ActiveUser {
    quotas = List.copyOf(quotas);
  }
}
