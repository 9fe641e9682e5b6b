package dev.usage.benchmarks.spring;

import dev.usage.Quota;
import dev.usage.spring.annotation.QuotaGuard;
import dev.usage.spring.annotation.QuotaGuard.Amount;
import dev.usage.spring.autoconfigure.UsageAopAutoConfiguration;
import dev.usage.spring.autoconfigure.UsageAutoConfiguration;
import dev.usage.spring.autoconfigure.UsageMemoryStoreAutoConfiguration;
import dev.usage.spring.autoconfigure.UsageWebMvcAutoConfiguration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.MapPropertySource;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockServletContext;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.support.AnnotationConfigWebApplicationContext;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

/**
 * The Spring MVC guard's cost: the same handler with {@code @QuotaGuard} (characters and a request for a
 * random user of 10,000, in-memory store, through the module's auto-configuration) and without, each
 * called through Spring's {@code DispatcherServlet} in-process (MockMvc: no sockets, so the guard's share
 * of a request is as large as it gets). Target: guarded at least 0.85 times plain. Every guarded response
 * must carry the RateLimit fields; every response must be 200.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 3)
@Fork(3)
@Threads(2)
public class GuardedEndpointBenchmark {

  @Param("10000")
  public int users;

  private AnnotationConfigWebApplicationContext context;
  private MockMvc mvc;
  private String[] ids;
  private static final String TEXT = "Their is a mistake in this sentense, and an other one here.";

  /** The handlers: identical but for the guard. */
  @RestController
  public static class Correction {

    @PostMapping("/plain")
    public String plain(@RequestHeader("X-User") String user, @RequestBody String text) {
      return text.strip();
    }

    @PostMapping("/guarded")
    @QuotaGuard(user = "#user", amounts = {@Amount(type = "characters", value = "#text.length()"),
        @Amount(type = "requests", value = "1")})
    public String guarded(@RequestHeader("X-User") String user, @RequestBody String text) {
      return text.strip();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableWebMvc
  @ImportAutoConfiguration({UsageMemoryStoreAutoConfiguration.class, UsageAutoConfiguration.class,
      UsageAopAutoConfiguration.class, UsageWebMvcAutoConfiguration.class})
  @Import(Correction.class)
  static class App {}

  @Setup
  public void start() {
    context = new AnnotationConfigWebApplicationContext();
    context.setServletContext(new MockServletContext());
    // limits no call reaches, so that every quota is judged and reported in the RateLimit fields
    String max = Long.toString(Quota.MAX_AMOUNT);
    context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("bench", Map.of(
        "usage.store", "memory", "usage.quotas.defaults.monthly.characters", max,
        "usage.quotas.defaults.monthly.requests", max)));
    context.register(App.class);
    context.refresh();
    mvc = MockMvcBuilders.webAppContextSetup(context).build();
    ids = new String[users];
    for (int i = 0; i < users; i++) {
      ids[i] = "user-" + i;
    }
    MockHttpServletResponse r = call("/guarded");
    if (r.getHeader("RateLimit") == null || r.getHeader("RateLimit-Policy") == null) {
      throw new IllegalStateException("the guarded endpoint answered without RateLimit fields: " + r.getHeaderNames());
    }
  }

  @TearDown
  public void stop() {
    context.close();
  }

  private MockHttpServletResponse call(String path) {
    try {
      MockHttpServletResponse r = mvc.perform(MockMvcRequestBuilders.post(path)
          .header("X-User", ids[ThreadLocalRandom.current().nextInt(users)])
          .contentType("text/plain").content(TEXT)).andReturn().getResponse();
      if (r.getStatus() != 200) {
        throw new IllegalStateException(path + " answered " + r.getStatus() + ": " + r.getContentAsString());
      }
      return r;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Benchmark
  public MockHttpServletResponse guarded() {
    return call("/guarded");
  }

  @Benchmark
  public MockHttpServletResponse plain() {
    return call("/plain");
  }
}
