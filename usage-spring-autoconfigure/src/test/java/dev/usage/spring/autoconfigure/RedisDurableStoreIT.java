package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.usage.Quota;
import dev.usage.QuotaManagementService;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import dev.usage.UsageTrackingService;
import dev.usage.redis.LiveQuotaChange;
import dev.usage.redis.LiveUsageEvent;
import dev.usage.redis.RedisLiveFeed;
import dev.usage.redis.RedisUsageStorage;
import dev.usage.spi.StorageCapability;
import dev.usage.spi.UsageStorage;
import dev.usage.testkit.SettableClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code usage.redis.durable-store=jdbc}: Redis for the hot path, the host's DataSource (H2 in memory) for the
 * event log, closed periods and audit trail, on the shared Redis at 127.0.0.1:6379 (skipped when it is not
 * reachable, failed under {@code USAGE_IT_REQUIRED=true}). Keys go under a prefix of this test's own, deleted
 * afterwards; the server is never flushed.
 */
class RedisDurableStoreIT {

  private final String prefix = "it-spring-durable-" + UUID.randomUUID();
  private final JdbcDataSource dataSource = new JdbcDataSource();
  private final SettableClock clock = SettableClock.at("2031-03-10T12:00:00Z");

  @BeforeEach
  void requireRedis() {
    LocalRedis.require();
    // one database for every context of a test, as a restarted application finds it
    dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
  }

  @AfterEach
  void deleteKeys() {
    LocalRedis.deleteKeys(prefix);
  }

  private ApplicationContextRunner runner() {
    return LocalRedis.withClientBean(new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(UsageRedisStoreAutoConfiguration.class,
            UsageJdbcStoreAutoConfiguration.class, UsageMemoryStoreAutoConfiguration.class,
            UsageAutoConfiguration.class, UsageJobsAutoConfiguration.class)))
        .withBean("dataSource", DataSource.class, () -> dataSource)
        .withBean(Clock.class, () -> clock)
        .withPropertyValues("usage.redis.key-prefix=" + prefix, "usage.redis.durable-store=jdbc",
            "usage.tracking.mode=sync", "usage.jobs.enabled=false");
  }

  private UsageEvent event(String user, long characters) {
    return UsageEvent.builder().eventId(UUID.randomUUID().toString()).userId(user).occurredAt(clock.instant())
        .characters(characters).requests(1).build();
  }

  private long rows(String sql, String user) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, user);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  private static QuotaStatus status(AssertableApplicationContext ctx, String user, QuotaType type) {
    return ctx.getBean(QuotaManagementService.class).getQuotaStatus(user).stream()
        .filter(s -> s.type().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void withDurableSettingsEventsClosedPeriodsAndAuditGoToTheDataSourceCountersStayOnRedis() {
    runner().withPropertyValues("usage.redis.durable-settings=true").run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx).getBean(UsageStorage.class).isInstanceOf(RedisUsageStorage.class);
      assertThat(ctx.getBean(UsageStorage.class).capabilities())
          .as("settings from SQL: Redis cannot vouch for a cached copy")
          .doesNotContain(StorageCapability.CHECKS_SETTINGS_VERSION);
      UsageTrackingService tracking = ctx.getBean(UsageTrackingService.class);
      QuotaManagementService quotas = ctx.getBean(QuotaManagementService.class);
      assertThat(tracking.consumeQuota(event("alice", 700)).allowed()).isTrue();
      quotas.updateQuota("alice", Quota.monthly(QuotaType.REQUESTS, 50), "admin", "support ticket");

      assertThat(rows("SELECT COUNT(*) FROM usage_tracking WHERE user_id = ?", "alice")).isEqualTo(1);
      assertThat(rows("SELECT COUNT(*) FROM usage_audit WHERE user_id = ? AND actor = 'admin'", "alice")).isEqualTo(1);
      assertThat(rows("SELECT COUNT(*) FROM usage_counters WHERE user_id = ?", "alice")).as("hot path on Redis").isZero();
      assertThat(status(ctx, "alice", QuotaType.REQUESTS).limit()).isEqualTo(50);

      clock.set(Instant.parse("2031-04-02T12:00:00Z")); // March is closed 24 h 5 min after its end
      assertThat(quotas.resetMonthlyQuotas().periodsClosed()).isPositive();
      assertThat(rows("SELECT used FROM usage_period_history WHERE user_id = ? AND quota_type = 'characters'", "alice"))
          .isEqualTo(700);
    });
  }

  @Test
  void countersRedisLostAreRebuiltFromTheJdbcEventLog() {
    runner().run(ctx -> assertThat(ctx.getBean(UsageTrackingService.class).consumeQuota(event("bob", 700)).allowed())
        .isTrue());
    deleteKeys(); // Redis loses every key of this application: a restart without persistence
    runner().run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx.getBean(UsageTrackingService.class).consumeQuota(event("bob", 100)).allowed()).isTrue();
      assertThat(status(ctx, "bob", QuotaType.CHARACTERS).used()).isEqualTo(800);
    });
  }

  @Test
  void theAggregationJobRollsUpTheSqlEventLog() {
    runner().withPropertyValues("usage.jobs.enabled=true").run(ctx -> {
      assertThat(ctx).hasNotFailed();
      ctx.getBean(UsageTrackingService.class).consumeQuota(event("dan", 30));
      ctx.getBean("usageAggregationJob", UsageJob.class).runOnce();
      assertThat(rows("SELECT SUM(characters) FROM usage_aggregations WHERE user_id = ? AND UPPER(granularity) = 'DAY'", "dan"))
          .isEqualTo(30);
    });
  }

  @Test
  void theLiveFeedCarriesTheEventsOfTheSqlLogAndQuotaChangesWhenAsked() {
    runner().withPropertyValues("usage.redis.publish-quota-changes=true").run(ctx -> {
      assertThat(ctx).hasNotFailed();
      RedisLiveFeed feed = ctx.getBean(RedisUsageStorage.class).liveFeed().orElseThrow();
      UsageEvent e = event("erin", 25);
      assertThat(ctx.getBean(UsageTrackingService.class).consumeQuota(e).allowed()).isTrue();
      assertThat(rows("SELECT COUNT(*) FROM usage_tracking WHERE user_id = ?", "erin")).isEqualTo(1);
      // both are published without waiting for Redis
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        assertThat(feed.recent(10)).extracting(LiveUsageEvent::eventId, LiveUsageEvent::userId)
            .containsExactly(tuple(e.eventId(), "erin"));
        assertThat(feed.recentQuotaChanges(10)).extracting(LiveQuotaChange::userId, LiveQuotaChange::type,
            LiveQuotaChange::used).containsExactlyInAnyOrder(tuple("erin", QuotaType.CHARACTERS, 25L),
                tuple("erin", QuotaType.REQUESTS, 1L));
      });
    });
  }

  @Test
  void theLiveFeedCanBeSwitchedOffAndQuotaChangesNeedIt() {
    runner().withPropertyValues("usage.redis.live-feed-length=0").run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx.getBean(RedisUsageStorage.class).liveFeed()).isEmpty();
    });
    runner().withPropertyValues("usage.redis.live-feed-length=0", "usage.redis.publish-quota-changes=true")
        .run(ctx -> assertThat(ctx).getFailure().rootCause().hasMessageContaining("usage.redis.publish-quota-changes"));
    runner().withPropertyValues("usage.redis.live-feed-length=-1")
        .run(ctx -> assertThat(ctx).getFailure().rootCause().hasMessageContaining("usage.redis.live-feed-length")
            .hasMessageContaining("-1"));
  }

  @Test
  void byDefaultSettingsStayOnRedisAndEventsGoToTheDataSource() {
    runner().run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx.getBean(UsageStorage.class).capabilities()).contains(StorageCapability.CHECKS_SETTINGS_VERSION);
      ctx.getBean(QuotaManagementService.class).updateQuota("carol", Quota.monthly(QuotaType.REQUESTS, 50), "admin", "x");
      ctx.getBean(UsageTrackingService.class).consumeQuota(event("carol", 10));
      assertThat(rows("SELECT COUNT(*) FROM usage_audit WHERE user_id = ?", "carol")).isZero();
      assertThat(rows("SELECT COUNT(*) FROM usage_tracking WHERE user_id = ?", "carol")).isEqualTo(1);
      assertThat(status(ctx, "carol", QuotaType.REQUESTS).limit()).isEqualTo(50);
    });
  }
}
