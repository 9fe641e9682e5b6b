package dev.usage.testkit;

import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.spi.UsageStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of every contract class: opens the adapter's storage once per class, gives each test a settable
 * clock (starting 2026-03-15T10:00:00Z) and engines over the storage, and closes them after the test.
 * Tests isolate themselves with fresh user ids from {@link #user(String)}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AbstractStorageContract {

  /** The instant every test's clock starts at. */
  public static final String START = "2026-03-15T10:00:00Z";

  private StorageFixture fixture;
  /** The adapter's storage, shared by the tests of the class. */
  protected UsageStorage storage;
  /** This test's clock. */
  protected SettableClock clock;
  private final List<UsageEngine> engines = new ArrayList<>();

  /** The adapter's fixture; called once per contract class. */
  protected abstract StorageFixture fixture();

  @BeforeAll
  void openStorage() throws Exception {
    fixture = fixture();
    storage = fixture.open();
  }

  /** The fixture of this class, for backend-specific operations such as {@link StorageFixture#tamperWithAuditEntry}. */
  protected StorageFixture storageFixture() {
    return fixture;
  }

  @AfterAll
  void closeStorage() throws Exception {
    try {
      if (storage != null) {
        storage.close();
      }
    } finally {
      if (fixture != null) {
        fixture.close();
      }
    }
  }

  @BeforeEach
  void freshClock() {
    clock = SettableClock.at(START);
  }

  @AfterEach
  void closeEngines() {
    engines.forEach(UsageEngine::close);
    engines.clear();
  }

  /** An engine over the shared storage with this test's clock, SYNC tracking and default tiers. */
  protected UsageEngine engine() {
    return engine(b -> { });
  }

  /** As {@link #engine()}, adjusted by {@code customizer}. Closed after the test; the storage stays open. */
  protected UsageEngine engine(Consumer<UsageEngine.Builder> customizer) {
    UsageEngine.Builder b = UsageEngine.builder()
        .storage(Storages.shared(storage))
        .clock(clock)
        .trackingMode(TrackingMode.SYNC)
        .closeOnShutdown(false);
    customizer.accept(b);
    UsageEngine engine = b.build();
    engines.add(engine);
    return engine;
  }

  /** The status of one of the user's quotas in the current period. */
  protected static QuotaStatus status(UsageEngine engine, String user, QuotaType type) {
    return engine.quotas().getQuotaStatus(user).stream().filter(s -> s.type().equals(type)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " quota for " + user));
  }

  /** Units used by the user in the current period. */
  protected static long used(UsageEngine engine, String user, QuotaType type) {
    return status(engine, user, type).used();
  }

  /** A user id no other test uses. */
  protected static String user(String hint) {
    return hint + "-" + UUID.randomUUID();
  }
}
