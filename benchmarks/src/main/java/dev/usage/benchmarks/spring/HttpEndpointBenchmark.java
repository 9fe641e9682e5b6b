package dev.usage.benchmarks.spring;

import dev.usage.Quota;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
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
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The guard's cost as a client sees it: the handlers of {@link GuardedEndpointBenchmark} (characters and a
 * request for a random user of 10,000, in-memory store) served by a Spring Boot application on embedded
 * Tomcat over loopback, called by 8 client threads through Apache HttpClient's classic (blocking) client
 * with kept-alive connections. Server and client share the machine, as in any loopback run; the client's
 * work per request is the same on both sides. Target: guarded at least 0.85 times plain in requests per
 * second. Every response must be 200, and the guarded one must carry the RateLimit fields.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 3)
@Fork(3)
@Threads(8)
public class HttpEndpointBenchmark {

  @Param("10000")
  public int users;

  private ConfigurableApplicationContext context;
  private CloseableHttpClient client;
  private URI guarded;
  private URI plain;
  private String[] ids;
  private static final String TEXT = "Their is a mistake in this sentense, and an other one here.";

  /** The application: the module's auto-configuration (all of Boot's that applies) and the two handlers. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(GuardedEndpointBenchmark.Correction.class)
  static class App {}

  @Setup
  public void start() throws IOException {
    String max = Long.toString(Quota.MAX_AMOUNT);
    // limits no call reaches, so that every quota is judged and reported in the RateLimit fields
    context = new SpringApplicationBuilder(App.class).properties(
        "server.port=0", "spring.main.banner-mode=off", "logging.level.root=warn",
        "usage.store=memory", "usage.quotas.defaults.monthly.characters=" + max,
        "usage.quotas.defaults.monthly.requests=" + max).run();
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    guarded = URI.create("http://127.0.0.1:" + port + "/guarded");
    plain = URI.create("http://127.0.0.1:" + port + "/plain");
    client = HttpClients.custom().setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
        .setMaxConnPerRoute(64).setMaxConnTotal(64).build()).build();
    ids = new String[users];
    for (int i = 0; i < users; i++) {
      ids[i] = "user-" + i;
    }
    boolean fields = client.execute(post(guarded),
        r -> ok(r) && r.getFirstHeader("RateLimit") != null && r.getFirstHeader("RateLimit-Policy") != null);
    if (!fields) {
      throw new IllegalStateException("the guarded endpoint answered without RateLimit fields");
    }
  }

  @TearDown
  public void stop() throws IOException {
    client.close();
    context.close();
  }

  private HttpPost post(URI uri) {
    HttpPost post = new HttpPost(uri);
    post.setHeader("X-User", ids[ThreadLocalRandom.current().nextInt(users)]);
    post.setEntity(new StringEntity(TEXT, ContentType.TEXT_PLAIN));
    return post;
  }

  private static boolean ok(ClassicHttpResponse r) throws IOException, ParseException {
    String body = EntityUtils.toString(r.getEntity());
    if (r.getCode() != 200) {
      throw new IllegalStateException("answered " + r.getCode() + ": " + body);
    }
    return true;
  }

  private boolean call(URI uri) {
    try {
      return client.execute(post(uri), HttpEndpointBenchmark::ok);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Benchmark
  public boolean guarded() {
    return call(guarded);
  }

  @Benchmark
  public boolean plain() {
    return call(plain);
  }
}
