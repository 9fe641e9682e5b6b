package dev.usage.spring.autoconfigure;

import dev.usage.NotificationKind;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code usage.notifications.*} properties: the administrator's defaults for telling users about their
 * quotas (thresholds reached, monthly resets and reminders of them, unusual usage, monthly summaries), and the
 * e-mail channel. Users refine them with
 * their own preferences (a {@code UsageNotificationPreferences} bean).
 */
public class NotificationProperties {

  /**
   * Whether users are notified. Channels: every NotificationChannel bean, plus e-mail when the context has a
   * JavaMailSender (spring-boot-starter-mail); with none, notifications are written to the log.
   */
  private boolean enabled = false;

  /** The thresholds, in percent of a quota's limit (1 to 1000), at which a user is told; each once a period. */
  private List<Integer> thresholds = new ArrayList<>(List.of(80, 100));

  /**
   * The kinds sent: threshold-reached, quota-reset, unusual-usage, reset-reminder, monthly-summary; users may opt
   * out of each. Default: all but monthly-summary (a report over each user's month, sent only when listed).
   */
  private Set<NotificationKind> kinds = EnumSet.complementOf(EnumSet.of(NotificationKind.MONTHLY_SUMMARY));

  /**
   * How long before a monthly period ends its reset reminder goes out (more than 0, at most 28 days): the
   * first run of the reset job within that time sends it, so schedule the job at least daily.
   */
  private Duration reminderLead = Duration.ofDays(3);

  /** The locale of users whose preferences name none, e.g. "en" or "de". */
  private Locale defaultLocale = Locale.ENGLISH;

  /** How many deliveries may wait (queued or for a retry) before further notifications are dropped. */
  private int queueCapacity = 10_000;

  /** Attempts per delivery and channel, the first included, 1 to 100. */
  private int maxAttempts = 5;

  /** The wait before the first retry of a failed delivery; it doubles with each further retry. */
  private Duration backoffInitial = Duration.ofSeconds(1);

  /** The longest wait between two attempts of a delivery, at most 1 day. */
  private Duration backoffMax = Duration.ofMinutes(5);

  /** The e-mail channel. */
  private final Mail mail = new Mail();

  /** The e-mail channel, over the context's JavaMailSender (spring.mail.*). */
  public static class Mail {

    /** Whether notifications are sent by e-mail when the context has a JavaMailSender bean. */
    private boolean enabled = true;

    /**
     * The sender address of the e-mails, e.g. "noreply@example.com", optionally with a display name; required
     * when e-mail is used.
     */
    private String from;

    /**
     * The base URL (http or https) of the host's web application; e-mails then link to its "/dashboard".
     * No link without it.
     */
    private URI dashboardUrl;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getFrom() {
      return from;
    }

    public void setFrom(String from) {
      this.from = from;
    }

    public URI getDashboardUrl() {
      return dashboardUrl;
    }

    public void setDashboardUrl(URI dashboardUrl) {
      this.dashboardUrl = dashboardUrl;
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public List<Integer> getThresholds() {
    return thresholds;
  }

  public void setThresholds(List<Integer> thresholds) {
    this.thresholds = thresholds;
  }

  public Set<NotificationKind> getKinds() {
    return kinds;
  }

  public void setKinds(Set<NotificationKind> kinds) {
    this.kinds = kinds;
  }

  public Duration getReminderLead() {
    return reminderLead;
  }

  public void setReminderLead(Duration reminderLead) {
    this.reminderLead = reminderLead;
  }

  public Locale getDefaultLocale() {
    return defaultLocale;
  }

  public void setDefaultLocale(Locale defaultLocale) {
    this.defaultLocale = defaultLocale;
  }

  public int getQueueCapacity() {
    return queueCapacity;
  }

  public void setQueueCapacity(int queueCapacity) {
    this.queueCapacity = queueCapacity;
  }

  public int getMaxAttempts() {
    return maxAttempts;
  }

  public void setMaxAttempts(int maxAttempts) {
    this.maxAttempts = maxAttempts;
  }

  public Duration getBackoffInitial() {
    return backoffInitial;
  }

  public void setBackoffInitial(Duration backoffInitial) {
    this.backoffInitial = backoffInitial;
  }

  public Duration getBackoffMax() {
    return backoffMax;
  }

  public void setBackoffMax(Duration backoffMax) {
    this.backoffMax = backoffMax;
  }

  public Mail getMail() {
    return mail;
  }
}
