package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.UsageStorageException;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class RedisScriptsTest {

  @Test
  void aBlockingCommandCancelledWithItsConnectionIsAnUnknownOutcome() {
    // what Lettuce's blocking commands throw when their connection is closed or reset under them
    assertThatThrownBy(() -> RedisScripts.call(null, "rollups", () -> {
      throw new CancellationException();
    })).isInstanceOf(UsageStorageException.class).hasMessageContaining("rollups")
        .hasMessageContaining("outcome unknown").hasCauseInstanceOf(CancellationException.class);
  }
}
