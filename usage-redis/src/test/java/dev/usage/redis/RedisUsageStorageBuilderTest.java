package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.InvalidUsageException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the builder refuses before it connects (no server needed: the port is never dialled). */
class RedisUsageStorageBuilderTest {

  private final RedisClient client = RedisClient.create("redis://127.0.0.1:1");

  @AfterEach
  void shutdown() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
  }

  @Test
  void aClientThatBuffersCommandsWhileDisconnectedIsRefused() {
    // Lettuce's default: accept commands while reconnecting and send them later (a consume counted twice)
    assertThatThrownBy(() -> RedisUsageStorage.builder(client)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("client.options.disconnectedBehavior").hasMessageContaining("REJECT_COMMANDS")
        .hasMessageContaining("recommendedOptions()");
    // rejecting new commands is not enough: scripts in flight when the connection drops must not be re-sent
    client.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
    assertThatThrownBy(() -> RedisUsageStorage.builder(client)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("client.options.replayFilter");
    // nor is a filter that leaves out EVAL, which runs a script when its EVALSHA met NOSCRIPT (after a restart)
    client.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .replayFilter(c -> c.getType() == CommandType.EVALSHA).build());
    assertThatThrownBy(() -> RedisUsageStorage.builder(client)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("client.options.replayFilter");
    RedisClusterClient cluster = RedisClusterClient.create("redis://127.0.0.1:1");
    try {
      // the advice names the options a Cluster client can take (recommendedOptions() does not compile there)
      assertThatThrownBy(() -> RedisUsageStorage.builder(cluster)).isInstanceOf(InvalidUsageException.class)
          .hasMessageContaining("client.options.disconnectedBehavior")
          .hasMessageContaining("recommendedClusterOptions()");
    } finally {
      cluster.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  @Test
  void aClientThatNeverReconnectsIsRefused() {
    // it would stay disconnected after the first Redis restart, failing (or, fail-open, admitting) every call
    client.setOptions(ClientOptions.builder().autoReconnect(false)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).replayFilter(c -> true).build());
    assertThatThrownBy(() -> RedisUsageStorage.builder(client)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("client.options.autoReconnect");
  }

  @Test
  void missingOrMalformedArgumentsNameTheirField() {
    assertThatThrownBy(() -> RedisUsageStorage.builder((RedisClient) null)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("client");
    assertThatThrownBy(() -> RedisUsageStorage.builder((RedisClusterClient) null))
        .isInstanceOf(InvalidUsageException.class).hasMessageContaining("client");
    assertThatThrownBy(() -> RedisUsageStorage.fromUri("http://127.0.0.1:1")).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("uri");
    assertThatThrownBy(() -> RedisUsageStorage.fromUri(null)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("uri");
    client.setOptions(RedisUsageStorage.recommendedOptions());
    RedisUsageStorage.Builder b = RedisUsageStorage.builder(client);
    assertThatThrownBy(() -> b.events(null)).isInstanceOf(InvalidUsageException.class).hasMessageContaining("events");
    assertThatThrownBy(() -> b.userQuotas(null)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("userQuotas");
    assertThatThrownBy(() -> b.history(null)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("history");
    assertThatThrownBy(() -> b.notifications(null)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("notifications");
    assertThatThrownBy(() -> b.reseedFrom(null)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("reseedFrom");
  }

  @Test
  void theRecommendedOptionsRejectWhileDisconnectedAndRefreshTheClusterTopology() {
    assertThat(RedisUsageStorage.recommendedOptions().getDisconnectedBehavior())
        .isEqualTo(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    assertThat(RedisUsageStorage.recommendedOptions().getReplayFilter()
        .test(new io.lettuce.core.protocol.Command<>(io.lettuce.core.protocol.CommandType.EVALSHA, null))).isTrue();
    ClusterClientOptions cluster = RedisUsageStorage.recommendedClusterOptions();
    assertThat(cluster.getDisconnectedBehavior()).isEqualTo(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    assertThat(cluster.getTopologyRefreshOptions().isPeriodicRefreshEnabled()).isTrue();
    assertThat(cluster.getTopologyRefreshOptions().getAdaptiveRefreshTriggers()).isNotEmpty();
  }

  @Test
  void badOptionsNameTheirField() {
    client.setOptions(RedisUsageStorage.recommendedOptions());
    assertThatThrownBy(() -> RedisUsageStorage.builder(client).keyPrefix("a{b}").build())
        .isInstanceOf(InvalidUsageException.class).hasMessageContaining("keyPrefix");
    assertThatThrownBy(() -> RedisUsageStorage.builder(client).commandTimeout(Duration.ZERO).build())
        .isInstanceOf(InvalidUsageException.class).hasMessageContaining("commandTimeout");
    // below the millisecond Redis's TTLs count in: refused before anything connects
    assertThatThrownBy(() -> RedisUsageStorage.builder(client).eventRetention(Duration.ofNanos(500_000)).build())
        .isInstanceOf(InvalidUsageException.class).hasMessageContaining("eventRetention");
    assertThatThrownBy(() -> RedisUsageStorage.builder(client).commandTimeout(Duration.ofNanos(999_999)).build())
        .isInstanceOf(InvalidUsageException.class).hasMessageContaining("commandTimeout");
    assertThatThrownBy(() -> RedisUsageStorage.builder(client).liveFeedLength(-1).build())
        .isInstanceOf(InvalidUsageException.class).hasMessageContaining("liveFeedLength");
    assertThatThrownBy(() -> RedisUsageStorage.builder(client).liveFeedLength(0).publishQuotaChanges(true).build())
        .isInstanceOf(InvalidUsageException.class).hasMessageContaining("publishQuotaChanges");
  }
}
