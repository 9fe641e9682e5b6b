package dev.usage.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.usage.AuditEntry;
import dev.usage.AuditFilter;
import dev.usage.AuditOrder;
import dev.usage.AuditQuery;
import dev.usage.AuditVerification;
import dev.usage.ChangeRequest;
import dev.usage.IdempotencyConflictException;
import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaManagementService;
import dev.usage.QuotaType;
import dev.usage.Tier;
import dev.usage.UsageEngine;
import dev.usage.UserQuota;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The audit trail (semantics 6): an entry for every change path, written with the change; a request id
 * applied once per user, also when threads race with it, and refused for another change; the optional hash
 * chain and its verifier, which shows an entry edited in the store past the library. Queries and exports are
 * {@link AuditQueryContract}'s.
 */
public abstract class AuditContract extends AbstractStorageContract {

  private static final Quota NINE_HUNDRED = Quota.monthly(QuotaType.REQUESTS, 900);

  @Test
  void everyChangePathWritesOneEntryWithItsRequestId() {
    QuotaManagementService quotas = engine().quotas();
    String user = user("paths");
    String other = user("paths-bulk");
    quotas.initializeUserQuotas(user, Tier.FREE, "signup");
    quotas.updateQuota(user, NINE_HUNDRED, ChangeRequest.of("alice", "ticket 1").withRequestId("r-override"));
    quotas.removeQuotaOverride(user, QuotaType.REQUESTS, ChangeRequest.of("alice", "ticket 2").withRequestId("r-remove"));
    quotas.changeTier(user, Tier.PREMIUM, ChangeRequest.of("billing", "paid").withRequestId("r-tier"));
    quotas.changeBillingCycle(user, ZoneId.of("Europe/Paris"), 15, ChangeRequest.of("billing", "anchor"));
    quotas.updateQuotas(List.of(user, other), Quota.monthly(QuotaType.CHARACTERS, 7), ChangeRequest.of("ops", "bulk")
        .withRequestId("r-bulk"));

    assertThat(quotas.auditTrail(user)).extracting(AuditEntry::action, AuditEntry::actor, AuditEntry::requestId)
        .containsExactly(
            tuple("initialize", "signup", Optional.empty()),
            tuple("override", "alice", Optional.of("r-override")),
            tuple("remove-override", "alice", Optional.of("r-remove")),
            tuple("change-tier", "billing", Optional.of("r-tier")),
            tuple("billing-cycle", "billing", Optional.empty()),
            tuple("override", "ops", Optional.of("r-bulk")));
    assertThat(quotas.auditTrail(user).get(2)).satisfies(e -> {
      assertThat(e.oldValue()).isEqualTo("900/month hard");
      assertThat(e.newValue()).isEqualTo("500/month hard");
      assertThat(e.quotaType()).contains(QuotaType.REQUESTS);
    });
    assertThat(quotas.auditTrail(other)).extracting(AuditEntry::requestId).containsExactly(Optional.of("r-bulk"));
  }

  @Test
  void aRepeatedRequestIdChangesNothingAndReturnsTheCurrentSettings() {
    QuotaManagementService quotas = engine().quotas();
    String user = user("repeat");
    ChangeRequest raise = ChangeRequest.of("alice", "ticket 7").withRequestId("idem-7");
    quotas.updateQuota(user, NINE_HUNDRED, raise);
    UserQuota lowered = quotas.updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 300), "bob", "later change");

    UserQuota retried = quotas.updateQuota(user, NINE_HUNDRED, raise);

    assertThat(retried).as("the current settings, not the retried change").isEqualTo(lowered);
    assertThat(status(engine(), user, QuotaType.REQUESTS).limit()).isEqualTo(300);
    assertThat(quotas.auditTrail(user)).extracting(AuditEntry::reason).containsExactly("ticket 7", "later change");
    List<UserQuota> bulk = quotas.updateQuotas(List.of(user), NINE_HUNDRED, raise);
    assertThat(bulk).containsExactly(lowered);
    assertThat(quotas.auditTrail(user)).hasSize(2);

    String someoneElse = user("repeat-other");
    quotas.updateQuota(someoneElse, NINE_HUNDRED, raise);
    assertThat(quotas.auditTrail(someoneElse)).as("request ids are per user").hasSize(1);
  }

  @Test
  void aRequestIdReusedForAnotherChangeIsAConflictAndChangesNothing() {
    QuotaManagementService quotas = engine().quotas();
    String user = user("conflict");
    ChangeRequest first = ChangeRequest.of("alice", "ticket 8").withRequestId("idem-8");
    UserQuota stored = quotas.updateQuota(user, NINE_HUNDRED, first);

    List<Consumer<QuotaManagementService>> others = List.of(
        q -> q.updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 800), first),
        q -> q.updateQuota(user, Quota.monthly(QuotaType.CHARACTERS, 900), first),
        q -> q.changeTier(user, Tier.PREMIUM, first),
        q -> q.removeQuotaOverride(user, QuotaType.REQUESTS, first));
    for (Consumer<QuotaManagementService> other : others) {
      assertThatThrownBy(() -> other.accept(quotas)).isInstanceOfSatisfying(IdempotencyConflictException.class, e -> {
        assertThat(e.key()).isEqualTo("idem-8");
        assertThat(e.userId()).isEqualTo(user);
      });
    }
    assertThat(quotas.getUserQuota(user)).isEqualTo(stored);
    assertThat(quotas.auditTrail(user)).hasSize(1);
  }

  @Test
  void theStoreRefusesASecondEntryWithTheSameRequestIdInsideItsSave() {
    // the engine looks the id up first; this is the check inside the atomic step that closes the race
    String user = user("store-once");
    AuditEntry entry = new AuditEntry(clock.instant(), "alice", user, "change-tier", Optional.empty(), "free",
        "premium", "once").withRequestId("idem-store");
    UserQuota first = storage.userQuotas().save(new UserQuota(user, Tier.PREMIUM, java.util.Map.of(), ZoneId.of("UTC"),
        1, 0), entry).orElseThrow();

    Optional<UserQuota> second = storage.userQuotas().save(first.withTier(Tier.ENTERPRISE), entry);

    assertThat(second).as("refused: nothing changed").isEmpty();
    assertThat(storage.userQuotas().find(user)).contains(first);
    assertThat(storage.userQuotas().auditTrail(user)).containsExactly(entry);
  }

  @Test
  void threadsRacingWithOneRequestIdMakeOneChange() throws Exception {
    String user = user("race");
    ChangeRequest request = ChangeRequest.of("alice", "double click").withRequestId("idem-race");
    int threads = 4; // with as many changes racing along: well within the engine's retries of a lost race
    List<UsageEngine> engines = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      engines.add(engine());
    }
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads * 2);
    try {
      List<Future<UserQuota>> results = new ArrayList<>();
      List<Future<UserQuota>> noise = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        QuotaManagementService q = engines.get(i).quotas();
        int n = i;
        results.add(pool.submit(() -> {
          start.await();
          return q.updateQuota(user, NINE_HUNDRED, request);
        }));
        // changes without the id race along, so a lost update of the id would show as a second entry
        noise.add(pool.submit(() -> {
          start.await();
          return q.updateQuota(user, Quota.monthly(QuotaType.CHARACTERS, 1_000 + n), "bob", "noise " + n);
        }));
      }
      start.countDown();
      for (Future<UserQuota> r : results) {
        assertThat(r.get(1, TimeUnit.MINUTES).overrides()).containsEntry(QuotaType.REQUESTS, NINE_HUNDRED);
      }
      for (Future<UserQuota> r : noise) {
        r.get(1, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
    }

    assertThat(engine().quotas().auditTrail(user)).filteredOn(e -> e.requestId().isPresent()).hasSize(1);
    assertThat(engine().quotas().auditTrail(user)).hasSize(threads + 1);
  }

  @Test
  void aHashChainVerifiesAndLinksEachEntryToTheOneBefore() {
    String user = user("chain");
    engine().quotas().updateQuota(user, NINE_HUNDRED, "alice", "before the chain");
    QuotaManagementService quotas = engine(b -> b.auditHashChain(true)).quotas();
    quotas.changeTier(user, Tier.PREMIUM, ChangeRequest.of("alice", "chained").withRequestId("idem-chain"));
    clock.advance(Duration.ofNanos(1_234_567));
    quotas.removeQuotaOverride(user, QuotaType.REQUESTS, "bob", "chained, ünïcode, \"quotes\"");

    List<AuditEntry> trail = quotas.auditTrail(user);
    assertThat(trail.get(0).hash()).isEmpty();
    assertThat(trail.get(1).previousHash()).isEmpty();
    assertThat(trail.get(1).hash()).isPresent();
    assertThat(trail.get(2).previousHash()).isEqualTo(trail.get(1).hash());
    AuditVerification v = quotas.verifyAuditTrail(user);
    assertThat(v.intact()).as(v.toString()).isTrue();
    assertThat(v.entries()).isEqualTo(3);
    assertThat(v.unchained()).isEqualTo(1);
  }

  @Test
  void aStoredEntryEditedPastTheLibraryBreaksTheChain() throws Exception {
    QuotaManagementService quotas = engine(b -> b.auditHashChain(true)).quotas();
    String user = user("tamper");
    quotas.updateQuota(user, NINE_HUNDRED, "alice", "first");
    quotas.changeTier(user, Tier.PREMIUM, "alice", "second");
    quotas.changeTier(user, Tier.ENTERPRISE, "alice", "third");
    assertThat(quotas.verifyAuditTrail(user).intact()).isTrue();
    Assumptions.assumeTrue(storageFixture().tamperWithAuditEntry(user, 1, "SECOND"),
        "the backend's audit entries cannot be edited from outside");
    try {
      AuditVerification v = quotas.verifyAuditTrail(user);
      assertThat(v.firstBreak()).hasValueSatisfying(b -> {
        assertThat(b.index()).isEqualTo(1);
        assertThat(b.entry().reason()).isEqualTo("SECOND");
        assertThat(b.problem()).contains("edited");
      });
      assertThat(quotas.verifyAuditTrails().firstBreak()).as("found by the walk over every user").isPresent();
    } finally {
      storageFixture().tamperWithAuditEntry(user, 1, "second");
    }
    assertThat(quotas.verifyAuditTrail(user).intact()).as("restored").isTrue();
  }

  @Test
  void badAuditInputIsRefusedNamingTheFieldAndChangesNothing() {
    QuotaManagementService quotas = engine().quotas();
    String user = user("bad-audit");
    quotas.updateQuota(user, NINE_HUNDRED, "alice", "seed");
    UserQuota before = quotas.getUserQuota(user);

    assertField(() -> ChangeRequest.of("alice", "r").withRequestId(" "), "requestId");
    assertField(() -> ChangeRequest.of("alice", "r").withRequestId("a\tb"), "requestId");
    assertField(() -> ChangeRequest.of("alice", "r").withRequestId("x".repeat(129)), "requestId");
    assertField(() -> quotas.updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 1), (ChangeRequest) null), "request");
    assertField(() -> quotas.changeTier(user, "no-such-tier", ChangeRequest.of("a", "r").withRequestId("i")), "tier");
    assertField(() -> quotas.findAuditEntries(null), "query");
    assertField(() -> new AuditQuery(AuditFilter.all(), AuditOrder.OLDEST_FIRST, -1, 10), "offset");
    assertField(() -> new AuditQuery(AuditFilter.all(), AuditOrder.OLDEST_FIRST, 0, 0), "limit");
    assertField(() -> AuditQuery.of(AuditFilter.all()).limit(AuditQuery.MAX_LIMIT + 1), "limit");
    assertField(() -> AuditFilter.builder().user(" ").build(), "users");
    assertField(() -> AuditFilter.builder().actor("a\nb").build(), "actors");
    assertField(() -> quotas.exportAuditTrail(AuditFilter.all(), AuditOrder.OLDEST_FIRST, null,
        new ByteArrayOutputStream()), "format");
    assertField(() -> quotas.verifyAuditTrail("a\tb"), "userId");

    assertThat(quotas.getUserQuota(user)).isEqualTo(before);
    assertThat(quotas.auditTrail(user)).hasSize(1);
  }

  private static void assertField(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field) {
    assertThatThrownBy(call).isInstanceOfSatisfying(InvalidUsageException.class,
        e -> assertThat(e.field()).isEqualTo(field));
  }
}
