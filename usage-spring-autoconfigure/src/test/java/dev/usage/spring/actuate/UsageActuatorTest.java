package dev.usage.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.Consumption;
import dev.usage.UsageTrackingService;
import dev.usage.spring.autoconfigure.UsageActuatorAutoConfiguration;
import dev.usage.spring.autoconfigure.UsageAutoConfiguration;
import dev.usage.spring.autoconfigure.UsageJdbcStoreAutoConfiguration;
import dev.usage.spring.autoconfigure.UsageMemoryStoreAutoConfiguration;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The {@code usage} endpoint and the store's health indicator. */
class UsageActuatorTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(UsageJdbcStoreAutoConfiguration.class,
          UsageMemoryStoreAutoConfiguration.class, UsageAutoConfiguration.class, UsageActuatorAutoConfiguration.class))
      .withPropertyValues("management.endpoints.web.exposure.include=usage", "usage.tracking.mode=sync");

  @Test
  @SuppressWarnings("unchecked")
  void endpointSummarisesTheMonthAndOneUser() {
    runner.run(ctx -> {
      UsageTrackingService tracking = ctx.getBean(UsageTrackingService.class);
      tracking.consumeQuota(Consumption.builder("gina").characters(300).build());
      tracking.trackUsage(tracking.event("gina").feature("f").characters(300).build());
      UsageEndpoint endpoint = ctx.getBean(UsageEndpoint.class);
      Map<String, Object> month = (Map<String, Object>) endpoint.summary().get("month");
      assertThat(month.get("events")).isEqualTo(1L);
      assertThat((Map<String, Object>) month.get("totals")).containsEntry("characters", 300L);
      Map<String, Object> user = endpoint.user("gina");
      assertThat(user.get("tier")).isEqualTo("free");
      assertThat((List<Map<String, Object>>) user.get("quotas"))
          .anySatisfy(q -> assertThat(q).containsEntry("type", "characters").containsEntry("used", 300L));
    });
  }

  @Test
  @SuppressWarnings("unchecked")
  void anUnlimitedQuotaShowsNoLimitAndNoRemainingNumber() {
    runner.withPropertyValues("usage.quotas.defaults.monthly.requests=-1").run(ctx -> {
      ctx.getBean(UsageTrackingService.class).consumeQuota(Consumption.builder("hal").requests(3).build());
      assertThat((List<Map<String, Object>>) ctx.getBean(UsageEndpoint.class).user("hal").get("quotas"))
          .anySatisfy(q -> assertThat(q).containsEntry("type", "requests").containsEntry("used", 3L)
              .containsEntry("limit", null).containsEntry("remaining", null));
    });
  }

  @Test
  void endpointOnlyWhenExposed() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(UsageMemoryStoreAutoConfiguration.class,
            UsageAutoConfiguration.class, UsageActuatorAutoConfiguration.class))
        .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(UsageEndpoint.class));
  }

  @Test
  void healthIsDownOnceTheDatabaseIsGone() {
    String url = "jdbc:h2:mem:health-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    runner.withBean(DataSource.class, () -> {
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL(url);
      return ds;
    }).run(ctx -> {
      UsageStoreHealthIndicator health = ctx.getBean(UsageStoreHealthIndicator.class);
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      try (Connection c = ctx.getBean(DataSource.class).getConnection(); Statement s = c.createStatement()) {
        s.execute("DROP ALL OBJECTS");
      }
      Health down = health.health();
      assertThat(down.getStatus()).isEqualTo(Status.DOWN);
      assertThat(down.getDetails()).containsKey("error");
    });
  }
}
