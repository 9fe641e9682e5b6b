package dev.usage.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for the servers the tests start. Ports come from 20000–29999, below Linux's ephemeral
 * range (32768–60999), so a server restarted on its port does not find it taken by some client's outgoing
 * socket; and {@code port + 10000}, a cluster node's default bus port, is free as well. A port is only free
 * when probed: the caller must still handle losing it to another process before it binds. Thread-safe.
 */
final class FreePorts {

  /** Lowest port handed out. */
  static final int FIRST = 20_000;

  /** Highest port handed out. */
  static final int LAST = 29_999;

  /** Offset of a Redis Cluster node's bus port from its client port. */
  static final int CLUSTER_BUS_OFFSET = 10_000;

  private FreePorts() {}

  /**
   * A random port in {@value #FIRST}–{@value #LAST} that, as well as {@code port + 10000}, can be bound on
   * {@code host} right now.
   *
   * @throws IllegalStateException when 100 random draws found none
   */
  static int pairOn(String host) {
    for (int i = 0; i < 100; i++) {
      int port = ThreadLocalRandom.current().nextInt(FIRST, LAST + 1);
      if (isFree(host, port) && isFree(host, port + CLUSTER_BUS_OFFSET)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port pair (p, p + 10000) on " + host + " in " + FIRST + "-" + LAST);
  }

  /** Whether a listening socket can be bound to {@code host:port} now. */
  static boolean isFree(String host, int port) {
    try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName(host))) {
      return probe.isBound();
    } catch (IOException taken) {
      return false;
    }
  }
}
