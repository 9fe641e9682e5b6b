package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.usage.Consumption;
import dev.usage.NotificationSettings;
import dev.usage.Quota;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.redis.RedisUsageStorage;
import dev.usage.spring.notify.MailNotificationChannel;
import dev.usage.testkit.Hammer;
import dev.usage.testkit.SecondJvm;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * Two JVMs, each an engine with the e-mail channel, consume for one user on one Redis at once: the user gets
 * one e-mail per threshold, not one per JVM (the notification ledger in Redis decides which JVM sends each).
 */
class MailTwoJvmIT {

  @RegisterExtension
  static final GreenMailExtension smtp =
      new GreenMailExtension(new ServerSetup(3025, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

  private static final String NOW = "2026-03-15T10:00:00Z";
  private String prefix;

  @BeforeEach
  void redis() {
    LocalRedis.require();
    prefix = "umail-" + UUID.randomUUID();
  }

  @AfterEach
  void clean() {
    LocalRedis.deleteKeys(prefix);
  }

  /**
   * An engine over the Redis at {@link LocalRedis#URI} under {@code prefix}, a SOFT monthly request quota of 100
   * (so both JVMs see the user past both thresholds), threshold e-mails to the SMTP server at {@code port}.
   */
  static UsageEngine engine(RedisClient client, String prefix, int port) {
    JavaMailSenderImpl sender = new JavaMailSenderImpl();
    sender.setHost("127.0.0.1");
    sender.setPort(port);
    return UsageEngine.builder().clock(Clock.fixed(Instant.parse(NOW), ZoneOffset.UTC))
        .trackingMode(TrackingMode.SYNC).closeOnShutdown(false)
        .storage(RedisUsageStorage.builder(client).keyPrefix(prefix).build())
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 100).soft())
        .notifications(NotificationSettings.builder()
            .channel(MailNotificationChannel.builder(sender, "Usage <usage@example.com>").build()).build())
        .build();
  }

  static RedisClient client() {
    RedisClient client = RedisClient.create(RedisURI.create(LocalRedis.URI));
    client.setOptions(RedisUsageStorage.recommendedOptions());
    return client;
  }

  /** 8 threads, 30 requests each. */
  static void hammer(UsageEngine engine, String user) throws Exception {
    Hammer.run(8, 30, Duration.ofMinutes(2),
        (t, a) -> engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)));
  }

  @Test
  void eachThresholdIsMailedOnceWhenTwoJvmsConsumeTogether() throws Exception {
    String user = "jvm-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    int port = smtp.getSmtp().getPort();
    RedisClient client = client();
    try (SecondJvm child = SecondJvm.start(Child.class, List.of(prefix, Integer.toString(port), user))) {
      UsageEngine engine = engine(client, prefix, port);
      child.awaitReady(Duration.ofMinutes(1));
      child.go();
      hammer(engine, user);
      engine.close(); // waits for the e-mails under way
      assertThat(child.awaitResults(Duration.ofMinutes(2))).isEmpty();
    } finally {
      client.shutdown();
    }

    MimeMessage[] received = smtp.getReceivedMessages();
    assertThat(Arrays.stream(received).map(m -> {
      try {
        return m.getSubject();
      } catch (jakarta.mail.MessagingException e) {
        throw new IllegalStateException(e);
      }
    })).as("one e-mail per threshold over both JVMs").containsExactlyInAnyOrder(
        "You have used 80% of your requests quota", "You have used 100% of your requests quota");
    for (MimeMessage m : received) {
      assertThat(m.getAllRecipients()).extracting(Object::toString).containsExactly(user);
    }
  }

  /** The second JVM: arguments prefix, SMTP port, user; READY, waits for GO, consumes, closes, DONE. */
  public static final class Child {

    public static void main(String[] args) throws Exception {
      // stdout carries the protocol; the logs that Spring's test class path sends to it go to stderr instead
      java.io.PrintStream protocol = System.out;
      System.setOut(System.err);
      RedisClient client = client();
      try {
        UsageEngine engine = engine(client, args[0], Integer.parseInt(args[1]));
        protocol.println("READY");
        protocol.flush();
        String go = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (!"GO".equals(go)) {
          throw new IllegalStateException("expected GO, got " + go);
        }
        hammer(engine, args[2]);
        engine.close();
        protocol.println("DONE");
        protocol.flush();
      } finally {
        client.shutdown();
      }
    }
  }
}
