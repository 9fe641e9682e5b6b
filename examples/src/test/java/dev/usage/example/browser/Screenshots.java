package dev.usage.example.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;

/**
 * The PNGs of a browser test, numbered in the order taken ({@code 01-alice-dashboard-green.png}, ...), in
 * one directory that each run empties first.
 */
final class Screenshots {

  private final Path dir;
  private int taken;

  Screenshots(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
      try (Stream<Path> old = Files.list(dir)) {
        for (Path p : old.filter(p -> p.toString().endsWith(".png")).toList()) {
          Files.delete(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Saves what {@code driver} shows now as the next numbered PNG, named after {@code what}. */
  Path take(WebDriver driver, String what) {
    Path file = dir.resolve(String.format("%02d-%s.png", ++taken, what));
    try {
      Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
