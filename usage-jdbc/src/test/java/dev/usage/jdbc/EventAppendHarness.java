package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.UsageEvent;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;

/**
 * A quick harness, not a test: times {@link JdbcEventStore#append} on PostgreSQL with its {@code COPY} path
 * (staging table, then {@code INSERT ... SELECT ... ON CONFLICT DO NOTHING}) against its JDBI prepared
 * batch (taken when the connection does not unwrap to pgjdbc), for the batch sizes the engine uses. Run with the test class path:
 * {@code java -cp usage-jdbc/target/test-classes:usage-jdbc/target/classes:... dev.usage.jdbc.EventAppendHarness}.
 * Prints the median milliseconds per batch of new events, per strategy and batch size.
 */
public final class EventAppendHarness {

  private static final int ROUNDS = 40;
  private static final int WARM_UP = 10;

  private EventAppendHarness() {}

  public static void main(String[] args) throws Exception {
    try (HikariDataSource pool = TestDatabases.postgres(4, "_harness")) {
      JdbcUsageStorage copying = JdbcUsageStorage.builder(pool).build();
      JdbcUsageStorage batching = JdbcUsageStorage.builder(hidingPgjdbc(pool)).dialect(JdbcDialect.POSTGRESQL).build();
      int[] sizes = {100, 500, 1_000, 5_000};
      for (int size : sizes) {
        truncate(pool);
        double batch = time(size, "batch", events -> batching.events().append(events));
        truncate(pool);
        double copy = time(size, "copy", events -> copying.events().append(events));
        System.out.printf("batch size %5d: prepared batch %7.2f ms (%6.0f rows/s), COPY + INSERT SELECT %7.2f ms"
            + " (%6.0f rows/s)%n", size, batch, size * 1000 / batch, copy, size * 1000 / copy);
      }
    }
  }

  private interface Strategy {
    void append(List<UsageEvent> events) throws Exception;
  }

  private static double time(int size, String label, Strategy strategy) throws Exception {
    double[] millis = new double[ROUNDS];
    for (int round = 0; round < WARM_UP + ROUNDS; round++) {
      List<UsageEvent> events = events(label + "-" + round, size);
      long start = System.nanoTime();
      strategy.append(events);
      if (round >= WARM_UP) {
        millis[round - WARM_UP] = (System.nanoTime() - start) / 1e6;
      }
    }
    Arrays.sort(millis);
    return millis[ROUNDS / 2];
  }

  static List<UsageEvent> events(String prefix, int n) {
    List<UsageEvent> out = new ArrayList<>(n);
    Instant base = Instant.parse("2025-03-01T00:00:00Z");
    for (int i = 0; i < n; i++) {
      out.add(UsageEvent.builder().eventId(prefix + "-" + i).userId("user-" + (i % 200)).feature("correction")
          .endpoint("/v1/correct").occurredAt(base.plusMillis(i * 37L)).characters(1_200 + i).requests(1)
          .inputTokens(300).outputTokens(280).processingTime(Duration.ofMillis(120 + i % 50))
          .sessionId("session-" + (i % 50)).ipAddress("203.0.113." + (i % 250)).userAgent("Mozilla/5.0 (X11; Linux)")
          .metadata("lang", "en").metadata("model", "small").build());
    }
    return out;
  }

  private static void truncate(HikariDataSource pool) throws Exception {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE usage_tracking, usage_tracking_custom");
    }
  }

  /**
   * {@code dataSource} with connections that hide pgjdbc (as a wrapping driver or proxy would): the store
   * then takes the prepared batch.
   */
  static DataSource hidingPgjdbc(DataSource dataSource) {
    return (DataSource) Proxy.newProxyInstance(EventAppendHarness.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          Object result = invoke(dataSource, method, args);
          if (!(result instanceof Connection c)) {
            return result;
          }
          return Proxy.newProxyInstance(EventAppendHarness.class.getClassLoader(), new Class<?>[] {Connection.class},
              (p, m, a) -> m.getName().equals("isWrapperFor") ? Boolean.FALSE : invoke(c, m, a));
        });
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
