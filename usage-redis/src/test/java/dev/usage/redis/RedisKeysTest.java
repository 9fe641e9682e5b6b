package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The key layout: one slot per user, ids that cannot collide or pick another's slot, bounded key length. */
class RedisKeysTest {

  private final RedisKeys keys = new RedisKeys("usage");

  @Test
  void everyKeyOfAUserSharesTheUsersSlot() {
    String user = keys.user("alice");
    int slot = SlotHash.getSlot(user);
    assertThat(List.of(keys.root(user), keys.counter(user, "M2026-11-01"), keys.hold(user, "r-1"), keys.holds(user),
        keys.marker(user, "order-17"), keys.settings(user), keys.audit(user), keys.history(user),
        keys.sentinelFor(user))).allSatisfy(k -> assertThat(SlotHash.getSlot(k)).as(k).isEqualTo(slot));
  }

  @Test
  void idsThatTryToEscapeTheirHashTagStayInside() {
    // an id that closes the tag and opens another would, unencoded, hash by "bob" (or by nothing)
    for (String id : List.of("x}{bob", "}", "{", "a}:c:M2026-11-01", "%7D", "bob", "")) {
      String user = keys.user(id);
      String tag = user.substring(user.indexOf('{') + 1, user.indexOf('}'));
      assertThat(tag).as(id).doesNotContain("{", "}", ":");
      assertThat(user.indexOf('}')).as(id).isEqualTo(user.lastIndexOf('}'));
    }
    assertThat(SlotHash.getSlot(keys.user("x}{bob"))).isNotEqualTo(SlotHash.getSlot(keys.user("bob")))
        .isEqualTo(SlotHash.getSlot("{" + RedisKeys.encode("x}{bob") + "}"));
  }

  @Test
  void theEncodingIsInjective() {
    List<String> ids = List.of("a b", "a%20b", "a+b", "A B", "a\u00a0b", "é", "e\u0301", "%", "%25", "~", "%7E",
        "a:b", "a%3Ab", "😀", "\ud83d\ude00x", ".", "_", "@", "-", "x".repeat(128), "y".repeat(128));
    Set<String> encoded = new HashSet<>();
    for (String id : ids) {
      assertThat(encoded.add(RedisKeys.encode(id))).as(id).isTrue();
    }
  }

  @Test
  void plainIdsAreKeptAndLongEncodingsAreHashedToABoundedLength() {
    assertThat(RedisKeys.encode("user-42@example.com")).isEqualTo("user-42@example.com");
    assertThat(RedisKeys.encode("a b")).isEqualTo("a%20b");
    String wide = "€".repeat(128); // 3 UTF-8 bytes each: 1,152 characters percent-encoded
    String hashed = RedisKeys.encode(wide);
    assertThat(hashed).startsWith("~").hasSizeLessThanOrEqualTo(44);
    assertThat(RedisKeys.encode(wide + "x")).isNotEqualTo(hashed);
    assertThat(keys.user(wide).length()).isLessThan(64);
    assertThat(keys.user("x".repeat(128)).length()).isLessThan(RedisKeys.MAX_ENCODED + 16);
  }

  @Test
  void aUsersKeyGivesBackTheIdItWasMadeForUnlessItWasHashed() {
    RedisKeys keys = new RedisKeys("p");
    for (String id : List.of("alice", "a{b}c:d%e|f", "é日本~", "x".repeat(RedisKeys.MAX_ENCODED))) {
      assertThat(keys.userOf(keys.audit(keys.user(id)))).as(id).contains(id);
    }
    assertThat(keys.userOf(keys.audit(keys.user("y".repeat(RedisKeys.MAX_ENCODED + 1))))).isEmpty(); // hashed
    RedisKeys other = new RedisKeys("q");
    assertThat(keys.userOf(other.audit(other.user("alice")))).as("another prefix's").isEmpty();
    assertThat(keys.userOf("p:{a%7e}:a")).as("not an encoding this class makes (lower-case hex)").isEmpty();
    assertThat(keys.userOf("p:{a%zz}:a")).isEmpty();
    assertThat(keys.userOf("p:{a b}:a")).isEmpty();
  }

  @Test
  void everySlotHasASentinelInIt() {
    for (int slot = 0; slot < RedisKeys.slots(); slot++) {
      assertThat(SlotHash.getSlot(keys.sentinel(slot))).isEqualTo(slot);
    }
  }
}
