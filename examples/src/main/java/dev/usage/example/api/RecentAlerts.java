package dev.usage.example.api;

import dev.usage.UnusualUsageAlert;
import dev.usage.UsageListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The newest unusual-usage alerts this instance was told of, for the admin page: the engine tells them when
 * the hourly unusual-usage job ({@code usage.jobs.unusual-usage-cron}) finds them. Reading the page detects
 * nothing itself: detection notifies users and is meant to run once per hour. Kept in memory, so a restart
 * starts the list afresh (the notifications sent are in the store's ledger).
 */
@Component
public class RecentAlerts implements UsageListener {

  /** How many alerts are kept. */
  public static final int CAPACITY = 100;

  private final Deque<UnusualUsageAlert> alerts = new ArrayDeque<>();

  @Override
  public synchronized void onUnusualUsage(UnusualUsageAlert alert) {
    if (alerts.size() == CAPACITY) {
      alerts.removeLast();
    }
    alerts.addFirst(alert);
  }

  /** The alerts kept, newest first. */
  public synchronized List<UnusualUsageAlert> newestFirst() {
    return List.copyOf(new ArrayList<>(alerts));
  }
}
