package dev.usage.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.usage.NotificationSettings;
import dev.usage.Quota;
import dev.usage.PeriodUsage;
import dev.usage.QuotaDecision;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.UsageEngine;
import dev.usage.spi.StorageCapability;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Exact enforcement and idempotency across processes (invariants I1 and I3 with two JVMs): this JVM and
 * a second one hammer one user of a shared store at once; together they admit exactly the limit, and a
 * key used by both counts once. Its tests are skipped (aborted, with the reason) for storages that do
 * not declare {@link StorageCapability#SHARED_ACROSS_PROCESSES}; the fixture class needs a public no-arg
 * constructor, because the second JVM makes its own.
 */
public abstract class TwoJvmContract extends AbstractStorageContract {

  @Test
  void twoJvmsTogetherAdmitExactlyTheLimit() throws Exception {
    requireShared();
    long limit = 300;
    String user = user("two-jvms");
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, limit)));
    try (SecondJvm child = SecondJvm.start(Contender.class, List.of(fixture().getClass().getName(), user,
        Long.toString(limit), "8", "30", START))) {
      child.awaitReady(Duration.ofMinutes(1));
      child.go();
      List<QuotaDecision> mine = Hammer.run(8, 30, Duration.ofMinutes(2),
          (t, a) -> engine.tracking().consumeQuota(Contender.request(user, a, false)));
      List<JsonNode> theirs = child.awaitResults(Duration.ofMinutes(2));

      long admittedHere = mine.stream().filter(QuotaDecision::allowed).count();
      long admittedThere = theirs.stream().filter(n -> n.get("allowed").asBoolean()).count();
      assertThat(theirs).hasSize(240);
      assertThat(admittedHere + admittedThere).isEqualTo(limit);
      assertThat(used(engine, user, QuotaType.REQUESTS)).isEqualTo(limit);
    }
  }

  @Test
  void anIdempotencyKeyCountsOnceAcrossTwoJvms() throws Exception {
    requireShared();
    String user = user("two-jvm-keys");
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1_000)));
    try (SecondJvm child = SecondJvm.start(Contender.class, List.of(fixture().getClass().getName(), user, "1000", "8",
        "30", START, "keyed"))) {
      child.awaitReady(Duration.ofMinutes(1));
      child.go();
      List<QuotaDecision> mine = Hammer.run(8, 30, Duration.ofMinutes(2),
          (t, a) -> engine.tracking().consumeQuota(Contender.request(user, a, true)));
      List<JsonNode> theirs = child.awaitResults(Duration.ofMinutes(2));

      long firstHere = mine.stream().filter(d -> d.allowed() && !d.replayed()).count();
      long firstThere = theirs.stream().filter(n -> n.get("allowed").asBoolean() && !n.get("replayed").asBoolean())
          .count();
      assertThat(mine).allMatch(QuotaDecision::allowed);
      assertThat(firstHere + firstThere).as("one first admission per key over both JVMs").isEqualTo(30);
      assertThat(used(engine, user, QuotaType.REQUESTS)).isEqualTo(30);
    }
  }

  @Test
  void eachThresholdIsNotifiedOnceByTwoJvmsConsumingTogether() throws Exception {
    requireShared();
    long limit = 100;
    String user = user("two-jvm-notify");
    RecordingChannel channel = new RecordingChannel("mail");
    // SOFT: every consume is admitted, so each JVM sees the quota past both thresholds whichever runs first,
    // and each claims both notifications
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, limit).soft())
        .notifications(NotificationSettings.builder().channel(channel).build()));
    try (SecondJvm child = SecondJvm.start(Contender.class, List.of(fixture().getClass().getName(), user,
        Long.toString(limit), "8", "30", START, "notify"))) {
      child.awaitReady(Duration.ofMinutes(1));
      child.go();
      Hammer.run(8, 30, Duration.ofMinutes(2),
          (t, a) -> engine.tracking().consumeQuota(Contender.request(user, a, false)));
      List<JsonNode> theirs = child.awaitResults(Duration.ofMinutes(2));
      engine.close(); // waits for the notifications under way

      List<Integer> thresholds = new java.util.ArrayList<>();
      channel.sent.forEach(n -> thresholds.add(n.thresholdPercent()));
      theirs.stream().filter(n -> n.has("notified")).forEach(n -> thresholds.add(n.get("notified").asInt()));
      assertThat(thresholds).as("80 %% and 100 %% once each, over both JVMs").containsExactlyInAnyOrder(80, 100);
      assertThat(used(engine, user, QuotaType.REQUESTS)).isEqualTo(480);
    }
  }

  private void requireShared() {
    Assumptions.assumeTrue(storage.capabilities().contains(StorageCapability.SHARED_ACROSS_PROCESSES),
        "the storage does not declare SHARED_ACROSS_PROCESSES; two-JVM tests do not apply");
  }

  /**
   * Two JVMs of four threads each consume and run the reset job from 2 s before the end of March, across it
   * and across the moment March becomes final (2 s later): March is closed once, with exactly the consumes it
   * admitted before the boundary, carried over once, and April keeps every consume after the boundary; a
   * rerun changes nothing.
   */
  @Test
  void twoJvmsRacingAcrossTheBoundaryCloseThePeriodOnceAndKeepBothPeriodsExact() throws Exception {
    requireShared();
    long limit = 100_000;
    String user = user("two-jvm-reset");
    Instant march = Instant.parse("2026-03-01T00:00:00Z");
    Instant april = Instant.parse("2026-04-01T00:00:00Z");
    String raceStart = "2026-03-31T23:59:58Z";
    Contender.RaceClock raceClock = new Contender.RaceClock();
    raceClock.startAt(Instant.parse(START));
    UsageEngine engine = engine(b -> Contender.resetRaceEngine(b, limit, raceClock));
    engine.tracking().consumeQuota(dev.usage.Consumption.of(user, QuotaType.REQUESTS, 5)); // March, before the race
    try (SecondJvm child = SecondJvm.start(Contender.class, List.of(fixture().getClass().getName(), user,
        Long.toString(limit), "4", "300", raceStart, "reset"))) {
      child.awaitReady(Duration.ofMinutes(1));
      child.go();
      raceClock.startAt(Instant.parse(raceStart));
      List<Object> mine = Hammer.run(4, 300, Duration.ofMinutes(2), (t, a) -> Contender.raceAttempt(engine, user, a));
      List<JsonNode> theirs = child.awaitResults(Duration.ofMinutes(2));

      long marchHere = mine.stream().filter(r -> r instanceof QuotaDecision d && d.allowed()
          && d.statuses().get(0).periodStart().equals(march)).count();
      long aprilHere = mine.stream().filter(r -> r instanceof QuotaDecision d && d.allowed()
          && d.statuses().get(0).periodStart().equals(april)).count();
      long marchThere = theirs.stream().filter(n -> n.has("allowed") && n.get("allowed").asBoolean()
          && n.get("period").asText().equals(march.toString())).count();
      long aprilThere = theirs.stream().filter(n -> n.has("allowed") && n.get("allowed").asBoolean()
          && n.get("period").asText().equals(april.toString())).count();
      assertThat(mine.stream().filter(r -> r instanceof QuotaDecision).count()
          + theirs.stream().filter(n -> n.has("allowed")).count()).isEqualTo(2 * 4 * 288);
      assertThat(marchHere + marchThere).as("the race began in March").isPositive();
      assertThat(aprilHere + aprilThere).as("and went on in April").isPositive();

      long marchUsed = 5 + marchHere + marchThere;
      List<PeriodUsage> rows = engine.quotas().getQuotaHistory(user);
      assertThat(rows).as("March closed once, by one of the eight threads").singleElement().satisfies(r -> {
        assertThat(r.periodStart()).isEqualTo(march);
        assertThat(r.used()).isEqualTo(marchUsed);
        assertThat(r.rolledOver()).as("the unused limit, carried once").isEqualTo(limit - marchUsed);
      });
      QuotaStatus now = status(engine, user, QuotaType.REQUESTS);
      assertThat(now.periodStart()).isEqualTo(april);
      assertThat(now.used()).as("no April consume erased").isEqualTo(aprilHere + aprilThere);
      assertThat(now.carriedIn()).isEqualTo(limit - marchUsed);

      engine.quotas().resetMonthlyQuotas();
      assertThat(engine.quotas().getQuotaHistory(user)).as("a rerun changes nothing").isEqualTo(rows);
    }
  }
}
