package dev.usage.spi;

import dev.usage.InvalidUsageException;

/**
 * Where a value stands among the per-user totals of one quota type over a set of events.
 *
 * @param users users with at least one event in the set
 * @param below users whose total is less than the value
 * @param equal users whose total equals it
 */
public record UserRank(long users, long below, long equal) {

  public UserRank {
    if (below < 0 || equal < 0 || users < below + equal) {
      throw new InvalidUsageException("users", "must be at least below + equal (" + below + " + " + equal + "), was "
          + users);
    }
  }

  /**
   * The percentile rank of the value, 0..100: the share of users below it, counting those equal to it
   * as half; 0 without users.
   */
  public double percentile() {
    return users == 0 ? 0 : 100.0 * (below + equal / 2.0) / users;
  }
}
