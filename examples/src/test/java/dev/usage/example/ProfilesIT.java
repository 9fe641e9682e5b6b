package dev.usage.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.testkit.ServerAvailability;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The README's server profiles, started as a user would start them against the local servers:
 * {@code postgres} keeps usage across a restart, and two instances of {@code redis} (Redis for the hot
 * path, PostgreSQL for history) share one quota exactly and each one's live stream shows the other's traffic.
 */
class ProfilesIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern CHARACTERS_USED =
      Pattern.compile("\"type\":\"characters\",\"period\":\"month\",\"limit\":(\\d+),\"used\":(\\d+)");

  private final String user = "profiles-" + UUID.randomUUID().toString().substring(0, 8);

  @Test
  void postgresProfileKeepsUsageAcrossARestart() throws Exception {
    requireServer("PostgreSQL", 5432);
    try (ConfigurableApplicationContext app = start("postgres")) {
      assertThat(correct(app, "a".repeat(120)).statusCode()).isEqualTo(200);
      assertThat(correct(app, "b".repeat(80)).statusCode()).isEqualTo(200);
      assertThat(charactersUsed(app)).isEqualTo(200);
    }
    try (ConfigurableApplicationContext again = start("postgres")) {
      assertThat(charactersUsed(again)).as("read back from PostgreSQL after a restart").isEqualTo(200);
    }
  }

  @Test
  void twoRedisInstancesShareOneQuotaExactly() throws Exception {
    requireServer("PostgreSQL", 5432);
    requireServer("Redis", 6379);
    // the instances share a key prefix of this test's own, deleted afterwards: the server is shared
    String prefix = "it-" + user;
    try (ConfigurableApplicationContext one = start("redis", "--usage.redis.key-prefix=" + prefix);
        ConfigurableApplicationContext two = start("redis", "--usage.redis.key-prefix=" + prefix)) {
      // a dashboard watching instance two sees a correction served by instance one
      BlockingQueue<String> live = new LinkedBlockingQueue<>();
      CompletableFuture<HttpResponse<Void>> stream = HTTP.sendAsync(request(two, "/api/usage/live").GET().build(),
          HttpResponse.BodyHandlers.fromLineSubscriber(new LineCollector(live)));
      assertThat(live.poll(10, TimeUnit.SECONDS)).as("the stream opened").isEqualTo(":subscribed");
      assertThat(correct(one, "d".repeat(10)).statusCode()).isEqualTo(200);
      assertThat(nextData(live, "\"used\":10")).as("the update after the commit")
          .contains("\"userId\":\"" + user + "\"");
      stream.cancel(true);

      // 2,000 characters a month on the free tier, 10 used: 7 texts of 250 fit, whichever instance serves them,
      // even when both instances are asked at once: two clients per instance, three texts each, started together
      List<Integer> statuses = concurrently(List.of(one, one, two, two), 3, "c".repeat(250));
      assertThat(statuses).hasSize(12);
      assertThat(statuses.stream().filter(s -> s == 200)).hasSize(7);
      assertThat(statuses.stream().filter(s -> s == 429)).hasSize(5);
      assertThat(charactersUsed(one)).isEqualTo(1760);
      assertThat(charactersUsed(two)).isEqualTo(1760);
    } finally {
      deleteRedisKeys(prefix);
    }
  }

  /** Deletes every key under {@code prefix} on the local Redis ({@code SCAN}, then {@code DEL}). */
  private static void deleteRedisKeys(String prefix) {
    RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page = connection.sync().scan(cursor,
            ScanArgs.Builder.matches(prefix + ":*").limit(1_000));
        if (!page.getKeys().isEmpty()) {
          connection.sync().del(page.getKeys().toArray(String[]::new));
        }
        cursor = page;
      } while (!cursor.isFinished());
    } finally {
      client.shutdown();
    }
  }

  /**
   * Each app gets one client of its own, a thread that sends {@code each} corrections of {@code text} one after
   * the other; all clients wait at a latch and start at once. Returns every answer's status.
   */
  private List<Integer> concurrently(List<ConfigurableApplicationContext> apps, int each, String text)
      throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(apps.size());
    try {
      CountDownLatch ready = new CountDownLatch(apps.size());
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<Integer>>> answers = new ArrayList<>();
      for (ConfigurableApplicationContext app : apps) {
        answers.add(clients.submit(() -> {
          ready.countDown();
          go.await();
          List<Integer> statuses = new ArrayList<>();
          for (int i = 0; i < each; i++) {
            statuses.add(correct(app, text).statusCode());
          }
          return statuses;
        }));
      }
      assertThat(ready.await(10, TimeUnit.SECONDS)).as("every client ready").isTrue();
      go.countDown();
      List<Integer> statuses = new ArrayList<>();
      for (Future<List<Integer>> a : answers) {
        statuses.addAll(a.get(60, TimeUnit.SECONDS));
      }
      return statuses;
    } finally {
      clients.shutdownNow();
    }
  }

  /** The first update containing {@code text} within 10 s (the reservation's update comes before). */
  private static String nextData(BlockingQueue<String> lines, String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (String line; (line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) != null; ) {
      if (line.startsWith("data:") && line.contains(text)) {
        return line.substring(5);
      }
    }
    throw new AssertionError("no live update with " + text + " within 10 s");
  }

  /** Hands each line of a response to a queue. */
  private record LineCollector(BlockingQueue<String> lines) implements Flow.Subscriber<String> {

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      lines.add(line);
    }

    @Override
    public void onError(Throwable throwable) {}

    @Override
    public void onComplete() {}
  }

  private ConfigurableApplicationContext start(String profile, String... more) {
    List<String> args = new ArrayList<>(List.of("--server.port=0", "--example.users." + user + ".password=pw",
        "--usage.users." + user + ".tier=free", "--usage.jobs.enabled=false"));
    args.addAll(List.of(more));
    return new SpringApplicationBuilder(TextCorrectionApplication.class).profiles(profile)
        .run(args.toArray(String[]::new));
  }

  private HttpResponse<String> correct(ConfigurableApplicationContext app, String text)
      throws IOException, InterruptedException {
    return HTTP.send(request(app, "/api/correct").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + text + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private long charactersUsed(ConfigurableApplicationContext app) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(request(app, "/api/usage/current").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    Matcher m = CHARACTERS_USED.matcher(r.body());
    assertThat(m.find()).as(r.body()).isTrue();
    return Long.parseLong(m.group(2));
  }

  private HttpRequest.Builder request(ConfigurableApplicationContext app, String path) {
    int port = ((WebServerApplicationContext) app).getWebServer().getPort();
    String credentials = Base64.getEncoder().encodeToString((user + ":pw").getBytes(StandardCharsets.UTF_8));
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Basic " + credentials);
  }

  private static void requireServer(String name, int port) {
    boolean up;
    String why = "";
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      up = true;
    } catch (IOException e) {
      up = false;
      why = e.toString();
    }
    ServerAvailability.require(name + " at 127.0.0.1:" + port, up, why);
  }
}
