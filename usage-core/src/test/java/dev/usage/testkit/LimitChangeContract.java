package dev.usage.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.AuditEntry;
import dev.usage.Consumption;
import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaType;
import dev.usage.Tier;
import dev.usage.UsageEngine;
import dev.usage.UserQuota;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import dev.usage.spi.ConsumeCommand;
import dev.usage.spi.ConsumeOutcome;
import dev.usage.spi.CounterDelta;
import dev.usage.spi.Hold;
import dev.usage.spi.IdempotencyMarker;
import dev.usage.spi.StorageCapability;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Tiers and overrides (semantics 6): override, tier, parent tier, defaults, in that order; limit changes
 * apply at once, also under load, never erase usage, and are written to the audit trail.
 */
public abstract class LimitChangeContract extends AbstractStorageContract {

  @Test
  void raisedLimitAppliesAtOnceUnderLoad() throws Exception {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 100)));
    String user = user("raise");

    long admitted = underLoad(engine, user, 50,
        () -> engine.quotas().updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 200), "admin", "raise under load"),
        new AtomicLong());

    assertThat(admitted).isEqualTo(200);
    assertThat(used(engine, user, QuotaType.REQUESTS)).isEqualTo(200);
  }

  @Test
  void aChangeMadeThroughAnotherEngineAppliesToTheNextConsume() {
    // engines in different processes share only the store: one may have read (and cached) the settings
    // before the other changed them
    String user = user("other-engine");
    UsageEngine consumer = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 100)));
    UsageEngine admin = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 100)));
    Consumption one = Consumption.of(user, QuotaType.REQUESTS, 1);
    for (int i = 0; i < 5; i++) {
      assertThat(consumer.tracking().consumeQuota(one).allowed()).isTrue();
    }

    admin.quotas().updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 5), "admin", "lowered elsewhere");
    assertThat(consumer.tracking().consumeQuota(one).allowed()).as("lowered to what is used").isFalse();

    admin.quotas().updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 7), "admin", "raised elsewhere");
    assertThat(consumer.tracking().consumeQuota(one).allowed()).isTrue();
    assertThat(consumer.tracking().consumeQuota(one).allowed()).isTrue();
    assertThat(consumer.tracking().consumeQuota(one).allowed()).isFalse();

    admin.quotas().removeQuotaOverride(user, QuotaType.REQUESTS, "admin", "back to the default");
    assertThat(consumer.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 93)).allowed()).isTrue();
    assertThat(used(consumer, user, QuotaType.REQUESTS)).isEqualTo(100);
  }

  @Test
  void aQuotaTypeAddedThroughAnotherEngineIsKnownToTheNextConsume() {
    // the consuming engine has read (and may have cached) settings that lack the type; only the store can tell
    String user = user("new-type");
    QuotaType images = QuotaType.of("images");
    UsageEngine consumer = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 100)));
    UsageEngine admin = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 100)));
    admin.quotas().updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 50), "admin", "stored settings");
    assertThat(consumer.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    assertThatThrownBy(() -> consumer.tracking().consumeQuota(Consumption.of(user, images, 1)))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("amounts.images"));

    admin.quotas().updateQuota(user, Quota.monthly(images, 3), "admin", "images for this user");
    for (int i = 0; i < 3; i++) {
      assertThat(consumer.tracking().consumeQuota(Consumption.of(user, images, 1)).allowed()).isTrue();
    }
    assertThat(consumer.tracking().consumeQuota(Consumption.of(user, images, 1)).allowed()).isFalse();
    assertThat(used(consumer, user, images)).isEqualTo(3);
  }

  @Test
  void aConsumeComputedFromOutdatedSettingsChangesNothing() {
    Assumptions.assumeTrue(storage.capabilities().contains(StorageCapability.CHECKS_SETTINGS_VERSION),
        "the storage does not check settings versions");
    String user = user("stale");
    UsageEngine admin = engine();
    admin.quotas().updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 10), "admin", "stored settings");
    long current = admin.quotas().getUserQuota(user).version();
    Instant now = clock.instant();
    Instant start = Instant.parse("2026-03-01T00:00:00Z");
    Instant end = Instant.parse("2026-04-01T00:00:00Z");
    CounterDelta requests = new CounterDelta(QuotaType.REQUESTS, "M2026-03-01", start, end, 2, 10, end.plus(Duration.ofDays(40)));
    CounterDelta characters = new CounterDelta(QuotaType.CHARACTERS, "M2026-03-01", start, end, 5, 100,
        end.plus(Duration.ofDays(40)));
    IdempotencyMarker key = new IdempotencyMarker("stale-key", "consume|requests=2", now.plus(Duration.ofDays(1)));
    Hold hold = new Hold("stale-hold", now.plus(Duration.ofMinutes(5)), now.plus(Duration.ofDays(1)));
    List<ConsumeCommand> outdated = List.of(
        new ConsumeCommand(user, List.of(requests), Optional.empty(), Optional.empty(), now, OptionalLong.of(current - 1)),
        new ConsumeCommand(user, List.of(requests, characters), Optional.of(key), Optional.empty(), now,
            OptionalLong.of(current - 1)),
        new ConsumeCommand(user, List.of(requests), Optional.empty(), Optional.of(hold), now, OptionalLong.of(current + 1)));
    for (ConsumeCommand c : outdated) {
      assertThat(storage.counters().consume(c).result()).as(c.toString()).isEqualTo(ConsumeOutcome.Result.STALE);
    }
    assertThat(storage.counters().read(user, List.of(requests.key(), characters.key()), now))
        .as("nothing counted or held").allSatisfy(v -> assertThat(v.used() + v.reserved()).isZero());

    ConsumeCommand keyed = new ConsumeCommand(user, List.of(requests, characters), Optional.of(key), Optional.empty(),
        now, OptionalLong.of(current));
    assertThat(storage.counters().consume(keyed).result()).as("the stale attempt left no key behind")
        .isEqualTo(ConsumeOutcome.Result.ADMITTED);
    assertThat(storage.counters().consume(keyed).result()).isEqualTo(ConsumeOutcome.Result.REPLAYED);
    ConsumeCommand held = new ConsumeCommand(user, List.of(requests), Optional.empty(), Optional.of(hold), now,
        OptionalLong.of(current));
    assertThat(storage.counters().consume(held).result()).as("the stale attempt stored no reservation")
        .isEqualTo(ConsumeOutcome.Result.ADMITTED);
    assertThat(storage.counters().read(user, List.of(requests.key()), now).get(0))
        .satisfies(v -> assertThat(v.used()).isEqualTo(2))
        .satisfies(v -> assertThat(v.reserved()).isEqualTo(2));
  }

  @Test
  void aLimitLoweredThroughAnotherEngineAppliesAtOnceUnderLoad() throws Exception {
    // the consuming engine may hold the old settings in memory; the change comes from another process
    UsageEngine consumer = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 200)));
    UsageEngine admin = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 200)));
    String user = user("lower-elsewhere");

    AtomicLong admittedAfterChange = new AtomicLong();
    long admitted = underLoad(consumer, user, 100,
        () -> admin.quotas().updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 50), "admin", "lower elsewhere"),
        admittedAfterChange);

    assertThat(admittedAfterChange.get()).as("admitted by calls begun after the change returned").isZero();
    assertThat(used(consumer, user, QuotaType.REQUESTS)).isEqualTo(admitted);
    assertThat(consumer.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isFalse();
  }

  @Test
  void loweredLimitAppliesAtOnceUnderLoadAndKeepsUsage() throws Exception {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 200)));
    String user = user("lower");

    AtomicLong admittedAfterChange = new AtomicLong();
    long admitted = underLoad(engine, user, 100,
        () -> engine.quotas().updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 50), "admin", "lower under load"),
        admittedAfterChange);

    assertThat(admittedAfterChange.get()).as("admitted by calls begun after the change returned").isZero();
    assertThat(admitted).isBetween(100L, 200L);
    assertThat(used(engine, user, QuotaType.REQUESTS)).as("usage is never erased").isEqualTo(admitted);
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isFalse();
    assertThat(engine.quotas().getQuotaStatus(user)).filteredOn(s -> s.type().equals(QuotaType.REQUESTS))
        .singleElement().satisfies(s -> {
          assertThat(s.limit()).isEqualTo(50);
          assertThat(s.remaining()).isZero();
        });
  }

  /**
   * Eight threads consume one request at a time; when {@code changeAfter} have been admitted, the limit
   * is changed from another thread; the workers go on for 600 more attempts. Returns the admitted count;
   * {@code admittedAfterChange} counts admissions of calls that began after the change had returned.
   */
  private static long underLoad(UsageEngine engine, String user, long changeAfter, Runnable change,
      AtomicLong admittedAfterChange) throws Exception {
    AtomicLong admitted = new AtomicLong();
    AtomicLong attemptsAfterChange = new AtomicLong();
    AtomicBoolean changed = new AtomicBoolean();
    CountDownLatch reached = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(9);
    try {
      List<Future<?>> workers = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        workers.add(pool.submit(() -> {
          while (!Thread.currentThread().isInterrupted()
              && (!changed.get() || attemptsAfterChange.incrementAndGet() <= 600)) {
            boolean afterChange = changed.get();
            if (engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()) {
              if (afterChange) {
                admittedAfterChange.incrementAndGet();
              }
              if (admitted.incrementAndGet() >= changeAfter) {
                reached.countDown();
              }
            }
          }
          return null;
        }));
      }
      Future<?> admin = pool.submit(() -> {
        reached.await();
        change.run();
        changed.set(true);
        return null;
      });
      admin.get(2, TimeUnit.MINUTES);
      for (Future<?> w : workers) {
        w.get(2, TimeUnit.MINUTES);
      }
      return admitted.get();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void overrideWinsOverTierWhichWinsOverParentWhichWinsOverDefaults() {
    Consumer<UsageEngine.Builder> plan = b -> b
        .defaultQuota(Quota.monthly(QuotaType.of("images"), 5))
        .tier(Tier.builder("team").parent(Tier.PREMIUM).quota(Quota.monthly(QuotaType.TOKENS, 7_777)).build());
    UsageEngine engine = engine(plan);
    String user = user("resolution");
    engine.quotas().initializeUserQuotas(user, "team", "admin");
    engine.quotas().updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 42), "admin", "special deal");

    assertThat(limit(engine, user, QuotaType.REQUESTS)).as("override").isEqualTo(42);
    assertThat(limit(engine, user, QuotaType.TOKENS)).as("own tier").isEqualTo(7_777);
    assertThat(limit(engine, user, QuotaType.CHARACTERS)).as("parent tier").isEqualTo(100_000);
    assertThat(limit(engine, user, QuotaType.of("images"))).as("defaults").isEqualTo(5);

    engine.quotas().removeQuotaOverride(user, QuotaType.REQUESTS, "admin", "deal ended");
    assertThat(limit(engine, user, QuotaType.REQUESTS)).as("parent tier again").isEqualTo(5_000);
  }

  @Test
  void newUsersGetTheDefaultTierAndTheDefaultQuotas() {
    UsageEngine engine = engine();
    String user = user("new");

    assertThat(engine.tracking().getUserUsage(user).tier()).isEqualTo(Tier.FREE);
    assertThat(limit(engine, user, QuotaType.CHARACTERS)).isEqualTo(10_000);
    assertThat(limit(engine, user, QuotaType.REQUESTS)).isEqualTo(500);
    assertThat(engine.quotas().initializeUserQuotas(user, Tier.PREMIUM, "signup").tier()).isEqualTo(Tier.PREMIUM);
    assertThat(engine.quotas().initializeUserQuotas(user, Tier.ENTERPRISE, "signup").tier())
        .as("initialising again keeps the stored settings").isEqualTo(Tier.PREMIUM);
  }

  @Test
  void tierChangeMidPeriodKeepsUsage() {
    UsageEngine engine = engine();
    String user = user("upgrade");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 9_000));

    engine.quotas().changeTier(user, Tier.PREMIUM, "billing", "upgrade");

    assertThat(engine.quotas().getQuotaStatus(user)).filteredOn(s -> s.type().equals(QuotaType.CHARACTERS))
        .singleElement().satisfies(s -> {
          assertThat(s.used()).isEqualTo(9_000);
          assertThat(s.limit()).isEqualTo(100_000);
        });
  }

  @Test
  void everyChangeIsAuditedWithActorReasonOldAndNew() {
    UsageEngine engine = engine();
    String user = user("audited");
    engine.quotas().initializeUserQuotas(user, Tier.FREE, "signup-service");
    clock.advance(java.time.Duration.ofMinutes(1));
    engine.quotas().updateQuota(user, Quota.monthly(QuotaType.CHARACTERS, 20_000), "alice@admin", "ticket 42");
    engine.quotas().changeTier(user, Tier.PREMIUM, "billing", "paid");
    engine.quotas().changeBillingCycle(user, ZoneId.of("Europe/Paris"), 15, "billing", "anchor on payment day");
    UserQuota before = engine.quotas().getUserQuota(user);
    engine.quotas().changeTier(user, Tier.PREMIUM, "billing", "no-op");

    List<AuditEntry> trail = engine.quotas().auditTrail(user);

    assertThat(trail).extracting(AuditEntry::action)
        .containsExactly("initialize", "override", "change-tier", "billing-cycle");
    AuditEntry override = trail.get(1);
    assertThat(override.actor()).isEqualTo("alice@admin");
    assertThat(override.reason()).isEqualTo("ticket 42");
    assertThat(override.quotaType()).contains(QuotaType.CHARACTERS);
    assertThat(override.oldValue()).isEqualTo("10000/month hard");
    assertThat(override.newValue()).isEqualTo("20000/month hard");
    assertThat(override.at()).isEqualTo(Instant.parse(START).plusSeconds(60));
    assertThat(trail.get(2).oldValue()).isEqualTo(Tier.FREE);
    assertThat(trail.get(2).newValue()).isEqualTo(Tier.PREMIUM);
    assertThat(engine.quotas().getUserQuota(user)).as("a no-op change stores nothing").isEqualTo(before);
  }

  @Test
  void aBulkUpdateChangesAndAuditsEachUserOnceAndABadListChangesNobody() {
    UsageEngine engine = engine();
    List<String> users = List.of(user("bulk-a"), user("bulk-b"), user("bulk-c"));
    engine.quotas().updateQuota(users.get(1), Quota.monthly(QuotaType.REQUESTS, 900), "admin", "earlier");
    Quota raised = Quota.monthly(QuotaType.REQUESTS, 900);

    assertThatThrownBy(() -> engine.quotas().updateQuotas(List.of(users.get(0), " "), raised, "admin", "campaign"))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("userIds[1]"));
    assertThatThrownBy(() -> engine.quotas().updateQuotas(List.of(users.get(0), users.get(0)), raised, "admin", "x"))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("userIds[1]"));
    assertThat(engine.quotas().auditTrail(users.get(0))).as("a refused list changes nobody").isEmpty();

    List<UserQuota> after = engine.quotas().updateQuotas(users, raised, "admin", "campaign");
    engine.quotas().updateQuotas(users, raised, "admin", "campaign"); // again: nothing new

    assertThat(after).extracting(UserQuota::userId).containsExactlyElementsOf(users);
    for (String u : users) {
      assertThat(limit(engine, u, QuotaType.REQUESTS)).isEqualTo(900);
    }
    assertThat(engine.quotas().auditTrail(users.get(0))).extracting(AuditEntry::action, AuditEntry::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("override", "campaign"));
    assertThat(engine.quotas().auditTrail(users.get(1))).as("already at the new value: not audited again")
        .extracting(AuditEntry::reason).containsExactly("earlier");
    assertThat(engine.quotas().auditTrail(users.get(2))).hasSize(1);
  }

  private static long limit(UsageEngine engine, String user, QuotaType type) {
    return status(engine, user, type).limit();
  }

  @Test
  void aDowngradeScheduledForTheNextPeriodWaitsForItsBoundaryOnEveryEngine() {
    UsageEngine engine = engine();
    UsageEngine other = engine(); // shares only the store, and caches settings of its own
    String user = user("downgrade");
    engine.quotas().changeTier(user, Tier.PREMIUM, "billing", "upgrade");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 50_000));
    assertThat(other.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 1)).allowed()).isTrue();

    UserQuota scheduled = engine.quotas().changeTierAtNextPeriod(user, Tier.FREE,
        dev.usage.ChangeRequest.of("billing", "downgrade at renewal"));

    assertThat(scheduled.tier()).isEqualTo(Tier.PREMIUM);
    assertThat(scheduled.scheduled()).contains(new dev.usage.TierChange(Tier.FREE, Instant.parse("2026-04-01T00:00:00Z")));
    assertThat(status(other, user, QuotaType.CHARACTERS).limit()).as("premium until March ends").isEqualTo(100_000);
    assertThat(other.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 40_000)).allowed()).isTrue();

    clock.set("2026-04-01T00:00:00Z");
    assertThat(engine.quotas().getUserQuota(user)).satisfies(u -> {
      assertThat(u.tier()).isEqualTo(Tier.FREE);
      assertThat(u.scheduled()).isEmpty();
    });
    assertThat(status(other, user, QuotaType.CHARACTERS).limit()).isEqualTo(10_000);
    assertThat(other.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 10_001)).allowed()).isFalse();
    assertThat(other.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 10_000)).allowed()).isTrue();
    assertThat(storage.userQuotas().find(user).orElseThrow().tier()).as("not recorded yet").isEqualTo(Tier.PREMIUM);

    clock.set("2026-04-02T00:10:00Z"); // March is final: the reset job closes it, and records the change
    engine.quotas().resetMonthlyQuotas();
    assertThat(storage.userQuotas().find(user).orElseThrow()).satisfies(u -> {
      assertThat(u.tier()).isEqualTo(Tier.FREE);
      assertThat(u.scheduled()).isEmpty();
    });
    List<AuditEntry> trail = engine.quotas().auditTrail(user);
    assertThat(trail).extracting(AuditEntry::action).containsExactly("change-tier", "schedule-tier",
        "apply-scheduled-tier");
    assertThat(trail.get(1)).satisfies(e -> {
      assertThat(e.actor()).isEqualTo("billing");
      assertThat(e.oldValue()).isEqualTo("-");
      assertThat(e.newValue()).isEqualTo("tier=free from 2026-04-01T00:00:00Z");
    });
    assertThat(trail.get(2)).satisfies(e -> {
      assertThat(e.actor()).isEqualTo("usage-engine");
      assertThat(e.oldValue()).isEqualTo(Tier.PREMIUM);
      assertThat(e.newValue()).isEqualTo(Tier.FREE);
    });
    engine.quotas().resetMonthlyQuotas();
    assertThat(engine.quotas().auditTrail(user)).as("recorded once").hasSize(3);
  }

  @Test
  void aTierChangeNowReplacesAScheduledOneAndACancelledOneNeverApplies() {
    UsageEngine engine = engine();
    String user = user("replace");
    engine.quotas().changeTier(user, Tier.PREMIUM, "billing", "upgrade");
    dev.usage.ChangeRequest downgrade = dev.usage.ChangeRequest.of("billing", "downgrade").withRequestId("dg-1");
    engine.quotas().changeTierAtNextPeriod(user, Tier.FREE, downgrade);
    engine.quotas().changeTierAtNextPeriod(user, Tier.FREE, downgrade); // a retry: applied once

    engine.quotas().changeTier(user, Tier.ENTERPRISE, "billing", "upgrade instead");
    assertThat(engine.quotas().getUserQuota(user).scheduled()).isEmpty();
    engine.quotas().changeTierAtNextPeriod(user, Tier.FREE, dev.usage.ChangeRequest.of("billing", "downgrade again"));
    engine.quotas().cancelScheduledTierChange(user, dev.usage.ChangeRequest.of("support", "customer stayed"));
    clock.set("2026-04-02T00:00:00Z");

    assertThat(engine.quotas().getUserQuota(user)).satisfies(u -> {
      assertThat(u.tier()).isEqualTo(Tier.ENTERPRISE);
      assertThat(u.scheduled()).isEmpty();
    });
    assertThat(engine.quotas().auditTrail(user)).extracting(AuditEntry::action).containsExactly("change-tier",
        "schedule-tier", "change-tier", "schedule-tier", "cancel-scheduled-tier");
    assertThatThrownBy(() -> engine.quotas().changeTierAtNextPeriod(user, "gold",
        dev.usage.ChangeRequest.of("billing", "unknown tier")))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("tier"));
    assertThat(engine.quotas().auditTrail(user)).hasSize(5);

    // a change whose instant has passed has taken effect: cancelling leaves it, changeTier moves the user back
    engine.quotas().changeTierAtNextPeriod(user, Tier.FREE, dev.usage.ChangeRequest.of("billing", "downgrade"));
    clock.set("2026-05-01T00:00:01Z");
    assertThat(engine.quotas().cancelScheduledTierChange(user, dev.usage.ChangeRequest.of("support", "too late"))
        .tier()).isEqualTo(Tier.FREE);
    assertThat(engine.quotas().getUserQuota(user).tier()).isEqualTo(Tier.FREE);
    assertThat(engine.quotas().auditTrail(user)).extracting(AuditEntry::action).endsWith("schedule-tier");
  }

  @Test
  void anAdminResetStillAppliesAfterAZoneChangeThatKeepsThePeriod() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 100)));
    String user = user("reset-then-zone");
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 90)).allowed()).isTrue();
    engine.quotas().resetUsage(user, QuotaType.REQUESTS, dev.usage.ChangeRequest.of("support", "outage refund"));

    // March goes on (same counter) but now begins at midnight in New York: the reset moves with it
    UserQuota moved = engine.quotas().changeBillingCycle(user, ZoneId.of("America/New_York"), 1, "admin", "moved");

    assertThat(moved.resets().get(QuotaType.REQUESTS).periodStart()).isEqualTo(Instant.parse("2026-03-01T05:00:00Z"));
    assertThat(status(engine, user, QuotaType.REQUESTS).used()).as("the 90 units forgiven stay forgiven").isZero();
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 100)).allowed()).isTrue();
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isFalse();
  }

  @Test
  void anAdminResetGivesTheWholeAllowanceBackOnEveryEngineAndErasesNoUnit() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 100)));
    UsageEngine other = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 100)));
    String user = user("admin-reset");
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 100)).allowed()).isTrue();
    assertThat(other.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isFalse();

    UserQuota after = engine.quotas().resetUsage(user, QuotaType.REQUESTS,
        dev.usage.ChangeRequest.of("support", "outage refund"));

    assertThat(after.resets().get(QuotaType.REQUESTS)).satisfies(r -> {
      assertThat(r.units()).isEqualTo(100);
      assertThat(r.periodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    });
    assertThat(status(other, user, QuotaType.REQUESTS)).satisfies(s -> {
      assertThat(s.used()).isZero();
      assertThat(s.limit()).isEqualTo(100);
      assertThat(s.remaining()).isEqualTo(100);
    });
    assertThat(other.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 100)).allowed()).isTrue();
    assertThat(other.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isFalse();
    assertThat(engine.quotas().auditTrail(user)).last().satisfies(e -> {
      assertThat(e.action()).isEqualTo("reset-usage");
      assertThat(e.actor()).isEqualTo("support");
      assertThat(e.quotaType()).contains(QuotaType.REQUESTS);
      assertThat(e.oldValue()).isEqualTo("-");
      assertThat(e.newValue()).startsWith("100 units of the period from 2026-03-01T00:00:00Z reset at ");
    });
    assertThatThrownBy(() -> engine.quotas().resetUsage(user, QuotaType.of("images"),
        dev.usage.ChangeRequest.of("support", "no such quota")))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("quotaType"));
    assertThat(engine.quotas().auditTrail(user)).as("nothing changed by the refused reset").hasSize(1);

    clock.set("2026-04-02T00:10:00Z"); // March final
    engine.quotas().resetMonthlyQuotas();
    assertThat(engine.quotas().getQuotaHistory(user)).as("the period keeps every unit").singleElement()
        .satisfies(r -> assertThat(r.used()).isEqualTo(200));
    assertThat(status(engine, user, QuotaType.REQUESTS).used()).as("April starts afresh").isZero();
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 101)).allowed())
        .as("March's reset does not raise April's allowance").isFalse();
  }
}
