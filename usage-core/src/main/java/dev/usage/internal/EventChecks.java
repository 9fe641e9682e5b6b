package dev.usage.internal;

import dev.usage.InvalidUsageException;
import dev.usage.QuotaType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Checks for the parts of a usage event that need more than {@link Checks}. No API promise. */
public final class EventChecks {

  public static final int MAX_METADATA_ENTRIES = 32;
  public static final int MAX_METADATA_KEY = 64;
  public static final int MAX_METADATA_VALUE = 1024;
  public static final int MAX_METADATA_TOTAL = 8192;

  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  // starting with a hex digit or ':' makes InetAddress parse a literal and never look a name up
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]{1,44}");

  private EventChecks() {}

  public static Map<QuotaType, Long> customQuantities(Map<QuotaType, Long> values) {
    Checks.noNullEntries("customQuantities", values);
    Map<QuotaType, Long> kept = new TreeMap<>();
    for (Map.Entry<QuotaType, Long> e : values.entrySet()) {
      if (e.getKey().isBuiltIn()) {
        throw new InvalidUsageException("customQuantities",
            e.getKey() + " is built in; set it with its own field");
      }
      long v = Checks.amount("customQuantities." + e.getKey().name(), e.getValue());
      if (v > 0) {
        kept.put(e.getKey(), v);
      }
    }
    return Collections.unmodifiableMap(kept);
  }

  public static Map<String, String> metadata(Map<String, String> values) {
    Checks.noNullEntries("metadata", values);
    if (values.size() > MAX_METADATA_ENTRIES) {
      throw new InvalidUsageException("metadata", "at most " + MAX_METADATA_ENTRIES + " entries, was " + values.size());
    }
    int total = 0;
    for (Map.Entry<String, String> e : values.entrySet()) {
      Checks.text("metadata", e.getKey(), MAX_METADATA_KEY);
      String v = e.getValue();
      if (v.length() > MAX_METADATA_VALUE) {
        throw new InvalidUsageException("metadata." + e.getKey(), "at most " + MAX_METADATA_VALUE + " characters");
      }
      Checks.printable("metadata." + e.getKey(), v);
      total += e.getKey().length() + v.length();
    }
    if (total > MAX_METADATA_TOTAL) {
      throw new InvalidUsageException("metadata", "at most " + MAX_METADATA_TOTAL + " characters in all, was " + total);
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** An IP literal, v4 or v6; never a host name (no lookup is ever made). */
  public static Optional<String> ipAddress(Optional<String> value) {
    if (value == null) {
      throw new InvalidUsageException("ipAddress", "must not be null (use Optional.empty())");
    }
    return value.map(ip -> {
      if (IPV4.matcher(ip).matches()) {
        return ip;
      }
      if (ip.indexOf(':') >= 0 && IPV6_CHARS.matcher(ip).matches()) {
        try {
          InetAddress.getByName(ip);
          return ip;
        } catch (UnknownHostException | IllegalArgumentException e) {
          // fall through to the refusal
        }
      }
      throw new InvalidUsageException("ipAddress", "must be an IPv4 or IPv6 literal");
    });
  }
}
