package dev.usage.spring.autoconfigure;

import dev.usage.UsageEngine;
import dev.usage.UsageStorageException;
import dev.usage.jdbc.JdbcUsageStorage;
import dev.usage.spi.UsageStorage;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The SQL store over the host's {@link DataSource}: chosen by {@code usage.store=jdbc}, or by {@code auto}
 * when the host has one DataSource (and no Redis client gave a store first). Because the storage bean is
 * made from the DataSource bean, Spring destroys the engine (which writes its buffered events) before it
 * closes the DataSource.
 */
@AutoConfiguration(before = UsageAutoConfiguration.class, after = UsageRedisStoreAutoConfiguration.class,
    afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass({JdbcUsageStorage.class, DataSource.class})
@ConditionalOnBooleanProperty(name = "usage.enabled", matchIfMissing = true)
@ConditionalOnUsageStore(UsageProperties.Store.JDBC)
@EnableConfigurationProperties(UsageProperties.class)
@Import(UsageUserIdsCheck.class)
public class UsageJdbcStoreAutoConfiguration {

  /** The engine closes its storage; Spring must not close it a second time. None when the host has its own engine. */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean({UsageStorage.class, UsageEngine.class})
  @ConditionalOnSingleCandidate(DataSource.class)
  public JdbcUsageStorage usageStorage(DataSource dataSource, UsageProperties properties) {
    return build(dataSource, properties.getJdbc());
  }

  /**
   * A SQL storage over {@code dataSource} as {@code usage.jdbc.*} sets it up: also the durable part of a Redis
   * store ({@code usage.redis.durable-store=jdbc}). Typed as the SPI so that callers compile without usage-jdbc.
   */
  static UsageStorage durableStorage(DataSource dataSource, UsageProperties.Jdbc jdbc) {
    return build(dataSource, jdbc);
  }

  private static JdbcUsageStorage build(DataSource dataSource, UsageProperties.Jdbc jdbc) {
    boolean initialize = switch (jdbc.getInitializeSchema()) {
      case ALWAYS -> true;
      case NEVER -> false;
      case EMBEDDED -> isInMemoryH2(dataSource);
    };
    JdbcUsageStorage.Builder b = JdbcUsageStorage.builder(dataSource);
    UsagePropertiesMapper.named("usage.jdbc.query-timeout", jdbc.getQueryTimeout(),
        () -> b.queryTimeout(jdbc.getQueryTimeout()));
    UsagePropertiesMapper.named("usage.jdbc.analytics-timeout", jdbc.getAnalyticsTimeout(),
        () -> b.analyticsTimeout(jdbc.getAnalyticsTimeout()));
    return b.ipTruncation(jdbc.isIpTruncation()).initializeSchema(initialize).build();
  }

  private static boolean isInMemoryH2(DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      return c.getMetaData().getURL().toLowerCase(Locale.ROOT).startsWith("jdbc:h2:mem:");
    } catch (SQLException e) {
      throw new UsageStorageException("could not read the database URL", e);
    }
  }
}
