package dev.usage.spi;

import dev.usage.InvalidUsageException;
import dev.usage.UsageStorageException;
import java.util.List;

/**
 * The hot path: per-user, per-period counters with reservations and idempotency markers.
 *
 * <p>Every method is atomic for its user: concurrent commands from any number of threads and processes
 * sharing the store behave as if applied one at a time. Implementations are thread-safe. They never
 * compute limits or periods; they apply what the command says.
 *
 * <p>Failures: an unreachable or stuck backend throws {@link UsageStorageException} within the
 * adapter's timeout. A command that would take any counter's {@code used + reserved} past
 * {@link dev.usage.Quota#MAX_AMOUNT} throws {@link InvalidUsageException} naming
 * {@code amounts.<type>} (or {@code actual.<type>} for a commit) and changes nothing.
 */
public interface CounterStore {

  /**
   * Adds the deltas, all or none. In order: a store declaring
   * {@link StorageCapability#CHECKS_SETTINGS_VERSION} answers STALE when the command's settings version
   * is not the stored one; lapsed holds of the user are released; a marker with the
   * same key and fingerprint gives REPLAYED, with another fingerprint CONFLICT; any limited delta with
   * {@code used + reserved + amount > limit} gives REJECTED (listing every such type); otherwise every
   * amount is added to {@code used} (or, with a hold, to {@code reserved} under the reservation id) and
   * the marker is stored, in the same atomic step.
   */
  ConsumeOutcome consume(ConsumeCommand command);

  /**
   * Commits a reservation: for each reserved type, {@code used += actual} (unconditionally) and, if the
   * hold has not lapsed, {@code reserved -= held}. A lapsed reservation is still charged. A second commit
   * with the same amounts is REPLAYED, with other amounts or after a release CONFLICT.
   *
   * @throws InvalidUsageException naming {@code actual.<type>} when {@code actual} names a type the
   *     stored reservation does not hold (callers may rebuild a reservation from a message); nothing changes
   */
  SettleOutcome commit(SettleCommand command);

  /**
   * Releases a reservation: if the hold has not lapsed, {@code reserved -= held}. Releasing again, or a
   * lapsed reservation, changes nothing (REPLAYED or SETTLED); after a commit it is a CONFLICT.
   */
  SettleOutcome release(SettleCommand command);

  /**
   * Reads counters; a counter never written (or expired) reads as zero. Lapsed holds do not count in
   * {@code reserved}. The result has one value per key, in the same order.
   */
  List<CounterValue> read(String userId, List<CounterKey> keys, java.time.Instant now);

  /**
   * As {@link #read}, for counters whose periods the caller knows. The engine reads through this where a
   * zero read for a lost counter would be stored for good: closing a period, and an admin reset. A store
   * that can lose counters and rebuild them (Redis re-seeding from the event log) rebuilds a lost counter
   * here from its bounds, where {@link #read} would read it as a new user's; others read.
   */
  default List<CounterValue> readPeriods(String userId, List<CounterPeriod> periods, java.time.Instant now) {
    return read(userId, periods.stream().map(CounterPeriod::key).toList(), now);
  }

  /**
   * One page of all users' live counters, for batch jobs (closing periods). Not a snapshot: counters
   * written during a scan may or may not be seen. Counters with nothing used and nothing reserved may be
   * left out. A page may hold somewhat more or fewer than {@code limit} counters.
   *
   * @param cursor empty for the first page, then the previous page's {@link CounterPage#next()}
   * @param limit about how many counters to return
   * @param now the engine's clock reading (expired counters and lapsed holds are judged against it)
   */
  CounterPage scan(java.util.Optional<String> cursor, int limit, java.time.Instant now);
}
