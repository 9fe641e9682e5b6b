package dev.usage.spring.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.usage.InvalidUsageException;
import dev.usage.Notification;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.mail.MailException;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/** One notification, one e-mail: its structure, its encoding, and when the channel skips or throws. */
class MailNotificationChannelTest {

  @RegisterExtension
  static final GreenMailExtension smtp =
      new GreenMailExtension(new ServerSetup(3025, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

  private static JavaMailSenderImpl sender(int port) {
    JavaMailSenderImpl s = new JavaMailSenderImpl();
    s.setHost("127.0.0.1");
    s.setPort(port);
    s.getJavaMailProperties().put("mail.smtp.connectiontimeout", "5000");
    s.getJavaMailProperties().put("mail.smtp.timeout", "5000");
    return s;
  }

  private MailNotificationChannel.Builder channel() {
    return MailNotificationChannel.builder(sender(smtp.getSmtp().getPort()), "Usage <usage@example.com>");
  }

  private static Notification german(String user) {
    return NotificationMailRendererTest.threshold(user, 80, 8, 10, Locale.GERMAN);
  }

  @Test
  void aUserZoneThatCannotBeLookedUpFallsBackToTheChannelsZone() throws Exception {
    // the period ends on 1 April 00:00 UTC: still 31 March in Los Angeles
    ZoneId losAngeles = ZoneId.of("America/Los_Angeles");
    Notification reminder = NotificationMailRendererTest.reminder("ann@example.com", Locale.ENGLISH);
    channel().zone(losAngeles).userZones(user -> {
      throw new IllegalStateException("the store is down");
    }).build().send(reminder);
    channel().zone(losAngeles).userZones(user -> null).build().send(reminder);
    assertThat(smtp.getReceivedMessages()).extracting(MimeMessage::getSubject)
        .containsExactly("Your monthly quotas reset on Mar 31, 2026", "Your monthly quotas reset on Mar 31, 2026");
  }

  @Test
  void sendsOneUtf8MessageWithPlainTextAndAnHtmlAlternative() throws Exception {
    channel().build().send(german("ann@example.com"));

    MimeMessage[] received = smtp.getReceivedMessages();
    assertThat(received).hasSize(1);
    MimeMessage m = received[0];
    assertThat(m.getSubject()).isEqualTo("Sie haben 80 % Ihres Kontingents für Anfragen verbraucht");
    assertThat(m.getSentDate()).isEqualTo(java.util.Date.from(german("ann@example.com").at()));
    Multipart alternative = alternative(m);
    assertThat(alternative.getContentType()).startsWith("multipart/alternative");
    assertThat(alternative.getCount()).isEqualTo(2);
    assertThat(alternative.getBodyPart(0).getContentType()).startsWith("text/plain").containsIgnoringCase("UTF-8");
    assertThat(alternative.getBodyPart(1).getContentType()).startsWith("text/html").containsIgnoringCase("UTF-8");
    assertThat((String) alternative.getBodyPart(0).getContent())
        .contains("Verbraucht: 8 / 10", "Zurückgesetzt am", "für das Nutzungsbenachrichtigungen");
    assertThat((String) alternative.getBodyPart(1).getContent()).contains("<td>8 / 10</td>");
  }

  @Test
  void skipsWithoutThrowingAUserWithoutAddressOrWithAnInvalidOne() throws Exception {
    MailNotificationChannel channel = channel()
        .recipients(user -> user.equals("broken") ? Optional.of("not an address@") : Optional.empty()).build();

    channel.send(german("ann@example.com")); // the source knows no address, although the id is one
    channel.send(german("broken"));

    assertThat(smtp.getReceivedMessages()).isEmpty();
  }

  @Test
  void throwsWhenTheServerCannotBeReachedSoThatTheEngineRetries() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    MailNotificationChannel channel = MailNotificationChannel.builder(sender(closedPort), "usage@example.com").build();

    assertThatThrownBy(() -> channel.send(german("ann@example.com"))).isInstanceOf(MailException.class);
  }

  @Test
  void refusesAnInvalidSenderOrDashboardNamingTheSetting() {
    JavaMailSenderImpl s = sender(smtp.getSmtp().getPort());
    assertThatThrownBy(() -> MailNotificationChannel.builder(s, "no-at-sign"))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("from"));
    assertThatThrownBy(() -> MailNotificationChannel.builder(s, " "))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("from"));
    for (String bad : new String[] {"javascript:alert(1)", "/relative", "ftp://files.example.com"}) {
      assertThatThrownBy(() -> channel().dashboardUrl(URI.create(bad))).as(bad)
          .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("dashboardUrl"));
    }
  }

  @Test
  void linksToTheDashboardUnderTheBaseUrlWithOrWithoutATrailingSlash() throws Exception {
    channel().dashboardUrl(URI.create("https://app.example.com/")).build().send(german("ann@example.com"));
    channel().dashboardUrl(URI.create("https://app.example.com/portal")).build().send(german("bob@example.com"));

    MimeMessage[] received = smtp.getReceivedMessages();
    assertThat(received).hasSize(2);
    assertThat(alternative(received[0]).getBodyPart(0).getContent().toString())
        .contains("https://app.example.com/dashboard").doesNotContain("https://app.example.com//dashboard");
    assertThat(alternative(received[1]).getBodyPart(1).getContent().toString())
        .contains("<a href=\"https://app.example.com/portal/dashboard\">");
  }

  /** The text and HTML alternatives, inside the mixed and related parts MimeMessageHelper makes. */
  private static Multipart alternative(MimeMessage m) throws Exception {
    Multipart mixed = (Multipart) m.getContent();
    Multipart related = (Multipart) mixed.getBodyPart(0).getContent();
    return (Multipart) related.getBodyPart(0).getContent();
  }
}
