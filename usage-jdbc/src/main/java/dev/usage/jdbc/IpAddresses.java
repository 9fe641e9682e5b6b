package dev.usage.jdbc;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP truncation at write time ({@link JdbcUsageStorage.Builder#ipTruncation}): IPv4 keeps its /24, IPv6 its
 * /48, the rest is zeroed. The result is in canonical text: dotted decimal, or RFC 5952 for IPv6 (lower
 * case, leading zeros dropped, the longest run of two or more zero groups shortened to {@code ::}).
 * An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) is the IPv4 client of a dual-stack socket: it is
 * truncated as IPv4 and stored as the plain IPv4 address, so the same client reads the same either way.
 */
final class IpAddresses {

  private IpAddresses() {}

  /**
   * The truncated form of {@code literal}, an IPv4 or IPv6 literal as {@link dev.usage.UsageEvent} accepts
   * it (validated there: never a host name, so no lookup is made).
   */
  static String truncate(String literal) {
    InetAddress address;
    try {
      address = InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP literal: " + literal, e);
    }
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address) {
      // the JDK turns IPv4-mapped IPv6 literals into Inet4Address as well
      return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + ".0";
    }
    for (int i = 6; i < 16; i++) {
      bytes[i] = 0;
    }
    return ipv6Text(bytes);
  }

  /** RFC 5952 text of a 16-byte address. */
  static String ipv6Text(byte[] bytes) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1; // a single zero group is never shortened
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder out = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}
