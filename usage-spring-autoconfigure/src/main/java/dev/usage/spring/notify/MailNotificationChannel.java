package dev.usage.spring.notify;

import dev.usage.InvalidUsageException;
import dev.usage.Notification;
import dev.usage.NotificationChannel;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.time.ZoneId;
import java.util.Date;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;

/**
 * Sends notifications as e-mails through Spring's {@link JavaMailSender}: one UTF-8 message per notification,
 * plain text with an HTML alternative, in the notification's locale (English, German; English for any
 * other), carrying the numbers (used and limit, the closed periods' rows with what was carried over, the
 * monthly quotas before their reset, the month's summary, the unusual hour against the usual one) and, when
 * configured, a link to the host's dashboard.
 *
 * <p>The address comes from {@link NotificationRecipients}; a user without one is skipped (logged at debug)
 * rather than failed, since a retry would not give them an address. A transport failure is thrown, so the
 * engine retries with backoff. Thread-safe; build with {@link #builder}.
 */
public final class MailNotificationChannel implements NotificationChannel {

  /** The channel's name, for {@link dev.usage.NotificationPreferences#onChannels}. */
  public static final String NAME = "mail";

  private static final Logger log = LoggerFactory.getLogger(MailNotificationChannel.class);

  private final JavaMailSender sender;
  private final InternetAddress from;
  private final NotificationRecipients recipients;
  private final NotificationMailRenderer renderer;
  private final ZoneId zone;
  private final Function<String, ZoneId> userZones;

  private MailNotificationChannel(Builder b) {
    this.sender = b.sender;
    this.from = b.from;
    this.recipients = b.recipients;
    this.renderer = new NotificationMailRenderer(b.dashboardUrl.map(MailNotificationChannel::dashboardLink), b.zone);
    this.zone = b.zone;
    this.userZones = b.userZones;
  }

  /**
   * A builder for a channel sending through {@code sender} from {@code from}.
   *
   * @param from the sender address, e.g. {@code Usage <noreply@example.com>}
   * @throws InvalidUsageException naming {@code from} when it is not one valid address
   */
  public static Builder builder(JavaMailSender sender, String from) {
    return new Builder(sender, from);
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Renders and sends one e-mail, or nothing for a user without a valid address.
   *
   * @throws org.springframework.mail.MailException the transport failed (the engine retries)
   * @throws MessagingException the message could not be assembled
   */
  @Override
  public void send(Notification n) throws MessagingException {
    Optional<String> to = recipients.emailOf(n.userId());
    if (to == null || to.isEmpty()) {
      log.debug("User {} has no e-mail address; notification {} not sent by e-mail", n.userId(), n.kind());
      return;
    }
    InternetAddress address;
    try {
      address = new InternetAddress(to.get(), true);
    } catch (AddressException e) {
      // permanent: retrying would fail the same way
      log.warn("User {} has an invalid e-mail address ({}); notification {} not sent by e-mail", n.userId(),
          e.getMessage(), n.kind());
      return;
    }
    NotificationMailRenderer.RenderedMail mail = renderer.render(n, zoneOf(n.userId()));
    MimeMessage message = sender.createMimeMessage();
    MimeMessageHelper helper = new MimeMessageHelper(message, MimeMessageHelper.MULTIPART_MODE_MIXED_RELATED, "UTF-8");
    helper.setFrom(from);
    helper.setTo(address);
    helper.setSubject(mail.subject());
    helper.setSentDate(Date.from(n.at()));
    helper.setText(mail.text(), mail.html());
    sender.send(message);
  }

  /** The user's zone, or the channel's when there is no lookup or it fails (the e-mail names the zone it uses). */
  private ZoneId zoneOf(String userId) {
    if (userZones == null) {
      return zone;
    }
    try {
      ZoneId z = userZones.apply(userId);
      return z == null ? zone : z;
    } catch (RuntimeException e) {
      log.debug("The zone of user {} could not be looked up; the e-mail writes dates in {}", userId, zone, e);
      return zone;
    }
  }

  @Override
  public String toString() {
    return "MailNotificationChannel[from=" + from + "]";
  }

  /** {@code base}'s {@code /dashboard} page. */
  private static String dashboardLink(URI base) {
    String s = base.toString();
    return (s.endsWith("/") ? s.substring(0, s.length() - 1) : s) + "/dashboard";
  }

  /** Builds a {@link MailNotificationChannel}; validates each setting as it is given, naming it. */
  public static final class Builder {
    private final JavaMailSender sender;
    private final InternetAddress from;
    private NotificationRecipients recipients = NotificationRecipients.userIdIfEmail();
    private Optional<URI> dashboardUrl = Optional.empty();
    private ZoneId zone = ZoneId.of("UTC");
    private Function<String, ZoneId> userZones;

    private Builder(JavaMailSender sender, String from) {
      if (sender == null) {
        throw new InvalidUsageException("sender", "must not be null");
      }
      this.sender = sender;
      if (from == null || from.isBlank()) {
        throw new InvalidUsageException("from", "a sender address is needed");
      }
      try {
        this.from = new InternetAddress(from.trim(), true);
      } catch (AddressException e) {
        throw new InvalidUsageException("from", "not a valid e-mail address: " + e.getMessage());
      }
    }

    /** Where users' addresses come from. Default: {@link NotificationRecipients#userIdIfEmail()}. */
    public Builder recipients(NotificationRecipients source) {
      if (source == null) {
        throw new InvalidUsageException("recipients", "must not be null");
      }
      this.recipients = source;
      return this;
    }

    /**
     * The base URL of the host's web application: every e-mail links to its {@code /dashboard}. An absolute
     * http or https URL. Default: none, no link.
     */
    public Builder dashboardUrl(URI base) {
      if (base == null || !base.isAbsolute() || base.getHost() == null
          || !Objects.equals("http", base.getScheme().toLowerCase(Locale.ROOT))
          && !Objects.equals("https", base.getScheme().toLowerCase(Locale.ROOT))) {
        throw new InvalidUsageException("dashboardUrl", "must be an absolute http or https URL, was " + base);
      }
      this.dashboardUrl = Optional.of(base);
      return this;
    }

    /**
     * The zone in which the e-mails write dates (the reset date, the periods, the month), for users whose zone
     * {@link #userZones} does not give. Default UTC.
     */
    public Builder zone(ZoneId zone) {
      if (zone == null) {
        throw new InvalidUsageException("zone", "must not be null");
      }
      this.zone = zone;
      return this;
    }

    /**
     * Each user's zone, in which their periods run (e.g. {@code id -> quotas.getUserQuota(id).zone()}), so that
     * an e-mail names the month and the reset date as the user's quotas count them. A lookup that fails or gives
     * null falls back to {@link #zone}. Default: none, {@link #zone} for everyone.
     */
    public Builder userZones(Function<String, ZoneId> lookup) {
      if (lookup == null) {
        throw new InvalidUsageException("userZones", "must not be null");
      }
      this.userZones = lookup;
      return this;
    }

    public MailNotificationChannel build() {
      return new MailNotificationChannel(this);
    }
  }
}
