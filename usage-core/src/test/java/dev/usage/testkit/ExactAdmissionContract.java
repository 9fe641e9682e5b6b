package dev.usage.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.Consumption;
import dev.usage.Enforcement;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaLevel;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.UsageEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Exact enforcement (invariants I1 and I2): a HARD quota admits exactly its limit under contention,
 * never a unit more and never refuses one it had room for; several quotas of one request are consumed
 * all or nothing; refused attempts consume nothing.
 */
public abstract class ExactAdmissionContract extends AbstractStorageContract {

  private static final int THREADS = 16;

  @Test
  void admitsExactlyTheLimitWithSixteenThreadsInEveryTrial() throws Exception {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 100)));
    for (int trial = 0; trial < 20; trial++) {
      String user = user("hot");
      List<QuotaDecision> decisions = Hammer.run(THREADS, 12, Duration.ofMinutes(2),
          (t, a) -> engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)));
      long admitted = decisions.stream().filter(QuotaDecision::allowed).count();
      assertThat(admitted).as("trial %d", trial).isEqualTo(100);
      assertThat(used(engine, user, QuotaType.REQUESTS)).as("trial %d", trial).isEqualTo(100);
    }
  }

  @Test
  void variableAmountsAreNeitherOverNorUnderAdmitted() throws Exception {
    long limit = 1_000;
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.CHARACTERS, limit)));
    for (int trial = 0; trial < 5; trial++) {
      String user = user("variable");
      List<long[]> results = Hammer.run(THREADS, 25, Duration.ofMinutes(2), (t, a) -> {
        long amount = ThreadLocalRandom.current().nextLong(1, 8);
        boolean ok = engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, amount)).allowed();
        return new long[] {amount, ok ? 1 : 0};
      });
      long admitted = results.stream().filter(r -> r[1] == 1).mapToLong(r -> r[0]).sum();
      long smallestRejected = results.stream().filter(r -> r[1] == 0).mapToLong(r -> r[0]).min().orElseThrow();
      assertThat(admitted).as("no over-admission").isLessThanOrEqualTo(limit);
      assertThat(limit - admitted).as("no under-admission").isLessThan(smallestRejected);
      assertThat(used(engine, user, QuotaType.CHARACTERS)).isEqualTo(admitted);
    }
  }

  @Test
  void severalQuotasOfOneRequestAreConsumedAllOrNothing() throws Exception {
    UsageEngine engine = engine(b -> b
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 3_000))
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 120)));
    String user = user("multi");
    List<long[]> results = Hammer.run(THREADS, 20, Duration.ofMinutes(2), (t, a) -> {
      long chars = ThreadLocalRandom.current().nextLong(10, 41);
      QuotaDecision d = engine.tracking().consumeQuota(Consumption.builder(user).characters(chars).requests(1).build());
      return new long[] {chars, d.allowed() ? 1 : 0};
    });
    long admittedChars = results.stream().filter(r -> r[1] == 1).mapToLong(r -> r[0]).sum();
    long admittedRequests = results.stream().filter(r -> r[1] == 1).count();
    assertThat(used(engine, user, QuotaType.CHARACTERS)).isEqualTo(admittedChars).isLessThanOrEqualTo(3_000);
    assertThat(used(engine, user, QuotaType.REQUESTS)).isEqualTo(admittedRequests).isLessThanOrEqualTo(120);
  }

  @Test
  void refusalNamesTheViolatedQuotaAndConsumesNothing() {
    UsageEngine engine = engine(b -> b
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 1_000))
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 10)));
    String user = user("refused");
    assertThat(engine.tracking().consumeQuota(Consumption.builder(user).characters(900).requests(1).build()).allowed())
        .isTrue();

    QuotaDecision d = engine.tracking().consumeQuota(Consumption.builder(user).characters(101).requests(1).build());

    assertThat(d.allowed()).isFalse();
    assertThat(d.violated()).containsExactly(QuotaType.CHARACTERS);
    assertThat(d.remaining(QuotaType.CHARACTERS)).contains(100L);
    assertThat(d.remaining(QuotaType.REQUESTS)).contains(9L);
    assertThat(d.retryAfter()).isEqualTo(Duration.between(Instant.parse(START), Instant.parse("2026-04-01T00:00:00Z")));
    assertThat(used(engine, user, QuotaType.CHARACTERS)).isEqualTo(900);
    assertThat(used(engine, user, QuotaType.REQUESTS)).isEqualTo(1);
    assertThat(engine.tracking().consumeQuota(Consumption.builder(user).characters(100).requests(1).build()).allowed())
        .as("exactly the remaining room is still admitted").isTrue();
  }

  @Test
  void everyViolatedQuotaIsListed() {
    UsageEngine engine = engine(b -> b
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 10))
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1)));
    String user = user("both");
    engine.tracking().consumeQuota(Consumption.builder(user).characters(10).requests(1).build());

    QuotaDecision d = engine.tracking().consumeQuota(Consumption.builder(user).characters(1).requests(1).build());

    assertThat(d.violated()).containsExactlyInAnyOrder(QuotaType.CHARACTERS, QuotaType.REQUESTS);
  }

  @Test
  void decisionReportsStatusOfEveryInvolvedQuota() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 1_000)));
    String user = user("status");

    QuotaDecision d = engine.tracking().consumeQuota(Consumption.builder(user).characters(850).requests(1).build());

    QuotaStatus chars = d.status(QuotaType.CHARACTERS).orElseThrow();
    assertThat(chars.used()).isEqualTo(850);
    assertThat(chars.remaining()).isEqualTo(150);
    assertThat(chars.utilisation()).isEqualTo(0.85);
    assertThat(chars.level()).isEqualTo(QuotaLevel.YELLOW);
    assertThat(chars.periodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(chars.resetAt()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
    assertThat(d.status(QuotaType.REQUESTS).orElseThrow().level()).isEqualTo(QuotaLevel.GREEN);
    assertThat(d.status(QuotaType.TOKENS)).as("not involved").isEmpty();
  }

  @Test
  void softQuotaAdmitsPastItsLimitAndReportsRed() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.TOKENS, 100).soft()));
    String user = user("soft");

    QuotaDecision d = engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 150));

    assertThat(d.allowed()).isTrue();
    QuotaStatus s = d.status(QuotaType.TOKENS).orElseThrow();
    assertThat(s.enforcement()).isEqualTo(Enforcement.SOFT);
    assertThat(s.used()).isEqualTo(150);
    assertThat(s.remaining()).isZero();
    assertThat(s.level()).isEqualTo(QuotaLevel.RED);
  }

  @Test
  void zeroLimitRefusesEverything() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.TOKENS, 0)));
    QuotaDecision d = engine.tracking().consumeQuota(Consumption.of(user("zero"), QuotaType.TOKENS, 1));
    assertThat(d.allowed()).isFalse();
    assertThat(d.status(QuotaType.TOKENS).orElseThrow().level()).isEqualTo(QuotaLevel.RED);
  }

  @Test
  void checkQuotaCountsNothing() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 100)));
    String user = user("check");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 60));

    assertThat(engine.tracking().checkQuota(Consumption.of(user, QuotaType.CHARACTERS, 40)).allowed()).isTrue();
    QuotaDecision tooMuch = engine.tracking().checkQuota(Consumption.of(user, QuotaType.CHARACTERS, 41));
    assertThat(tooMuch.allowed()).isFalse();
    assertThat(tooMuch.violated()).containsExactly(QuotaType.CHARACTERS);
    assertThat(used(engine, user, QuotaType.CHARACTERS)).isEqualTo(60);
  }
}
