package dev.usage.spi;

import dev.usage.internal.Checks;
import java.time.Instant;

/**
 * The notifications an engine has sent or is sending, so that each goes out once across every process
 * sharing the store. Thread-safe; safe across processes where the backend is
 * ({@link StorageCapability#SHARED_ACROSS_PROCESSES}).
 */
public interface NotificationLedger {

  /** The longest claimant a ledger takes (SQL stores keep it in a column of 64 characters). */
  int MAX_CLAIMANT_LENGTH = 64;

  /**
   * Records {@code key} for {@code claimant} unless it is recorded, atomically: of any number of concurrent
   * callers with different claimants, in any number of processes, exactly one is told {@code true}. A call
   * repeated with the same claimant (after its answer was lost) is told {@code true} again if the first one
   * recorded it. The entry is kept at least until {@code keepUntil}; a backend may forget it afterwards (the
   * period it is about is long over by then).
   *
   * @param claimant a token unique to this claim (a random UUID), at most {@value #MAX_CLAIMANT_LENGTH} characters
   * @param at when it is claimed (engine clock)
   * @return whether the key is recorded for {@code claimant}
   */
  boolean claim(NotificationKey key, String claimant, Instant at, Instant keepUntil);

  /**
   * Removes {@code key}'s entry: the notification could not be delivered, and a later trigger may claim it
   * again. Removing an absent entry does nothing.
   */
  void withdraw(NotificationKey key);

  /** Whether {@code key} is recorded. */
  boolean claimed(NotificationKey key);

  /**
   * The checks every {@link #claim} makes before it touches the store.
   *
   * @throws dev.usage.InvalidUsageException naming the argument
   */
  static void checkClaim(NotificationKey key, String claimant, Instant at, Instant keepUntil) {
    Checks.notNull("key", key);
    Checks.text("claimant", claimant, MAX_CLAIMANT_LENGTH);
    Checks.notNull("at", at);
    Checks.notNull("keepUntil", keepUntil);
  }
}
