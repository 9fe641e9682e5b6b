package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link RedisAvailability} on this machine: the shared Redis answers and the binaries run. */
class RedisAvailabilityIT {

  @Test
  void sharedRedisAnswersPing() {
    RedisAvailability.requireLocalRedis();
    String info = RespClient.call(RedisAvailability.LOCAL_HOST, RedisAvailability.LOCAL_PORT,
        Duration.ofSeconds(2), "INFO", "server");
    assertThat(info).contains("redis_version:");
  }

  @Test
  void binariesAreFoundAndRun() throws Exception {
    RedisAvailability.requireRedisBinaries();
    for (Path binary : List.of(RedisAvailability.redisServer(), RedisAvailability.redisCli())) {
      Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(binary + " --version: " + out).isZero();
      String banner = binary.getFileName().toString().equals("redis-cli") ? "redis-cli " : "Redis server v=";
      assertThat(out).startsWith(banner);
    }
  }
}
