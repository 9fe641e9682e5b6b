package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link RedisClusterProcess}: three masters that Lettuce's cluster client uses, shared per JVM and healed. */
class RedisClusterProcessIT {

  private static ClientResources resources;

  @BeforeAll
  static void resources() {
    resources = DefaultClientResources.create();
  }

  @AfterAll
  static void shutdownResources() {
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @Test
  void formsHealthyClusterOfThreeMasters() {
    RedisClusterProcess cluster = RedisClusterProcess.shared();
    assertThat(cluster.ports()).hasSize(3).doesNotHaveDuplicates();
    assertThat(cluster.uris()).extracting(uri -> uri.getPort()).isEqualTo(cluster.ports());
    for (int i = 0; i < RedisClusterProcess.SIZE; i++) {
      RedisProcess node = cluster.node(i);
      assertThat(node.command("CLUSTER", "INFO"))
          .contains("cluster_state:ok", "cluster_slots_assigned:16384", "cluster_known_nodes:3", "cluster_size:3");
      assertThat(node.dir().resolve("nodes.conf")).isNotEmptyFile();
      assertThat(node.command("CONFIG", "GET", "cluster-node-timeout")).isEqualTo("cluster-node-timeout\n2000");
    }
    assertThat(cluster.node(0).command("CLUSTER", "NODES").lines())
        .hasSize(3)
        .allSatisfy(line -> assertThat(line).contains("master").doesNotContain("fail"));
  }

  @Test
  void sharedIsOneClusterPerJvm() {
    assertThat(RedisClusterProcess.shared()).isSameAs(RedisClusterProcess.shared());
  }

  @Test
  void lettuceClusterClientSpreadsThousandKeysOverAllMasters() {
    RedisClusterProcess cluster = RedisClusterProcess.shared();
    cluster.flushAll();
    RedisClusterClient client = RedisClusterClient.create(resources, cluster.uris());
    try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
      RedisAdvancedClusterCommands<String, String> commands = connection.sync();
      for (int i = 0; i < 1000; i++) {
        commands.set("{user-" + i + "}:count", Integer.toString(i));
      }
      for (int i = 0; i < 1000; i++) {
        assertThat(commands.get("{user-" + i + "}:count")).isEqualTo(Integer.toString(i));
      }
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    List<Long> perNode = IntStream.range(0, RedisClusterProcess.SIZE)
        .mapToObj(i -> Long.parseLong(cluster.node(i).command("DBSIZE"))).toList();
    assertThat(perNode.stream().mapToLong(Long::longValue).sum()).isEqualTo(1000);
    assertThat(perNode).allSatisfy(n -> assertThat(n).isGreaterThan(200));
  }

  @Test
  void killedMasterTakesWholeClusterDownUntilSharedHealsIt() {
    RedisClusterProcess cluster = RedisClusterProcess.shared();
    List<Integer> ports = cluster.ports();
    String keyOnFirst = keyServedBy(cluster.node(0));
    cluster.node(0).command("SET", keyOnFirst, "kept");
    cluster.node(2).command("SET", keyServedBy(cluster.node(2)), "lost");

    long killed = System.nanoTime();
    cluster.node(2).kill9();
    assertThat(cluster.node(0).command("GET", keyOnFirst)).as("before the failure is agreed").isEqualTo("kept");
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
        .until(() -> cluster.node(0).command("CLUSTER", "INFO").contains("cluster_state:fail"));
    long down = System.nanoTime();
    assertThatThrownBy(() -> cluster.node(0).command("GET", keyOnFirst))
        .isInstanceOf(RespClient.ErrorReply.class)
        .hasMessageStartingWith("CLUSTERDOWN");
    assertThatThrownBy(() -> cluster.node(2).command("PING")).isInstanceOf(UncheckedIOException.class);

    assertThat(RedisClusterProcess.shared()).isSameAs(cluster);
    long healed = System.nanoTime();
    System.out.printf("cluster_state:fail %d ms after the kill; ok again %d ms after the restart began%n",
        TimeUnit.NANOSECONDS.toMillis(down - killed), TimeUnit.NANOSECONDS.toMillis(healed - down));
    assertThat(cluster.ports()).isEqualTo(ports);
    assertThat(cluster.node(0).command("GET", keyOnFirst)).isEqualTo("kept");
    assertThat(cluster.node(2).command("DBSIZE")).as("restarted node comes back empty").isEqualTo("0");
  }

  @Test
  void closeStopsEveryNodeOfOwnCluster() {
    RedisClusterProcess own = RedisClusterProcess.start();
    assertThat(own.ports()).doesNotContainAnyElementsOf(RedisClusterProcess.shared().ports());
    List<Long> pids = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    for (int i = 0; i < RedisClusterProcess.SIZE; i++) {
      pids.add(own.node(i).pid());
      dirs.add(own.node(i).dir());
    }
    own.close();
    assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
    assertThat(dirs).allSatisfy(dir -> assertThat(dir).doesNotExist());
  }

  /** A key whose slot {@code node} serves, found by asking the node until it stops answering MOVED. */
  private static String keyServedBy(RedisProcess node) {
    for (int i = 0; i < 1000; i++) {
      String key = "probe-" + i;
      try {
        node.command("EXISTS", key);
        return key;
      } catch (RespClient.ErrorReply moved) {
        assertThat(moved).hasMessageStartingWith("MOVED");
      }
    }
    throw new AssertionError("no key served by " + node);
  }
}
