package dev.usage;

import dev.usage.internal.Checks;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes report files into a directory. A file is written under a temporary name in the same directory and
 * then given its name by a hard link, which is atomic and never replaces a file: a file of a report's name
 * is always complete, and a name that exists already is left alone (idempotent re-runs, several instances
 * sharing the directory). Where the file system has no hard links, a move that refuses an existing name
 * stands in. Thread-safe.
 */
public final class FileReportSink implements ReportSink {

  private final Path directory;

  /** @param directory where files go; created when missing */
  public FileReportSink(Path directory) {
    this.directory = Checks.notNull("directory", directory);
  }

  public Path directory() {
    return directory;
  }

  @Override
  public boolean deliver(String fileName, ExportFormat format, Content content) throws IOException {
    Checks.notNull("content", content);
    Path target = directory.resolve(checkName(fileName));
    if (Files.exists(target)) {
      return false;
    }
    Files.createDirectories(directory);
    Path partial = Files.createTempFile(directory, "." + fileName + ".", ".partial");
    try {
      try (OutputStream out = Files.newOutputStream(partial)) {
        content.writeTo(out);
      }
      try {
        // a hard link is created atomically and never replaces: of two writers racing, one gets the name
        Files.createLink(target, partial);
      } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
        if (e instanceof FileAlreadyExistsException) {
          throw (FileAlreadyExistsException) e;
        }
        Files.move(partial, target); // no links here: a move that refuses an existing name
      }
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /** A plain file name: no directories, nothing hidden, printable. */
  private static String checkName(String fileName) {
    Checks.name("fileName", fileName);
    if (fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")) {
      throw new InvalidUsageException("fileName", "must be a plain file name, was '" + fileName + "'");
    }
    return fileName;
  }

  @Override
  public String toString() {
    return "FileReportSink[" + directory + "]";
  }
}
