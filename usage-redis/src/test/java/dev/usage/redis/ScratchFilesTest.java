package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link ScratchFiles}: logs read from an offset, missing files tolerated, directories deleted whole. */
class ScratchFilesTest {

  @Test
  void readsFromOffsetAndDeletesNestedDirectory() throws Exception {
    Path dir = ScratchFiles.createDirectory("usage-redis-test-");
    Path log = dir.resolve("redis.log");
    Files.writeString(log, "first start\n", StandardCharsets.UTF_8);
    long offset = ScratchFiles.size(log);
    Files.writeString(log, "first start\nsecond start\n", StandardCharsets.UTF_8);
    Files.createDirectories(dir.resolve("a/b"));
    Files.writeString(dir.resolve("a/b/nodes.conf"), "x", StandardCharsets.UTF_8);

    assertThat(ScratchFiles.read(log, offset)).isEqualTo("second start\n");
    assertThat(ScratchFiles.read(log, 10_000)).isEmpty();

    ScratchFiles.delete(dir);
    assertThat(dir).doesNotExist();
    ScratchFiles.delete(dir);
  }

  @Test
  void missingFileReadsEmptyWithSizeZero() {
    Path missing = Path.of(System.getProperty("java.io.tmpdir"), "usage-redis-missing-" + System.nanoTime());
    assertThat(ScratchFiles.size(missing)).isZero();
    assertThat(ScratchFiles.read(missing, 0)).isEmpty();
  }
}
