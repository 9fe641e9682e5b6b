package dev.usage.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The scratch directories of the servers the tests start: created under {@code java.io.tmpdir}, their logs
 * read (from an offset, to see only what the latest start wrote), deleted with all they hold. Reading and
 * deleting never throw: they serve failure messages and cleanup, which must not mask the real failure.
 * Stateless and thread-safe.
 */
final class ScratchFiles {

  private ScratchFiles() {}

  /** A new empty directory named {@code prefix} and a random suffix. */
  static Path createDirectory(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a scratch directory", e);
    }
  }

  /** Deletes {@code dir} and everything in it, as far as possible; does nothing when it is gone. */
  static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // a temp directory left behind is harmless; the process is what must not leak
    }
  }

  /** The size of {@code file} in bytes, 0 when it does not exist (yet). */
  static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The text of {@code file} from byte {@code offset} on; empty when missing, a note when unreadable. */
  static String read(Path file, long offset) {
    try {
      byte[] bytes = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
      int from = (int) Math.min(offset, bytes.length);
      return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
