package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** {@link FreePorts}: ports in range whose bus port is free too, and taken ports are seen as taken. */
class FreePortsTest {

  @Test
  void handsOutBindablePortPairsInRange() throws Exception {
    for (int i = 0; i < 20; i++) {
      int port = FreePorts.pairOn("127.0.0.1");
      assertThat(port).isBetween(FreePorts.FIRST, FreePorts.LAST);
      // both bind at once (the constructors throw otherwise): the pair was free
      ServerSocket client = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"));
      try {
        new ServerSocket(port + 10_000, 1, InetAddress.getByName("127.0.0.1")).close();
      } finally {
        client.close();
      }
    }
  }

  @Test
  void seesListeningPortAsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      assertThat(FreePorts.isFree("127.0.0.1", taken.getLocalPort())).isFalse();
    }
  }
}
