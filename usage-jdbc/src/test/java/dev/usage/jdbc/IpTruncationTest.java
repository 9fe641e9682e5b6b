package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.UsageEvent;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** IP truncation at write time: IPv4 /24, IPv6 /48, canonical text; off by default. */
class IpTruncationTest {

  private HikariDataSource pool;

  @BeforeEach
  void open() {
    pool = TestDatabases.h2();
  }

  @AfterEach
  void close() {
    pool.close();
  }

  @ParameterizedTest
  @CsvSource({
      "203.0.113.77, 203.0.113.0",
      "10.0.0.0, 10.0.0.0",
      "255.255.255.255, 255.255.255.0",
      "2001:db8:1:2:3:4:5:6, 2001:db8:1::",
      "2001:DB8:ABCD:0012:0000:0000:0000:0001, 2001:db8:abcd::",
      "2001:0db8:0000:ffff::1, 2001:db8::",
      "::1, ::",
      "fe80::1:2, fe80::",
      "2001:db8:0:1::, 2001:db8::",
      "::ffff:203.0.113.77, 203.0.113.0",
      "::ffff:cb00:714d, 203.0.113.0",
  })
  void truncatesToNetworkInCanonicalText(String given, String stored) {
    assertThat(IpAddresses.truncate(given)).isEqualTo(stored);
  }

  @Test
  void writesRfc5952TextShorteningOnlyTheLongestZeroRun() {
    assertThat(IpAddresses.ipv6Text(bytes(0x2001, 0xdb8, 0, 0, 1, 0, 0, 0))).isEqualTo("2001:db8:0:0:1::");
    assertThat(IpAddresses.ipv6Text(bytes(0x2001, 0xdb8, 0, 1, 0, 0, 1, 1))).isEqualTo("2001:db8:0:1::1:1");
    assertThat(IpAddresses.ipv6Text(bytes(0x2001, 0, 0, 1, 0, 0, 1, 1))).isEqualTo("2001::1:0:0:1:1");
    assertThat(IpAddresses.ipv6Text(bytes(1, 0, 2, 3, 4, 5, 6, 7))).isEqualTo("1:0:2:3:4:5:6:7");
  }

  @Test
  void storesTruncatedAddressesWhenEnabled() {
    JdbcUsageStorage storage = JdbcUsageStorage.builder(pool).ipTruncation(true).build();
    storage.events().append(List.of(event("v4", "198.51.100.23"), event("v6", "2001:db8:85a3:8d3:1319:8a2e:370:7348"),
        event("mapped", "::ffff:198.51.100.23")));

    assertThat(storedIp("v4")).isEqualTo("198.51.100.0");
    assertThat(storedIp("v6")).isEqualTo("2001:db8:85a3::");
    assertThat(storedIp("mapped")).isEqualTo("198.51.100.0");
  }

  @Test
  void storesAddressesAsGivenByDefault() {
    JdbcUsageStorage storage = JdbcUsageStorage.builder(pool).build();
    storage.events().append(List.of(event("v4", "198.51.100.23"), event("v6", "2001:db8:85a3::7348")));

    assertThat(storedIp("v4")).isEqualTo("198.51.100.23");
    assertThat(storedIp("v6")).isEqualTo("2001:db8:85a3::7348");
  }

  private static UsageEvent event(String id, String ip) {
    return UsageEvent.builder().eventId(id).userId("ip-user").occurredAt(Instant.parse("2025-01-01T00:00:00Z"))
        .characters(1).ipAddress(ip).build();
  }

  private String storedIp(String eventId) {
    return Jdbi.create(pool).withHandle(h -> h.createQuery("SELECT ip_address FROM usage_tracking WHERE event_id = ?")
        .bind(0, eventId).mapTo(String.class).one());
  }

  private static byte[] bytes(int... groups) {
    byte[] out = new byte[16];
    for (int i = 0; i < 8; i++) {
      out[2 * i] = (byte) (groups[i] >> 8);
      out[2 * i + 1] = (byte) groups[i];
    }
    return out;
  }
}
