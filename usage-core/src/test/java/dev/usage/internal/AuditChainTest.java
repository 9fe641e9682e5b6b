package dev.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.AuditEntry;
import dev.usage.AuditVerification;
import dev.usage.QuotaType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditChainTest {

  private static final Instant AT = Instant.parse("2026-03-15T10:00:00.123456Z");

  private static List<AuditEntry> chain(int n) {
    List<AuditEntry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      AuditEntry e = new AuditEntry(AT.plusSeconds(i), "alice", "u", "override", Optional.of(QuotaType.REQUESTS),
          "v" + i, "v" + (i + 1), "reason " + i);
      out.add(AuditChain.link(e, out.isEmpty() ? Optional.empty() : Optional.of(out.get(out.size() - 1))));
    }
    return out;
  }

  @Test
  void anUntouchedChainVerifies() {
    AuditVerification v = AuditChain.verify("u", chain(4));
    assertThat(v.intact()).isTrue();
    assertThat(v.entries()).isEqualTo(4);
  }

  @Test
  void theHashCoversEveryFieldAndThePreviousHash() {
    AuditEntry e = chain(1).get(0);
    String h = e.hash().orElseThrow();
    assertThat(AuditChain.hash(e.withRequestId("r"), Optional.empty())).isNotEqualTo(h);
    assertThat(AuditChain.hash(e, Optional.of("0".repeat(64)))).isNotEqualTo(h);
    AuditEntry split = new AuditEntry(e.at(), e.actor(), e.userId(), e.action(), e.quotaType(), "v0v", "1",
        e.reason());
    AuditEntry joined = new AuditEntry(e.at(), e.actor(), e.userId(), e.action(), e.quotaType(), "v0", "v1",
        e.reason());
    assertThat(AuditChain.hash(split, Optional.empty())).as("fields are length-prefixed")
        .isNotEqualTo(AuditChain.hash(joined, Optional.empty()));
  }

  @Test
  void showsTheFirstEditedRemovedOrInsertedEntry() {
    List<AuditEntry> edited = chain(4);
    AuditEntry e = edited.get(2);
    edited.set(2, new AuditEntry(e.at(), e.actor(), e.userId(), e.action(), e.quotaType(), e.oldValue(),
        "v999", e.reason(), e.requestId(), e.previousHash(), e.hash()));
    assertThat(AuditChain.verify("u", edited).firstBreak()).hasValueSatisfying(b -> {
      assertThat(b.index()).isEqualTo(2);
      assertThat(b.problem()).contains("edited");
    });

    List<AuditEntry> removed = chain(4);
    removed.remove(1);
    assertThat(AuditChain.verify("u", removed).firstBreak()).hasValueSatisfying(b -> assertThat(b.index()).isEqualTo(1));

    List<AuditEntry> first = chain(3);
    first.remove(0);
    assertThat(AuditChain.verify("u", first).firstBreak()).hasValueSatisfying(b -> assertThat(b.index()).isZero());

    List<AuditEntry> unhashed = chain(3);
    unhashed.set(1, unhashed.get(1).withoutHashes());
    assertThat(AuditChain.verify("u", unhashed).firstBreak()).hasValueSatisfying(b -> assertThat(b.index()).isEqualTo(1));
  }

  @Test
  void entriesBeforeTheChainStartedAreCountedNotBroken() {
    List<AuditEntry> trail = new ArrayList<>(List.of(chain(1).get(0).withoutHashes()));
    trail.add(AuditChain.link(new AuditEntry(AT.plusSeconds(9), "bob", "u", "change-tier", Optional.empty(), "free",
        "premium", "x"), Optional.of(trail.get(0))));
    AuditVerification v = AuditChain.verify("u", trail);
    assertThat(v.intact()).isTrue();
    assertThat(v.unchained()).isEqualTo(1);
  }
}
