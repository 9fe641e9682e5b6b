package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;

/**
 * Streaming exports and their orders on an H2 database file in a temporary folder. H2 reads a result that
 * needs sorting (an order no index gives) into a buffer of {@code MAX_MEMORY_ROWS} rows and moves the rest
 * to a temporary file; the default is 40,000 rows per GB of heap, so this database sets 5,000 to make the
 * bound the test's, not the machine's; its page cache (a fixed size, 16 MB by default) is set to 4 MB for the
 * same reason. (An in-memory H2 database keeps the overflow in the heap, as it does its tables.)
 */
class H2EventStreamTest extends AbstractEventStreamCheck {

  private Path folder;

  @Override
  HikariDataSource freshDatabase() {
    try {
      folder = Files.createTempDirectory("usage-h2-stream");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HikariDataSource ds = TestDatabases.pool("jdbc:h2:file:" + folder.resolve("db") + ";MAX_MEMORY_ROWS=5000;CACHE_SIZE=4096", "sa",
        "", 4);
    JdbcSchema.create(ds, JdbcDialect.H2);
    return ds;
  }

  @AfterAll
  void deleteFolder() throws IOException {
    if (folder != null) {
      try (Stream<Path> files = Files.walk(folder)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
