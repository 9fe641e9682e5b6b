package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaChange;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UsageListener;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A commit whose answer the connection lost after the database made it: the store runs the keyed work again, finds
 * its own marker or settlement, and answers as the work did, so that the caller and the listeners hear of it once.
 */
class H2LostCommitTest {

  private final HikariDataSource pool = TestDatabases.h2();
  /** Commits to break (after they are made) while above 0, counted down. */
  private final AtomicInteger losing = new AtomicInteger();
  /** Connections to hand out (counted down) before refusing every other; -1: off. */
  private final AtomicInteger grantingThenRefusing = new AtomicInteger(-1);
  private final AtomicInteger refused = new AtomicInteger();
  private final List<QuotaChange> heard = new CopyOnWriteArrayList<>();
  private final UsageEngine engine = UsageEngine.builder()
      .storage(JdbcUsageStorage.builder(losingCommits(pool)).dialect(JdbcDialect.H2).build())
      .trackingMode(TrackingMode.SYNC).closeOnShutdown(false)
      .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 1_000))
      .listener(new UsageListener() {
        @Override
        public void onQuotaChange(QuotaChange change) {
          heard.add(change);
        }
      }).build();

  @AfterEach
  void close() {
    engine.close();
    pool.close();
  }

  @Test
  void aKeyedConsumeAndACommitWhoseCommitAnswerWasLostAreCountedAndToldOnce() {
    losing.set(1);
    QuotaDecision consumed = engine.tracking().consumeQuota(
        Consumption.builder("lu").characters(30).idempotencyKey("k1").build());
    assertThat(consumed.allowed()).isTrue();
    assertThat(consumed.replayed()).as("its own consume, not a replay").isFalse();
    Reservation held = engine.tracking().reserveQuota(Consumption.of("lu", QuotaType.CHARACTERS, 50))
        .reservation().orElseThrow();
    losing.set(1);
    assertThat(engine.tracking().commitReservation(held, Map.of(QuotaType.CHARACTERS, 20L)).replayed()).isFalse();
    assertThat(losing).as("both commits were lost once").hasValueLessThanOrEqualTo(0);
    // a consume replayed by its first run, whose commit (of nothing) is lost: still a replay, told to no one
    losing.set(1);
    assertThat(engine.tracking().consumeQuota(Consumption.builder("lu").characters(30).idempotencyKey("k1").build())
        .replayed()).isTrue();
    assertThat(losing).hasValueLessThanOrEqualTo(0);
    engine.tracking().consumeQuota(Consumption.of("last", QuotaType.CHARACTERS, 1));

    await().atMost(Duration.ofSeconds(10)).until(() -> heard.stream().anyMatch(c -> c.userId().equals("last")));
    assertThat(heard.stream().filter(c -> c.userId().equals("lu")).toList())
        .extracting(QuotaChange::kind, QuotaChange::counted).containsExactly(
            org.assertj.core.groups.Tuple.tuple(QuotaChange.Kind.CONSUMED, Map.of(QuotaType.CHARACTERS, 30L)),
            org.assertj.core.groups.Tuple.tuple(QuotaChange.Kind.RESERVED, Map.of()),
            org.assertj.core.groups.Tuple.tuple(QuotaChange.Kind.COMMITTED, Map.of(QuotaType.CHARACTERS, 20L)));
    assertThat(engine.quotas().getQuotaStatus("lu")).filteredOn(s -> s.type().equals(QuotaType.CHARACTERS))
        .singleElement().satisfies(s -> assertThat(s.used()).isEqualTo(50));
  }

  @Test
  void aConsumeMadeInOneStatementIsAnsweredWhenReadingTheHoldsAfterItFails() {
    Reservation held = engine.tracking().reserveQuota(Consumption.of("lh", QuotaType.CHARACTERS, 50))
        .reservation().orElseThrow();
    // the consume's statement gets its connection; the database is gone for the read of the holds after it
    grantingThenRefusing.set(1);
    QuotaDecision consumed = engine.tracking().consumeQuota(Consumption.of("lh", QuotaType.CHARACTERS, 30));
    grantingThenRefusing.set(-1);
    assertThat(refused).as("the read after the consume was refused").hasPositiveValue();

    assertThat(consumed.allowed()).isTrue();
    assertThat(consumed.degraded()).isFalse();
    assertThat(consumed.status(QuotaType.CHARACTERS).orElseThrow()).satisfies(s -> {
      assertThat(s.used()).isEqualTo(30);
      assertThat(s.reserved()).isEqualTo(50);
    });
    assertThat(engine.quotas().getQuotaStatus("lh")).filteredOn(s -> s.type().equals(QuotaType.CHARACTERS))
        .singleElement().satisfies(s -> assertThat(s.used()).isEqualTo(30));
    engine.tracking().releaseReservation(held);
  }

  /** {@code pool}, with connections whose commit, while {@link #losing} is above 0, is made and then reported lost. */
  private DataSource losingCommits(DataSource pool) {
    return new DataSource() {
      @Override
      public Connection getConnection() throws SQLException {
        if (grantingThenRefusing.get() == 0) {
          refused.incrementAndGet();
          throw new SQLTransientConnectionException("the database went away", "08001");
        }
        if (grantingThenRefusing.get() > 0) {
          grantingThenRefusing.decrementAndGet();
        }
        return lossy(pool.getConnection());
      }

      @Override
      public Connection getConnection(String user, String password) throws SQLException {
        return lossy(pool.getConnection(user, password));
      }

      private Connection lossy(Connection c) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              try {
                Object result = method.invoke(c, args);
                if (method.getName().equals("commit") && losing.getAndDecrement() > 0) {
                  throw new SQLTransientConnectionException("connection reset after the commit was sent", "08006");
                }
                return result;
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
      }

      @Override
      public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
      }

      @Override
      public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
      }

      @Override
      public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
      }

      @Override
      public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
      }

      @Override
      public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
      }

      @Override
      public <T> T unwrap(Class<T> iface) throws SQLException {
        return pool.unwrap(iface);
      }

      @Override
      public boolean isWrapperFor(Class<?> iface) {
        return false;
      }
    };
  }
}
