package dev.usage.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM on this test's class path, for proving that two processes sharing a store behave as one.
 * Protocol: the child prints {@code READY} once set up, waits for {@code GO} on its stdin, then prints
 * one JSON object per line (one per decision) and {@code DONE}. {@link Contender} is such a child.
 */
public final class SecondJvm implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Writer stdin;

  private SecondJvm(Process process) {
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("EOF " + e);
      }
      lines.add("EOF");
    }, "second-jvm-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code mainClass} in a new JVM with this JVM's class path and its {@code usage.it.*} system
   * properties (so a fixture can tell the second JVM where the first one's servers are); its stderr goes to
   * ours.
   */
  public static SecondJvm start(Class<?> mainClass, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith("usage.it."))
        .forEach(n -> command.add("-D" + n + "=" + System.getProperty(n)));
    command.add(mainClass.getName());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    return new SecondJvm(pb.start());
  }

  /** Waits for the child's {@code READY}. */
  public void awaitReady(Duration timeout) throws InterruptedException {
    String line = next(timeout);
    if (!"READY".equals(line)) {
      throw new AssertionError("second JVM did not get ready; it said: " + line);
    }
  }

  /** Opens the start gate. */
  public void go() throws IOException {
    stdin.write("GO\n");
    stdin.flush();
  }

  /** Reads the child's JSON lines until {@code DONE}. */
  public List<JsonNode> awaitResults(Duration timeout) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JsonNode> out = new ArrayList<>();
    while (true) {
      String line = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if ("DONE".equals(line)) {
        return out;
      }
      if (line.startsWith("EOF")) {
        throw new AssertionError("second JVM ended before DONE (exit " + process.waitFor() + ")");
      }
      out.add(JSON.readTree(line));
    }
  }

  private String next(Duration timeout) throws InterruptedException {
    String line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (line == null) {
      throw new AssertionError("second JVM said nothing within " + timeout);
    }
    return line;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
