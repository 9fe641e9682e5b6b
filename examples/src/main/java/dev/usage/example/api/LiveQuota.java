package dev.usage.example.api;

import dev.usage.QuotaChange;
import java.time.Instant;
import java.util.List;

/**
 * One live update of {@code GET /api/usage/live}: a user's quotas right after a change.
 *
 * @param kind what happened: {@code consumed}, {@code denied}, {@code reserved}, {@code committed},
 *     {@code released} or {@code settings_changed}; {@code changed} when relayed between instances (which
 *     tell only that something changed)
 */
public record LiveQuota(String userId, String kind, List<QuotaView> quotas, Instant at) {

  public static LiveQuota of(QuotaChange change) {
    return new LiveQuota(change.userId(), Units.lower(change.kind()),
        change.statuses().stream().map(QuotaView::of).toList(), change.at());
  }
}
