package dev.usage.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Holds the README's quick start: the Java block under "## Quick start" compiles and runs as written. */
class ReadmeQuickStartTest {

  private static final Pattern QUICK_START =
      Pattern.compile("## Quick start\\s+```java\\n(.*?)\\n```", Pattern.DOTALL);

  @Test
  void quickStartCompilesAndRuns(@TempDir Path dir) throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher m = QUICK_START.matcher(readme);
    assertThat(m.find()).as("README has a java block under '## Quick start'").isTrue();
    Path source = dir.resolve("QuickStart.java");
    Files.writeString(source, m.group(1));

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status = javac.run(null, null, diagnostics, "-d", dir.toString(),
        "-cp", System.getProperty("java.class.path"), source.toString());
    assertThat(status).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      Method main = loader.loadClass("QuickStart").getMethod("main", String[].class);
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(original);
    }
    assertThat(out.toString(StandardCharsets.UTF_8).lines().toList()).containsAll(List.of(
        "characters: 1200 of 10000 used, GREEN, resets " + nextMonthStart(),
        "requests: 1 of 500 used, GREEN, resets " + nextMonthStart(),
        "tokens: 655 of 100000 used, GREEN, resets " + nextMonthStart()));
  }

  private static String nextMonthStart() {
    return java.time.YearMonth.now(java.time.ZoneOffset.UTC).plusMonths(1).atDay(1)
        .atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toString();
  }
}
