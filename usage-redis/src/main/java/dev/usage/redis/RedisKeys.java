package dev.usage.redis;

import io.lettuce.core.cluster.SlotHash;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;

/**
 * The key layout. Every key of one user starts with {@code <prefix>:{<user>}:}, so that all of them hash to
 * one Cluster slot (the part in braces is the hash tag) and every script touches a single slot.
 *
 * <p>User ids, reservation ids and idempotency keys are encoded so that no id can produce another's key or
 * choose another's slot: characters outside {@code [A-Za-z0-9._@-]} are percent-encoded as UTF-8 bytes (so
 * braces, colons and percent signs never appear raw), which is injective; an encoding longer than
 * {@value #MAX_ENCODED} characters is replaced by {@code ~} and the base64url SHA-256 of the id ({@code ~}
 * itself is always encoded, so the two forms never meet). Keys therefore stay short whatever the ids.
 *
 * <p>Per user ({@code U} = {@code <prefix>:{<user>}:}):
 * <ul>
 *   <li>{@code U root} (hash): {@code epoch} (the slot's sentinel when the root was made: a root has it),
 *       {@code hx} (earliest expiry of a held reservation), {@code sd} (re-seeded), {@code k:<period>:<type>}
 *       (expiry of each counter created; dropped an hour after it has passed, when a consume or a re-seed adds
 *       another, and for a lost counter by {@code acceptDataLoss});</li>
 *   <li>{@code U c:<period>} (hash): per quota type {@code u:<type>} used, {@code r:<type>} reserved,
 *       {@code s:<type>} / {@code e:<type>} period start / end and {@code x:<type>} expiry (microseconds);</li>
 *   <li>{@code U h:<reservation>} (hash) a reservation, {@code U hz} (sorted set) held reservations by expiry;</li>
 *   <li>{@code U k:<idempotency key>} an idempotency marker: the string {@code <expiry>:<fingerprint>} (its
 *       expiry in microseconds, the request's fingerprint), or, when it made a hold, a hash: {@code f} the
 *       fingerprint, {@code x} the expiry, {@code h}, {@code hx}, {@code hk} the hold's id, expiry and retention;</li>
 *   <li>{@code U q} (hash) the user's settings and their version, {@code U a} (list) their audit trail,
 *       {@code U ar} (hash) the request ids in that trail, each to its entry's index in {@code U a};</li>
 *   <li>{@code U p} (hash) closed periods;</li>
 *   <li>{@code U ev} (hash) encoded event id to encoded event, {@code U et} (sorted set) event ids by
 *       occurred-at (microseconds);</li>
 *   <li>{@code U rh:<yyyyMMddHH>} and {@code U rd:<yyyyMMdd>} (hashes) hourly and daily rollups ({@code n}
 *       events, {@code f} failed, {@code t:<type>} units), indexed by {@code U rhi} and {@code U rdi}
 *       (sorted sets of bucket labels by hour or day number since the epoch).</li>
 * </ul>
 * Per Cluster slot, {@code <prefix>:sentinel:{<tag>}} holds a data epoch: while it is there, the slot has kept
 * its data (see {@link RedisCounterStore}); {@code <prefix>:sentinels-creating} is there while they are first
 * created (see {@link RedisSentinels}).
 *
 * <p>System-wide, per UTC hour ({@code S} = {@code <prefix>:sys:{h<yyyyMMddHH>}:}, one slot per hour):
 * {@code S t} (hash) totals as in a rollup, {@code S u} (set) encoded users, {@code S r} (sorted set)
 * {@code <encoded user>|<encoded event id>} refs by occurred-at, {@code S e} (hash) ref to the event's
 * failed flag and quantities; {@code <prefix>:sys:hours} (sorted set) the labels of the hours with data by
 * hour number. The live feed's streams are {@code <prefix>:live:events} and {@code <prefix>:live:quota}.
 */
final class RedisKeys {

  /** Longest percent-encoded id kept as is; longer ones are hashed. */
  static final int MAX_ENCODED = 192;
  private static final int SLOTS = SlotHash.SLOT_COUNT;
  /** For each slot, a short hash tag that maps to it. */
  private static final String[] SLOT_TAGS = slotTags();

  private final String prefix;

  RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  String prefix() {
    return prefix;
  }

  /** {@code <prefix>:{<user>}:}: the start of every key of the user. */
  String user(String userId) {
    return prefix + ":{" + encode(userId) + "}:";
  }

  String root(String userPrefix) {
    return userPrefix + "root";
  }

  String counter(String userPrefix, String periodId) {
    return userPrefix + "c:" + periodId;
  }

  String hold(String userPrefix, String reservationId) {
    return userPrefix + "h:" + encode(reservationId);
  }

  String holds(String userPrefix) {
    return userPrefix + "hz";
  }

  String marker(String userPrefix, String idempotencyKey) {
    return userPrefix + "k:" + encode(idempotencyKey);
  }

  String settings(String userPrefix) {
    return userPrefix + "q";
  }

  String audit(String userPrefix) {
    return userPrefix + "a";
  }

  /** The request ids of the user's audit trail: request id to the entry's index in {@link #audit}. */
  String auditRequests(String userPrefix) {
    return userPrefix + "ar";
  }

  /** A notification's ledger entry: kind, quota type, threshold and period start identify it. */
  String notification(String userPrefix, String kind, String quotaType, int threshold, java.time.Instant periodStart) {
    return userPrefix + "n:" + kind + "|" + quotaType + "|" + threshold + "|" + periodStart;
  }

  String history(String userPrefix) {
    return userPrefix + "p";
  }

  /** The user's events: encoded event id to encoded event. */
  String events(String userPrefix) {
    return userPrefix + "ev";
  }

  /** The user's event ids by occurred-at. */
  String eventTimes(String userPrefix) {
    return userPrefix + "et";
  }

  String hourRollup(String userPrefix, String hourLabel) {
    return userPrefix + "rh:" + hourLabel;
  }

  String dayRollup(String userPrefix, String dayLabel) {
    return userPrefix + "rd:" + dayLabel;
  }

  String hourIndex(String userPrefix) {
    return userPrefix + "rhi";
  }

  String dayIndex(String userPrefix) {
    return userPrefix + "rdi";
  }

  /** {@code <prefix>:sys:{h<hour>}:}: the start of the system-wide keys of one hour (their own slot). */
  String systemHour(String hourLabel) {
    return prefix + ":sys:{h" + hourLabel + "}:";
  }

  /** The hours that have system-wide data, by hour number. */
  String systemHours() {
    return prefix + ":sys:hours";
  }

  String liveEvents() {
    return prefix + ":live:events";
  }

  String liveQuota() {
    return prefix + ":live:quota";
  }

  /** The sentinel of the slot the user's keys live in. */
  String sentinelFor(String userPrefix) {
    return sentinel(SlotHash.getSlot(userPrefix));
  }

  /** The sentinel of one slot. */
  String sentinel(int slot) {
    return prefix + ":sentinel:{" + SLOT_TAGS[slot] + "}";
  }

  /** There while the sentinels are created: a start that finds it finishes what an interrupted one began. */
  String sentinelsCreating() {
    return prefix + ":sentinels-creating";
  }

  /** Number of slots (and so of sentinels). */
  static int slots() {
    return SLOTS;
  }

  /** The encoded form of an id: see the class comment. */
  static String encode(String id) {
    StringBuilder out = null;
    byte[] bytes = null;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!plain(c)) {
        bytes = id.getBytes(StandardCharsets.UTF_8);
        break;
      }
    }
    if (bytes == null) {
      return id.length() <= MAX_ENCODED ? id : hashed(id);
    }
    out = new StringBuilder(bytes.length * 3);
    for (byte b : bytes) {
      int v = b & 0xff;
      if (v < 0x80 && plain((char) v)) {
        out.append((char) v);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(v >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(v & 0xf, 16)));
      }
      if (out.length() > MAX_ENCODED) {
        return hashed(id);
      }
    }
    return out.toString();
  }

  /**
   * The id a key of a user's ({@code <prefix>:{<encoded>}:...}) was made for, when its encoding can be undone:
   * empty for a hashed id ({@code ~...}), and for a key not made by {@link #user}.
   */
  Optional<String> userOf(String key) {
    String start = prefix + ":{";
    int end = key.indexOf("}:", start.length());
    if (!key.startsWith(start) || end < 0 || key.charAt(start.length()) == '~') {
      return Optional.empty();
    }
    String encoded = key.substring(start.length(), end);
    String id;
    try {
      id = URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notPercentEncoded) {
      return Optional.empty();
    }
    // only an encoding this class makes (a key edited by hand may not be one; nor is one with '+', which the
    // decoder reads as a space)
    return encode(id).equals(encoded) ? Optional.of(id) : Optional.empty();
  }

  private static boolean plain(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
        || c == '@' || c == '-';
  }

  private static String hashed(String id) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return "~" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  private static String[] slotTags() {
    String[] tags = new String[SLOTS];
    int found = 0;
    for (long i = 0; found < SLOTS; i++) {
      String tag = Long.toString(i, 36);
      int slot = SlotHash.getSlot(tag);
      if (tags[slot] == null) {
        tags[slot] = tag;
        found++;
      }
    }
    return tags;
  }
}
