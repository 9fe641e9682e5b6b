package dev.usage.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.usage.memory.InMemoryFixture;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The second-JVM helper itself: a child on in-memory storage (its own, not shared) waits for the start
 * gate and reports every decision; alone it admits exactly the limit.
 */
class SecondJvmTest {

  @Test
  void childWaitsForTheGateAndReportsEveryDecision() throws Exception {
    try (SecondJvm child = SecondJvm.start(Contender.class,
        List.of(InMemoryFixture.class.getName(), "solo", "50", "4", "20", AbstractStorageContract.START))) {
      child.awaitReady(Duration.ofMinutes(1));
      child.go();
      List<JsonNode> results = child.awaitResults(Duration.ofMinutes(1));

      assertThat(results).hasSize(80);
      assertThat(results.stream().filter(n -> n.get("allowed").asBoolean()).count()).isEqualTo(50);
    }
  }

  @Test
  void keyedChildCountsEachKeyOnceOverAllItsThreads() throws Exception {
    try (SecondJvm child = SecondJvm.start(Contender.class,
        List.of(InMemoryFixture.class.getName(), "solo", "1000", "4", "20", AbstractStorageContract.START, "keyed"))) {
      child.awaitReady(Duration.ofMinutes(1));
      child.go();
      List<JsonNode> results = child.awaitResults(Duration.ofMinutes(1));

      assertThat(results).hasSize(80).allMatch(n -> n.get("allowed").asBoolean());
      assertThat(results.stream().filter(n -> !n.get("replayed").asBoolean()).count()).isEqualTo(20);
    }
  }
}
