package dev.usage.example.api;

import dev.usage.UserUsage;
import java.util.List;

/** A user's tier and quotas now: the answer of {@code GET /api/usage/current}. */
public record CurrentUsage(String userId, String tier, List<QuotaView> quotas) {

  public static CurrentUsage of(UserUsage usage) {
    return new CurrentUsage(usage.userId(), usage.tier(), usage.quotas().stream().map(QuotaView::of).toList());
  }
}
