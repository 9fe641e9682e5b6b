package dev.usage.testkit;

import org.junit.jupiter.api.Nested;

/**
 * Every contract of the kit as nested test classes: an adapter's test class extends this once per backend
 * and names its fixture. Each nested contract class opens its own storage from a new fixture.
 */
public abstract class StorageContracts {

  /** A new fixture for the backend under test. */
  protected abstract StorageFixture fixture();

  /**
   * A new fixture for {@link InvalidInputContract}, which compares the store's system-wide totals over a
   * century before and after each of its cases: by default {@link #fixture()}. A backend whose test store
   * outlives the run (a server schema that every run and test class writes to) should give a store of its
   * own here, emptied first; otherwise each run reads, twice per case, all the events every run before it
   * left, and grows slower with each.
   */
  protected StorageFixture wholeStoreFixture() {
    return fixture();
  }

  @Nested
  class Audit extends AuditContract {
    @Override
    protected StorageFixture fixture() {
      return StorageContracts.this.fixture();
    }
  }

  @Nested
  class AuditQuery extends AuditQueryContract {
    @Override
    protected StorageFixture fixture() {
      return StorageContracts.this.fixture();
    }
  }

  @Nested
  class Event extends EventContract {
    @Override
    protected StorageFixture fixture() {
      return StorageContracts.this.fixture();
    }
  }

  @Nested
  class ExactAdmission extends ExactAdmissionContract {
    @Override
    protected StorageFixture fixture() {
      return StorageContracts.this.fixture();
    }
  }

  @Nested
  class History extends HistoryContract {
    @Override
    protected StorageFixture fixture() {
      return StorageContracts.this.fixture();
    }
  }

  @Nested
  class Notifications extends NotificationContract {
    @Override
    protected StorageFixture fixture() {
      return StorageContracts.this.fixture();
    }
  }

  @Nested
  class Idempotency extends IdempotencyContract {
    @Override
    protected StorageFixture fixture() {
      return StorageContracts.this.fixture();
    }
  }

  @Nested
  class InvalidInput extends InvalidInputContract {
    @Override
    protected StorageFixture fixture() {
      return StorageContracts.this.wholeStoreFixture();
    }
  }

  @Nested
  class LimitChange extends LimitChangeContract {
    @Override
    protected StorageFixture fixture() {
      return StorageContracts.this.fixture();
    }
  }

  @Nested
  class Overflow extends OverflowContract {
    @Override
    protected StorageFixture fixture() {
      return StorageContracts.this.fixture();
    }
  }

  @Nested
  class Period extends PeriodContract {
    @Override
    protected StorageFixture fixture() {
      return StorageContracts.this.fixture();
    }
  }

  @Nested
  class Reservation extends ReservationContract {
    @Override
    protected StorageFixture fixture() {
      return StorageContracts.this.fixture();
    }
  }

  @Nested
  class TwoJvm extends TwoJvmContract {
    @Override
    protected StorageFixture fixture() {
      return StorageContracts.this.fixture();
    }
  }
}
