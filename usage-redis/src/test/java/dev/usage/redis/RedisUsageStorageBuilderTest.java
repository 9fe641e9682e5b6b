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
        .hasMessageContaining("client.options.disconnectedBehavior").hasMessageContaining("REJECT_COMMANDS");
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
      assertThatThrownBy(() -> RedisUsageStorage.builder(cluster)).isInstanceOf(InvalidUsageException.class);
    } finally {
      cluster.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
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
    assertThatThrownBy(() -> RedisUsageStorage.builder(client).liveFeedLength(-1).build())
        .isInstanceOf(InvalidUsageException.class).hasMessageContaining("liveFeedLength");
    assertThatThrownBy(() -> RedisUsageStorage.builder(client).liveFeedLength(0).publishQuotaChanges(true).build())
        .isInstanceOf(InvalidUsageException.class).hasMessageContaining("publishQuotaChanges");
  }
}
