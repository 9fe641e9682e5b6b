package dev.usage.benchmarks.spring;

import dev.usage.benchmarks.BenchmarkGroup;
import dev.usage.benchmarks.Effort;
import dev.usage.benchmarks.Suite;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The Spring suite: a {@code @QuotaGuard}ed MVC endpoint beside the same endpoint unguarded, served over
 * HTTP by embedded Tomcat (the target) and called in-process through MockMvc (a diagnostic), run and
 * reported by {@link Suite} into the {@code <!-- spring-results:begin -->} block of RESULTS.md;
 * {@code benchmarks/run-spring.sh} builds and runs it. By default the target pair runs two rounds and the
 * in-process diagnostic one ({@code -f N} sets both).
 */
public final class SpringSuite {

  static final Suite SUITE = Suite.builder("spring")
      .heading("Spring MVC guard")
      .benchmarkPackage("dev.usage.benchmarks.spring")
      .group(BenchmarkGroup.of("HttpEndpointBenchmark.guarded", "HttpEndpointBenchmark.plain").effort(Effort.rounds(2)))
      // the in-process pair is a diagnostic: one round by default
      .group(BenchmarkGroup.of("GuardedEndpointBenchmark.guarded", "GuardedEndpointBenchmark.plain")
          .effort(Effort.rounds(1)))
      .target("Guarded MVC endpoint over HTTP (embedded Tomcat, in-memory store), 8 client threads, 10,000 users",
          "HttpEndpointBenchmark.guarded", "HttpEndpointBenchmark.plain", 0.85)
      .diagnostic("The same handlers in-process (MockMvc, no sockets: the guard's largest share), 2 threads",
          "GuardedEndpointBenchmark.guarded", "GuardedEndpointBenchmark.plain")
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
    return "Spring Boot " + versions.getProperty("spring-boot", "?") + " (spring-webmvc, embedded Tomcat "
        + org.apache.catalina.util.ServerInfo.getServerNumber() + ", Apache HttpClient "
        + Suite.mavenVersion("org.apache.httpcomponents.client5", "httpclient5") + ", in-memory store)";
  }
}
