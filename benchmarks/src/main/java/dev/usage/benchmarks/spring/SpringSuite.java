package dev.usage.benchmarks.spring;

import dev.usage.benchmarks.Suite;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The Spring suite: a {@code @QuotaGuard}ed MVC endpoint beside the same endpoint unguarded, run and
 * reported by {@link Suite} into the {@code <!-- spring-results:begin -->} block of RESULTS.md;
 * {@code benchmarks/run-spring.sh} builds and runs it.
 */
public final class SpringSuite {

  static final Suite SUITE = Suite.builder("spring")
      .heading("Spring MVC guard")
      .benchmarkPackage("dev.usage.benchmarks.spring")
      .group("GuardedEndpointBenchmark.guarded", "GuardedEndpointBenchmark.plain")
      .target("Guarded MVC endpoint (in-memory store, MockMvc), 2 threads, 10,000 users",
          "GuardedEndpointBenchmark.guarded", "GuardedEndpointBenchmark.plain", 0.85)
      .software(SpringSuite::software)
      .build();

  private SpringSuite() {}

  public static void main(String[] args) throws Exception {
    SUITE.run(args);
  }

  /** Spring Boot's version as the build resolved it (written into the jar by resource filtering). */
  private static String software() {
    Properties versions = new Properties();
    try (InputStream in = SpringSuite.class.getResourceAsStream("versions.properties")) {
      if (in != null) {
        versions.load(in);
      }
    } catch (IOException e) {
      // the version line is informative only
    }
    return "Spring Boot " + versions.getProperty("spring-boot", "?") + " (spring-webmvc through MockMvc, in-memory store)";
  }
}
