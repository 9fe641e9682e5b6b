package dev.usage.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.spi.UsageStorage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two JVMs on one shared store: exact admission in every one of 20 trials, and 100 new users whose four first
 * requests (two from each JVM) arrive at once without any error reaching a caller. An adapter's test extends
 * it once per backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SharedStoreScenario {

  private static final Instant AT = Instant.parse(AbstractStorageContract.START);

  private StorageFixture fixture;
  private UsageStorage storage;

  /** A fixture for the shared store; its class must have a public no-arg constructor. */
  protected abstract StorageFixture fixture();

  @BeforeAll
  void open() throws Exception {
    fixture = fixture();
    storage = fixture.open();
  }

  @AfterAll
  void close() throws Exception {
    fixture.close();
  }

  @RepeatedTest(20)
  void twoJvmsAdmitExactlyTheLimit() throws Exception {
    long limit = 300;
    String user = "trial-" + UUID.randomUUID();
    try (UsageEngine engine = UsageEngine.builder().storage(Storages.shared(storage))
        .clock(Clock.fixed(AT, ZoneOffset.UTC))
        .trackingMode(TrackingMode.SYNC).closeOnShutdown(false)
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, limit)).build();
        SecondJvm child = SecondJvm.start(Contender.class, List.of(fixture.getClass().getName(), user,
            Long.toString(limit), "8", "30", AT.toString()))) {
      child.awaitReady(Duration.ofMinutes(1));
      child.go();
      List<QuotaDecision> mine = Hammer.run(8, 30, Duration.ofMinutes(2),
          (t, a) -> engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)));
      List<JsonNode> theirs = child.awaitResults(Duration.ofMinutes(2));

      long admitted = mine.stream().filter(QuotaDecision::allowed).count()
          + theirs.stream().filter(n -> n.get("allowed").asBoolean()).count();
      assertThat(theirs).hasSize(240);
      assertThat(admitted).as("admitted over both JVMs").isEqualTo(limit);
      assertThat(used(engine, user, QuotaType.REQUESTS)).isEqualTo(limit);
    }
  }

  @Test
  void newUsersFirstRequestsFromTwoJvmsAtOnceAllSucceed() throws Exception {
    int users = 100;
    String prefix = "storm-" + UUID.randomUUID();
    try (UsageEngine engine = NewUserStorm.engine(storage, AT);
        SecondJvm child = SecondJvm.start(NewUserStorm.class, List.of(fixture.getClass().getName(), prefix,
            Integer.toString(users), "2", "2", AT.toString()))) {
      child.awaitReady(Duration.ofMinutes(1));
      child.go();
      List<String> results = new ArrayList<>(NewUserStorm.run(engine, prefix, users, 0, 2));
      child.awaitResults(Duration.ofMinutes(2)).forEach(n -> results.add(n.get("result").asText()));

      assertThat(results).hasSize(4 * users).allMatch("ok"::equals);
      for (int n = 0; n < users; n++) {
        String user = NewUserStorm.user(prefix, n);
        assertThat(used(engine, user, QuotaType.REQUESTS)).as(user).isEqualTo(3);
        assertThat(used(engine, user, QuotaType.CHARACTERS)).as(user).isEqualTo(150);
        assertThat(used(engine, user, QuotaType.TOKENS)).as(user).isEqualTo(300);
      }
    }
  }

  private static long used(UsageEngine engine, String user, QuotaType type) {
    return engine.quotas().getQuotaStatus(user).stream().filter(s -> s.type().equals(type)).findFirst()
        .map(QuotaStatus::used).orElseThrow();
  }
}
