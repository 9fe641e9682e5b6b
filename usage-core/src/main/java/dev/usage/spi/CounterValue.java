package dev.usage.spi;

import dev.usage.QuotaType;

/**
 * A counter as read or left by a command.
 *
 * @param type the quota type
 * @param periodId the period
 * @param used units consumed or committed
 * @param reserved units held by reservations that have not lapsed
 */
public record CounterValue(QuotaType type, String periodId, long used, long reserved) {

  public static CounterValue empty(CounterKey key) {
    return new CounterValue(key.type(), key.periodId(), 0, 0);
  }
}
