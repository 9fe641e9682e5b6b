package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.UsageEngine;
import dev.usage.testkit.NewUserStorm;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** New users' first requests, four kinds at once per user, on embedded H2 (one JVM). */
class H2NewUserStormTest {

  @Test
  void newUsersFirstRequestsAtOnceAllSucceed() throws Exception {
    JdbcFixture fixture = new JdbcFixture.H2();
    try (fixture; var storage = fixture.open();
        UsageEngine engine = NewUserStorm.engine(storage, Instant.parse("2026-03-15T10:00:00Z"))) {
      String prefix = "storm-" + UUID.randomUUID();
      assertThat(NewUserStorm.run(engine, prefix, 100, 0, 4)).hasSize(400).allMatch("ok"::equals);
      for (int n = 0; n < 100; n++) {
        String user = NewUserStorm.user(prefix, n);
        assertThat(engine.quotas().getQuotaStatus(user)).extracting(QuotaStatus::type, QuotaStatus::used)
            .contains(org.assertj.core.groups.Tuple.tuple(QuotaType.REQUESTS, 3L),
                org.assertj.core.groups.Tuple.tuple(QuotaType.CHARACTERS, 150L),
                org.assertj.core.groups.Tuple.tuple(QuotaType.TOKENS, 300L));
      }
    }
  }
}
