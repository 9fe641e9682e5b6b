package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.AnalyticsService;
import dev.usage.Consumption;
import dev.usage.QuotaManagementService;
import dev.usage.UsageEngine;
import dev.usage.UsageTrackingService;
import dev.usage.jdbc.JdbcUsageStorage;
import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.UsageStorage;
import io.lettuce.core.RedisClient;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Which store and beans the auto-configuration gives for the host's class path and beans. */
@ExtendWith(OutputCaptureExtension.class)
class UsageAutoConfigurationTest {

  static final AutoConfigurations USAGE = AutoConfigurations.of(UsageRedisStoreAutoConfiguration.class,
      UsageJdbcStoreAutoConfiguration.class, UsageMemoryStoreAutoConfiguration.class, UsageAutoConfiguration.class);

  private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(USAGE);

  @Test
  void inMemoryStoreAndTheEngineServicesByDefault() {
    runner.run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx).getBean(UsageStorage.class).isInstanceOf(InMemoryUsageStorage.class);
      UsageEngine engine = ctx.getBean(UsageEngine.class);
      assertThat(ctx.getBean(UsageTrackingService.class)).isSameAs(engine.tracking());
      assertThat(ctx.getBean(QuotaManagementService.class)).isSameAs(engine.quotas());
      assertThat(ctx.getBean(AnalyticsService.class)).isSameAs(engine.analytics());
      assertThat(engine.tracking().consumeQuota(Consumption.of("alice", dev.usage.QuotaType.REQUESTS, 1)).allowed())
          .isTrue();
    });
  }

  @Test
  void jdbcStoreOverTheHostsDataSourceWithTheSchemaCreatedForInMemoryH2() {
    runner.withUserConfiguration(H2.class).run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx).getBean(UsageStorage.class).isInstanceOf(JdbcUsageStorage.class);
      UsageTrackingService tracking = ctx.getBean(UsageTrackingService.class);
      assertThat(tracking.consumeQuota(Consumption.builder("alice").characters(1_200).build()).allowed()).isTrue();
      assertThat(ctx.getBean(QuotaManagementService.class).getQuotaStatus("alice"))
          .anySatisfy(s -> assertThat(s.used()).isEqualTo(1_200));
    });
  }

  @Test
  void anAutomaticInMemoryStoreIsWarnedAboutWhenTheHostConfiguredRedis(CapturedOutput output) {
    // usage.redis.* set, but no Lettuce client bean: the properties alone give no Redis store
    runner.withPropertyValues("usage.redis.key-prefix=shop").run(ctx -> {
      assertThat(ctx).getBean(UsageStorage.class).isInstanceOf(InMemoryUsageStorage.class);
      assertThat(output).contains("usage.store=auto chose the in-memory store").contains("usage.redis.* is set");
    });
  }

  @Test
  void anInMemoryStoreChosenOnPurposeIsNotWarnedAbout(CapturedOutput output) {
    runner.withPropertyValues("usage.store=memory", "usage.redis.key-prefix=shop").run(ctx -> {
      assertThat(ctx).getBean(UsageStorage.class).isInstanceOf(InMemoryUsageStorage.class);
      assertThat(output).doesNotContain("chose the in-memory store");
    });
    runner.run(ctx -> assertThat(output).doesNotContain("chose the in-memory store"));
  }

  @Test
  void memoryWhenChosenExplicitlyDespiteADataSource() {
    runner.withUserConfiguration(H2.class).withPropertyValues("usage.store=memory")
        .run(ctx -> assertThat(ctx).getBean(UsageStorage.class).isInstanceOf(InMemoryUsageStorage.class));
  }

  @Test
  void memoryWhenUsageJdbcIsNotOnTheClassPath() {
    runner.withUserConfiguration(H2.class).withClassLoader(new FilteredClassLoader(JdbcUsageStorage.class))
        .run(ctx -> assertThat(ctx).getBean(UsageStorage.class).isInstanceOf(InMemoryUsageStorage.class));
  }

  @Test
  void jdbcWhenLettuceIsNotOnTheClassPath() {
    runner.withUserConfiguration(H2.class).withClassLoader(new FilteredClassLoader(RedisClient.class))
        .run(ctx -> assertThat(ctx).getBean(UsageStorage.class).isInstanceOf(JdbcUsageStorage.class));
  }

  @Test
  void explicitJdbcStoreWithoutADataSourceFailsNamingTheProperty() {
    runner.withPropertyValues("usage.store=jdbc").run(ctx -> assertThat(ctx).getFailure()
        .rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("usage.store").hasMessageContaining("DataSource"));
  }

  @Test
  void explicitRedisStoreWithLettuceHiddenFailsNamingTheProperty() {
    runner.withPropertyValues("usage.store=redis").withClassLoader(new FilteredClassLoader(RedisClient.class))
        .run(ctx -> assertThat(ctx).getFailure().rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class).hasMessageContaining("usage.store"));
  }

  /** A client that is never connected: the durable store is refused before the Redis store connects. */
  private ApplicationContextRunner redisDurableJdbc() {
    return runner.withBean("redisClient", RedisClient.class, () -> RedisClient.create("redis://127.0.0.1:1"),
            bd -> bd.setDestroyMethodName("shutdown"))
        .withPropertyValues("usage.redis.durable-store=jdbc");
  }

  @Test
  void redisDurableJdbcStoreWithoutADataSourceFailsNamingTheProperty() {
    redisDurableJdbc().run(ctx -> assertThat(ctx).getFailure().rootCause()
        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("usage.redis.durable-store").hasMessageContaining("DataSource"));
  }

  @Test
  void durableSettingsWithoutADurableStoreFailNamingTheProperty() {
    // settings "in the durable store" with none configured would silently stay on Redis
    runner.withBean("redisClient", RedisClient.class, () -> RedisClient.create("redis://127.0.0.1:1"),
            bd -> bd.setDestroyMethodName("shutdown"))
        .withPropertyValues("usage.redis.durable-settings=true").run(ctx -> assertThat(ctx).getFailure().rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("usage.redis.durable-settings").hasMessageContaining("durable-store=jdbc"));
  }

  @Test
  void redisDurableJdbcStoreWithUsageJdbcHiddenFailsNamingTheProperty() {
    redisDurableJdbc().withUserConfiguration(H2.class).withClassLoader(new FilteredClassLoader(JdbcUsageStorage.class))
        .run(ctx -> assertThat(ctx).getFailure().rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("usage.redis.durable-store").hasMessageContaining("usage-jdbc"));
  }

  @Test
  void redisDurableStoreIsNotMadeForTheHostsOwnStorage() {
    redisDurableJdbc().withUserConfiguration(OwnStorage.class).run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx.getBean(UsageStorage.class)).isSameAs(ctx.getBean(OwnStorage.class).storage);
    });
  }

  @Test
  void backsOffForTheHostsStorage() {
    runner.withUserConfiguration(H2.class, OwnStorage.class).run(ctx -> {
      assertThat(ctx).getBeans(UsageStorage.class).hasSize(1);
      assertThat(ctx.getBean(UsageStorage.class)).isSameAs(ctx.getBean(OwnStorage.class).storage);
    });
  }

  @Test
  void backsOffForTheHostsEngineAndServices() {
    runner.withUserConfiguration(OwnEngine.class, H2.class).run(ctx -> {
      assertThat(ctx).getBeans(UsageEngine.class).hasSize(1).containsKey("ownEngine");
      assertThat(ctx).doesNotHaveBean(UsageStorage.class);
      assertThat(ctx).getBeans(UsageTrackingService.class).hasSize(1).containsKey("ownTracking");
      assertThat(ctx.getBean(QuotaManagementService.class)).isSameAs(ctx.getBean(UsageEngine.class).quotas());
    });
  }

  @Test
  void nothingWhenDisabled() {
    runner.withPropertyValues("usage.enabled=false").run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx).doesNotHaveBean(UsageEngine.class);
      assertThat(ctx).doesNotHaveBean(UsageStorage.class);
    });
  }

  @Test
  void customizersRunAfterTheProperties() {
    runner.withPropertyValues("usage.quotas.defaults.monthly.requests=5")
        .withBean(UsageEngineBuilderCustomizer.class, () -> b -> b.defaultQuota(dev.usage.Quota.monthly(
            dev.usage.QuotaType.REQUESTS, 7)))
        .run(ctx -> assertThat(ctx.getBean(QuotaManagementService.class).getQuotaStatus("u"))
            .anySatisfy(s -> assertThat(s.limit()).isEqualTo(7)));
  }

  @Configuration(proxyBeanMethods = false)
  static class H2 {
    @Bean
    DataSource dataSource() {
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
      return ds;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnStorage {
    final InMemoryUsageStorage storage = InMemoryUsageStorage.create();

    @Bean
    UsageStorage ownStorage() {
      return storage;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnEngine {
    @Bean(destroyMethod = "close")
    UsageEngine ownEngine() {
      return UsageEngine.builder().closeOnShutdown(false).build();
    }

    @Bean
    UsageTrackingService ownTracking(UsageEngine e) {
      return e.tracking();
    }
  }
}
