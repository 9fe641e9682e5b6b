package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.AuditEntry;
import dev.usage.Enforcement;
import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import dev.usage.RolloverPolicy;
import dev.usage.UserQuota;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Settings and audit trail on the shared Redis: round trips, the version compare-and-set, races. */
class RedisUserQuotaStoreIT {

  private static final Instant AT = Instant.parse("2026-03-31T23:59:59.123456789Z");
  private static final AtomicInteger USERS = new AtomicInteger();

  private static TestRedis redis;
  private static RedisUserQuotaStore store;

  @BeforeAll
  static void connect() {
    redis = TestRedis.open();
    store = new RedisUserQuotaStore(redis.connector, redis.keys);
  }

  @AfterAll
  static void cleanUp() {
    if (redis != null) {
      redis.close();
    }
  }

  private static String user(String name) {
    return name + "-" + USERS.incrementAndGet();
  }

  private static AuditEntry entry(String user, String reason) {
    return new AuditEntry(AT, "admin@example.com", user, "change-tier", Optional.empty(), "-", "premium", reason);
  }

  private static String settingsKey(String user) {
    return redis.keys.settings(redis.keys.user(user));
  }

  private static String auditKey(String user) {
    return redis.keys.audit(redis.keys.user(user));
  }

  @Test
  void settingsWithEveryFieldRoundTripAndTheVersionIsStoredAsTheConsumeScriptReadsIt() {
    String user = user("full {tag}:%|;=é");
    QuotaType gpu = QuotaType.of("gpu.seconds-v2_x");
    UserQuota next = new UserQuota(user, "enterprise-custom", Map.of(
        QuotaType.CHARACTERS, Quota.monthly(QuotaType.CHARACTERS, 250_000),
        QuotaType.REQUESTS, new Quota(QuotaType.REQUESTS, 40, QuotaPeriod.DAY, Enforcement.SOFT, RolloverPolicy.none()),
        gpu, Quota.unlimited(gpu).withPeriod(QuotaPeriod.WEEK)),
        ZoneId.of("Australia/Lord_Howe"), 31, 0,
        Optional.of(new dev.usage.TierChange("free", java.time.Instant.parse("2026-04-01T00:00:00.5Z"))),
        Map.of(QuotaType.TOKENS, new dev.usage.UsageReset(QuotaType.TOKENS, java.time.Instant.parse("2026-03-01T00:00:00Z"),
            12, java.time.Instant.parse("2026-03-02T10:00:00.000001Z"))),
        java.util.List.of(new dev.usage.EarlierSettings(java.time.Instant.parse("2026-03-01T00:00:00.000001Z"),
                "team @ eu|1;2", Map.of(), Optional.empty(), ZoneId.of("UTC"), 1),
            new dev.usage.EarlierSettings(java.time.Instant.parse("2026-03-02T00:00:00Z"), "pro",
                Map.of(gpu, Quota.monthly(gpu, 7)),
                Optional.of(new dev.usage.TierChange("free", java.time.Instant.parse("2026-03-01T00:00:00Z"))),
                ZoneId.of("Australia/Lord_Howe"), 31)));

    Optional<UserQuota> saved = store.save(next, entry(user, "first"));

    assertThat(saved).contains(next.withVersion(1));
    assertThat(store.find(user)).contains(next.withVersion(1));
    assertThat(redis.connector.sync().hgetall(settingsKey(user))).containsOnlyKeys("v", "tier", "overrides", "zone", "anchor",
        "sched", "resets", "earlier")
        .containsEntry("v", "1").containsEntry("zone", "Australia/Lord_Howe").containsEntry("anchor", "31");

    UserQuota changed = saved.orElseThrow().withoutOverride(gpu).withTier("free").withZone(ZoneId.of("Africa/Cairo"))
        .withBillingAnchorDay(1);
    assertThat(store.save(changed, entry(user, "second"))).contains(changed.withVersion(2));
    assertThat(store.find(user)).contains(changed.withVersion(2));
    assertThat(redis.connector.sync().hget(settingsKey(user), "v")).isEqualTo("2");

    UserQuota none = changed.withVersion(2).withoutOverride(QuotaType.CHARACTERS).withoutOverride(QuotaType.REQUESTS)
        .withEarlier(java.util.List.of());
    assertThat(store.save(none, entry(user, "third"))).contains(none.withVersion(3));
    assertThat(store.find(user)).contains(none.withVersion(3));
    assertThat(store.auditTrail(user)).extracting(AuditEntry::reason).containsExactly("first", "second", "third");
    assertThat(redis.connector.sync().ttl(settingsKey(user))).as("no TTL").isEqualTo(-1);
    assertThat(redis.connector.sync().ttl(auditKey(user))).as("no TTL").isEqualTo(-1);
  }

  @Test
  void unknownUserHasNoSettingsAndAnEmptyTrail() {
    assertThat(store.find(user("nobody"))).isEmpty();
    assertThat(store.auditTrail(user("nobody"))).isEmpty();
  }

  @Test
  void auditedUsersAreListedWhateverTheirIds() {
    RedisUserQuotaStore own = new RedisUserQuotaStore(redis.connector, redis.freshKeys());
    // "é" x 40 encodes to 240 characters, past RedisKeys.MAX_ENCODED: its keys carry a hash of it, not the id
    List<String> ids = new ArrayList<>(List.of("plain", "full {tag}:%|;=é", "é".repeat(40), "~tilde"));
    for (String id : ids) {
      own.save(UserQuota.of(id, "free"), entry(id, "create")).orElseThrow();
    }
    ids.sort(null);

    assertThat(own.auditedUsers(Optional.empty(), 10)).containsExactlyElementsOf(ids);
    assertThat(own.auditedUsers(Optional.of(ids.get(1)), 2)).containsExactlyElementsOf(ids.subList(2, 4));
  }

  @Test
  void aWalkOverTheAuditedUsersScansTheKeyspaceOnce() {
    try (RedisProcess own = RedisProcess.start()) {
      RedisClient client = RedisClient.create(own.uri());
      client.setOptions(RedisUsageStorage.recommendedOptions());
      RedisConnector connector = RedisConnector.standalone(client, Duration.ofSeconds(5));
      try {
        RedisUserQuotaStore walked = new RedisUserQuotaStore(connector, new RedisKeys("walk"));
        List<String> ids = List.of("a1", "a2", "a3", "a4", "a5");
        for (String id : ids) {
          walked.save(UserQuota.of(id, "free"), entry(id, "create")).orElseThrow();
        }
        long before = scans(own);
        List<String> seen = new ArrayList<>(walked.auditedUsers(Optional.empty(), 2));
        long first = scans(own);
        assertThat(first).as("the first page scans").isGreaterThan(before);
        seen.addAll(walked.auditedUsers(Optional.of(seen.get(1)), 2));
        seen.addAll(walked.auditedUsers(Optional.of(seen.get(3)), 2));

        assertThat(seen).containsExactlyElementsOf(ids);
        assertThat(scans(own)).as("the later pages come from the first page's scan").isEqualTo(first);
        // a page that does not go on from the walk's last page scans afresh, and sees a trail started since
        walked.save(UserQuota.of("a0", "free"), entry("a0", "create")).orElseThrow();
        assertThat(walked.auditedUsers(Optional.of("a"), 2)).containsExactly("a0", "a1");
        assertThat(scans(own)).isGreaterThan(first);
      } finally {
        connector.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  /** SCAN commands the server has run. */
  private static long scans(RedisProcess server) {
    return server.command("INFO", "commandstats").lines().filter(l -> l.startsWith("cmdstat_scan:")).findFirst()
        .map(l -> Long.parseLong(l.replaceAll("^cmdstat_scan:calls=(\\d+),.*$", "$1"))).orElse(0L);
  }

  @Test
  void staleVersionChangesNothingAndAddsNoAuditEntry() {
    String user = user("stale");
    UserQuota first = store.save(UserQuota.of(user, "free"), entry(user, "create")).orElseThrow();
    Map<String, String> before = redis.connector.sync().hgetall(settingsKey(user));

    assertThat(store.save(UserQuota.of(user, "premium"), entry(user, "again as new"))).isEmpty();
    assertThat(store.save(first.withVersion(7).withTier("premium"), entry(user, "from the future"))).isEmpty();
    // a version no save of this store reaches (the script compares versions of at most 15 digits)
    assertThat(store.save(first.withVersion(Long.MAX_VALUE).withTier("premium"), entry(user, "far future")))
        .isEmpty();

    assertThat(store.find(user)).contains(first);
    assertThat(redis.connector.sync().hgetall(settingsKey(user))).isEqualTo(before);
    assertThat(store.auditTrail(user)).extracting(AuditEntry::reason).containsExactly("create");
  }

  @Test
  void ofConcurrentSavesOfOneVersionExactlyOneWinsWithExactlyOneAuditEntry() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 25; round++) {
        String user = user("race");
        // odd rounds race on an existing user (version 1), even rounds on the first save (version 0)
        UserQuota base = round % 2 == 0 ? UserQuota.of(user, "free")
            : store.save(UserQuota.of(user, "free"), entry(user, "create")).orElseThrow();
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(8);
        List<Future<Optional<UserQuota>>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          String tier = "tier-" + t;
          results.add(pool.submit(() -> {
            start.await(10, TimeUnit.SECONDS);
            return store.save(base.withTier(tier), entry(user, tier));
          }));
        }
        List<UserQuota> winners = new ArrayList<>();
        for (Future<Optional<UserQuota>> r : results) {
          r.get(30, TimeUnit.SECONDS).ifPresent(winners::add);
        }

        assertThat(winners).as("round %d", round).hasSize(1);
        UserQuota winner = winners.get(0);
        assertThat(winner.version()).isEqualTo(base.version() + 1);
        assertThat(store.find(user)).contains(winner);
        List<AuditEntry> trail = store.auditTrail(user);
        assertThat(trail).hasSize((int) base.version() + 1);
        assertThat(trail.get(trail.size() - 1).reason()).isEqualTo(winner.tier());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void auditEntriesWithAwkwardTextRoundTripExactlyInOrder() {
    String user = user("awkward");
    String separators = "a|b;c=d,e:f{g}h[i]j\"k\\l'm%n%%o ~ `$^*?()+.-_/#@!&<>";
    String unicode = "Zoë 😀 こんにちは שלום e\u0301 \uD834\uDD1E \u00a0nbsp \u200bzw";
    String json = "{\"at\":\"1970-01-01T00:00:00Z\",\"reason\":null}";
    String lua = "%d+ ]] -- [[ end return redis.call('FLUSHALL')";
    String longest = "r".repeat(511) + "é";
    List<AuditEntry> entries = List.of(
        new AuditEntry(AT, separators, user, "override", Optional.of(QuotaType.CHARACTERS), separators, unicode, json),
        new AuditEntry(Instant.parse("2026-04-01T00:00:00.000001Z"), unicode, user, "remove-override",
            Optional.of(QuotaType.of("gpu.seconds-v2_x")), "x".repeat(2048), "-", unicode),
        new AuditEntry(Instant.EPOCH, "system", user, "billing-cycle", Optional.empty(), lua, json, longest),
        new AuditEntry(Instant.parse("-0001-12-31T23:59:59.999999999Z"), "a", user, "initialize", Optional.empty(),
            "-", "  padded  ", " ."));

    long version = 0;
    for (AuditEntry e : entries) {
      version = store.save(UserQuota.of(user, "free").withVersion(version), e).orElseThrow().version();
    }

    assertThat(store.auditTrail(user)).containsExactlyElementsOf(entries);
  }

  @Test
  void anEntryAboutAnotherUserIsRefusedAndNothingIsWritten() {
    String user = user("owner");

    assertThatThrownBy(() -> store.save(UserQuota.of(user, "free"), entry(user + "-other", "misfiled")))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("entry.userId"));

    assertThat(store.find(user)).isEmpty();
    assertThat(redis.connector.sync().exists(settingsKey(user), auditKey(user))).isZero();
  }

  @Test
  void theScriptRefusesMalformedArgumentsBeforeItsFirstWrite() {
    String user = user("malformed");
    store.save(UserQuota.of(user, "free").withOverride(Quota.daily(QuotaType.REQUESTS, 5)), entry(user, "create"))
        .orElseThrow();
    String[] k = {settingsKey(user), auditKey(user), redis.keys.auditRequests(redis.keys.user(user))};
    String good = RedisJson.audit(entry(user, "bad call"));
    String overrides = "requests|5|DAY|HARD|false|0|0|0";
    // a call whose earlier settings (the last argument) are malformed
    java.util.function.Function<String, String[]> earlier = e -> new String[] {"1", "premium", overrides, "UTC", "1",
        good, "", "", "", e};
    List<String[]> calls = List.of(
        new String[] {"1", "premium", overrides, "UTC", "1", good},
        new String[] {"1", "premium", overrides, "UTC", "1", good, "", "", "", "", "extra"},
        new String[] {"1", "premium", overrides, "UTC", "1", good, "rid-not-in-entry", "", "", "", ""},
        new String[] {"1", "premium", overrides, "UTC", "1", good.replace("{", "{\"rid\":\"r\","), "", "", "", ""},
        new String[] {"1", "premium", overrides, "UTC", "1", good.replace("{", "{\"hash\":1,"), "", "", "", ""},
        new String[] {"01", "premium", overrides, "UTC", "1", good, "", "", "", ""},
        new String[] {"-1", "premium", overrides, "UTC", "1", good, "", "", "", ""},
        new String[] {"1.0", "premium", overrides, "UTC", "1", good, "", "", "", ""},
        new String[] {"", "premium", overrides, "UTC", "1", good, "", "", "", ""},
        new String[] {"1", "", overrides, "UTC", "1", good, "", "", "", ""},
        new String[] {"1", "premium", "requests|5", "UTC", "1", good, "", "", "", ""},
        new String[] {"1", "premium", overrides + ";", "UTC", "1", good, "", "", "", ""},
        new String[] {"1", "premium", "Requests|5|DAY|HARD|false|0|0|0", "UTC", "1", good, "", "", "", ""},
        new String[] {"1", "premium", overrides, "", "1", good, "", "", "", ""},
        new String[] {"1", "premium", overrides, "UTC", "0", good, "", "", "", ""},
        new String[] {"1", "premium", overrides, "UTC", "32", good, "", "", "", ""},
        new String[] {"1", "premium", overrides, "UTC", "01", good, "", "", "", ""},
        new String[] {"1", "premium", overrides, "UTC", "x", good, "", "", "", ""},
        new String[] {"1", "premium", overrides, "UTC", "1", "not json", "", "", "", ""},
        new String[] {"1", "premium", overrides, "UTC", "1", "[\"at\"]", "", "", "", ""},
        new String[] {"1", "premium", overrides, "UTC", "1", good.replace("\"reason\"", "\"why\""), "", "", "", ""},
        new String[] {"1", "premium", overrides, "UTC", "1", good.replace("\"actor\":\"admin@example.com\"",
            "\"actor\":7"), "", "", "", ""},
        new String[] {"1", "premium", overrides, "UTC", "1", good.replace("{", "{\"type\":1,"), "", "", "", ""},
        new String[] {"1", "premium", overrides, "UTC", "1", good.replace("\"at\":\"", "\"at\":\"yesterday "), "", "",
            "", ""},
        new String[] {"1", "premium", overrides, "UTC", "1", good, "", "free@tomorrow", "", ""},
        new String[] {"1", "premium", overrides, "UTC", "1", good, "", "", "tokens|2026-03-01T00:00:00Z|x|now", ""},
        new String[] {"1", "premium", overrides, "UTC", "1", good, "", "", "tokens|2026-03-01T00:00:00Z|5", ""},
        earlier.apply("free\t\t\t\tUTC\t1"),
        earlier.apply("2026-03-01T00:00:00Z\tfree\t\t\tUTC"),
        earlier.apply("2026-03-01T00:00:00Z\tfree\t\t\tUTC\t1\n"),
        earlier.apply("2026-03-01T00:00:00Z\t\t\t\tUTC\t1"),
        earlier.apply("2026-03-01T00:00:00Z\tfree\tpro@soon\t\tUTC\t1"),
        earlier.apply("2026-03-01T00:00:00Z\tfree\t\trequests|5\tUTC\t1"),
        earlier.apply("2026-03-01T00:00:00Z\tfree\t\t\t\t1"),
        earlier.apply("2026-03-01T00:00:00Z\tfree\t\t\tUTC\t32"));
    Map<String, String> settings = redis.connector.sync().hgetall(k[0]);
    List<String> trail = redis.connector.sync().lrange(k[1], 0, -1);

    for (String[] args : calls) {
      assertThatThrownBy(() -> RedisScripts.run(redis.connector, RedisUserQuotaStore.SAVE, "save", k, args))
          .as(String.join(" / ", args)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("ERR usage save_settings");
      assertThat(redis.connector.sync().hgetall(k[0])).isEqualTo(settings);
      assertThat(redis.connector.sync().lrange(k[1], 0, -1)).isEqualTo(trail);
    }
    assertThatThrownBy(() -> RedisScripts.run(redis.connector, RedisUserQuotaStore.SAVE, "save",
        new String[] {k[0], k[1]}, "1", "premium", overrides, "UTC", "1", good, "", "", "", "")).isInstanceOf(IllegalStateException.class);
    assertThat(redis.connector.sync().hgetall(k[0])).isEqualTo(settings);

    // the same call with valid arguments is accepted: the refusals above were about the arguments
    assertThat(RedisScripts.run(redis.connector, RedisUserQuotaStore.SAVE, "save", k, "1", "premium",
        overrides, "UTC", "1", good, "", "free@2026-04-01T00:00:00Z", "tokens|2026-03-01T00:00:00Z|5|2026-03-02T00:00:00Z",
        "2026-03-02T00:00:00Z\tteam @ eu|1;2\tfree@2026-04-01T00:00:00Z\t" + overrides + "\tAsia/Kathmandu\t31\n"
            + "+12026-03-01T00:00:00.000000001Z\tfree\t\t\tUTC\t1"))
        .containsExactly("OK", 2L);
  }

  @Test
  void anAuditKeyOfAnotherTypeIsRefusedBeforeTheSettingsChange() {
    String user = user("wrongtype");
    UserQuota first = store.save(UserQuota.of(user, "free"), entry(user, "create")).orElseThrow();
    redis.connector.sync().del(auditKey(user));
    redis.connector.sync().set(auditKey(user), "not a list");

    assertThatThrownBy(() -> store.save(first.withTier("premium"), entry(user, "change")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("holds a string");

    assertThat(store.find(user)).contains(first);
    assertThat(redis.connector.sync().get(auditKey(user))).isEqualTo("not a list");
  }
}
