package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.UsageTrackingService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Closing the context writes every buffered event before the host's pool closes: the engine depends on
 * the storage, which depends on the DataSource, so Spring destroys them in that order.
 */
class ShutdownFlushTest {

  private static final int EVENTS = 3_000;

  @Test
  void closingTheContextWritesEveryBufferedEventBeforeTheDataSourceCloses() throws Exception {
    String url = "jdbc:h2:mem:flush-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    HikariDataSource[] pool = new HikariDataSource[1];
    new ApplicationContextRunner().withConfiguration(UsageAutoConfigurationTest.USAGE)
        .withBean("dataSource", HikariDataSource.class, () -> {
          HikariDataSource ds = new HikariDataSource();
          ds.setJdbcUrl(url);
          ds.setMaximumPoolSize(2);
          pool[0] = ds;
          return ds;
        })
        // a long linger and small batches keep events in the buffer when the context closes
        .withPropertyValues("usage.tracking.mode=async", "usage.tracking.batch-size=50",
            "usage.tracking.buffer-size=" + EVENTS)
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          UsageTrackingService tracking = ctx.getBean(UsageTrackingService.class);
          for (int i = 0; i < EVENTS; i++) {
            tracking.trackUsage(tracking.event("user-" + (i % 7)).feature("flush").characters(10).build());
          }
          assertThat(tracking.trackingStats().accepted()).isEqualTo(EVENTS);
        });
    assertThat(pool[0].isClosed()).as("the host's pool is closed with the context").isTrue();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM usage_tracking WHERE feature_used = 'flush'")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(EVENTS);
    }
  }
}
