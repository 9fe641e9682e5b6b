package dev.usage.testkit;

import org.junit.jupiter.api.Nested;

/**
 * Every contract of the kit as nested test classes: an adapter's test class extends this once per backend
 * and names its fixture. Each nested contract class opens its own storage from a new fixture.
 */
public abstract class StorageContracts {

  /** A new fixture for the backend under test. */
  protected abstract StorageFixture fixture();

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
      return StorageContracts.this.fixture();
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
