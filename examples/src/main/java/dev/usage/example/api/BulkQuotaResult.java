package dev.usage.example.api;

import dev.usage.UserQuota;
import java.util.List;

/**
 * The answer of {@code POST /api/admin/quota/bulk}: every user's settings after the change, in the order
 * asked.
 *
 * @param updated how many users the request named
 */
public record BulkQuotaResult(int updated, List<User> users) {

  public BulkQuotaResult {
    users = List.copyOf(users);
  }

  public static BulkQuotaResult of(List<UserQuota> settings) {
    return new BulkQuotaResult(settings.size(),
        settings.stream().map(s -> new User(s.userId(), s.tier(), QuotaSettings.QuotaOverride.of(s))).toList());
  }

  /** One user's tier and per-user quotas after the change. */
  public record User(String userId, String tier, List<QuotaSettings.QuotaOverride> overrides) {

    public User {
      overrides = List.copyOf(overrides);
    }
  }
}
