package dev.usage.jdbc;

import dev.usage.testkit.StorageFixture;
import dev.usage.testkit.EventContract;
import dev.usage.testkit.ExactAdmissionContract;
import dev.usage.testkit.HistoryContract;
import dev.usage.testkit.IdempotencyContract;
import dev.usage.testkit.InvalidInputContract;
import dev.usage.testkit.LimitChangeContract;
import dev.usage.testkit.OverflowContract;
import dev.usage.testkit.PeriodContract;
import dev.usage.testkit.ReservationContract;
import dev.usage.testkit.TwoJvmContract;
import org.junit.jupiter.api.Nested;

/**
 * Every contract of the kit, run against one database; a subclass per database names its fixture. Each
 * nested contract class opens its own storage (pool) on the same database.
 */
abstract class JdbcContracts {

  /** A new fixture for the database under test. */
  abstract StorageFixture fixture();

  @Nested
  class Event extends EventContract {
    @Override
    protected StorageFixture fixture() {
      return JdbcContracts.this.fixture();
    }
  }

  @Nested
  class ExactAdmission extends ExactAdmissionContract {
    @Override
    protected StorageFixture fixture() {
      return JdbcContracts.this.fixture();
    }
  }

  @Nested
  class History extends HistoryContract {
    @Override
    protected StorageFixture fixture() {
      return JdbcContracts.this.fixture();
    }
  }

  @Nested
  class Idempotency extends IdempotencyContract {
    @Override
    protected StorageFixture fixture() {
      return JdbcContracts.this.fixture();
    }
  }

  @Nested
  class InvalidInput extends InvalidInputContract {
    @Override
    protected StorageFixture fixture() {
      return JdbcContracts.this.fixture();
    }
  }

  @Nested
  class LimitChange extends LimitChangeContract {
    @Override
    protected StorageFixture fixture() {
      return JdbcContracts.this.fixture();
    }
  }

  @Nested
  class Overflow extends OverflowContract {
    @Override
    protected StorageFixture fixture() {
      return JdbcContracts.this.fixture();
    }
  }

  @Nested
  class Period extends PeriodContract {
    @Override
    protected StorageFixture fixture() {
      return JdbcContracts.this.fixture();
    }
  }

  @Nested
  class Reservation extends ReservationContract {
    @Override
    protected StorageFixture fixture() {
      return JdbcContracts.this.fixture();
    }
  }

  @Nested
  class TwoJvm extends TwoJvmContract {
    @Override
    protected StorageFixture fixture() {
      return JdbcContracts.this.fixture();
    }
  }
}
