package dev.usage.testkit;

import dev.usage.spi.UsageStorage;

/**
 * How the contract kit gets a storage. An adapter's tests implement it once and pass it to each
 * contract class. The kit isolates tests by using fresh user ids, so one storage may serve a whole
 * test class; it is closed after the class.
 */
public interface StorageFixture extends AutoCloseable {

  /**
   * A storage ready for use. Called once per contract class. Should the backend be unreachable, throw
   * {@link org.opentest4j.TestAbortedException} through {@link ServerAvailability#require} so that the
   * test is skipped (or fails when {@code USAGE_IT_REQUIRED=true}).
   */
  UsageStorage open() throws Exception;

  /**
   * Overwrites the reason of one stored audit entry of {@code userId} ({@code index} from 0, oldest first)
   * directly in the backend, past the library (an SQL {@code UPDATE}, a Redis {@code LSET}), as someone with
   * write access to the store could; the audit contract checks that the hash chain shows it. A backend whose
   * entries cannot be reached from outside returns false, and those tests are skipped.
   */
  default boolean tamperWithAuditEntry(String userId, int index, String reason) throws Exception {
    return false;
  }

  /** Releases what {@link #open()} made. */
  @Override
  default void close() throws Exception {}
}
