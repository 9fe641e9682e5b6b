package dev.usage.redis;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.Comparator;
import java.util.List;

/**
 * The one connection this storage opens from the host's client (standalone or Cluster), with the command
 * views the stores use. Lettuce connections are thread-safe and pipeline concurrent commands, so one is
 * shared by every thread.
 */
final class RedisConnector implements AutoCloseable {

  private final StatefulConnection<String, String> connection;
  private final RedisClusterCommands<String, String> sync;
  private final RedisClusterAsyncCommands<String, String> async;
  private final StatefulRedisClusterConnection<String, String> cluster;

  private RedisConnector(StatefulConnection<String, String> connection, RedisClusterCommands<String, String> sync,
      RedisClusterAsyncCommands<String, String> async, StatefulRedisClusterConnection<String, String> cluster) {
    this.connection = connection;
    this.sync = sync;
    this.async = async;
    this.cluster = cluster;
  }

  static RedisConnector standalone(StatefulRedisConnection<String, String> connection) {
    return new RedisConnector(connection, connection.sync(), connection.async(), null);
  }

  static RedisConnector cluster(StatefulRedisClusterConnection<String, String> connection) {
    return new RedisConnector(connection, connection.sync(), connection.async(), connection);
  }

  /** Blocking commands, each bounded by the connection's timeout. */
  RedisClusterCommands<String, String> sync() {
    return sync;
  }

  /** Pipelined commands, for bulk work (sentinels). */
  RedisClusterAsyncCommands<String, String> async() {
    return async;
  }

  boolean isCluster() {
    return cluster != null;
  }

  /**
   * The servers holding data, in a stable order: the standalone server, or each Cluster master (by node
   * id), each through a connection of its own (for node-wide commands such as {@code SCAN} and {@code INFO}).
   */
  List<RedisClusterCommands<String, String>> nodes() {
    if (cluster == null) {
      return List.of(sync);
    }
    return cluster.getPartitions().stream()
        .filter(n -> n.is(RedisClusterNode.NodeFlag.UPSTREAM))
        .sorted(Comparator.comparing(RedisClusterNode::getNodeId))
        .map(n -> (RedisClusterCommands<String, String>) cluster.getConnection(n.getNodeId()).sync())
        .toList();
  }

  java.time.Duration timeout() {
    return connection.getTimeout();
  }

  @Override
  public void close() {
    connection.close();
  }
}
