package dev.usage.spring.autoconfigure;

import dev.usage.InvalidUsageException;
import dev.usage.NotificationChannel;
import dev.usage.NotificationSettings;
import dev.usage.QuotaManagementService;
import dev.usage.spring.notify.MailNotificationChannel;
import dev.usage.spring.notify.NotificationRecipients;
import dev.usage.spring.notify.UsageNotificationPreferences;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.mail.javamail.JavaMailSender;

/**
 * Notifications to users, with {@code usage.notifications.enabled=true}: the engine gets
 * {@link NotificationSettings} from {@code usage.notifications.*} (through a {@link UsageEngineBuilderCustomizer}),
 * with every {@link NotificationChannel} bean as a channel, the e-mail channel among them when the context has
 * one {@link JavaMailSender} (spring-boot-starter-mail) and {@code usage.notifications.mail.enabled} is not
 * false; with no channel at all, notifications are written to the log. Users' preferences come from a
 * {@link UsageNotificationPreferences} bean, their addresses from a {@link NotificationRecipients} bean.
 *
 * <p>The channels and the preference source are resolved while the engine is built: such a bean must not
 * depend on the engine or its services.
 */
@AutoConfiguration(before = UsageAutoConfiguration.class,
    afterName = "org.springframework.boot.mail.autoconfigure.MailSenderAutoConfiguration")
@ConditionalOnClass(NotificationSettings.class)
@ConditionalOnBooleanProperty(name = "usage.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "usage.notifications.enabled")
@EnableConfigurationProperties(UsageProperties.class)
@Import(UsageUserIdsCheck.class)
public class UsageNotificationsAutoConfiguration {

  private static final String PREFIX = "usage.notifications.";

  /** Users' e-mail addresses: by default the user id itself when it is one. */
  @Bean
  @ConditionalOnMissingBean
  public NotificationRecipients usageNotificationRecipients() {
    return NotificationRecipients.userIdIfEmail();
  }

  /**
   * The settings from {@code usage.notifications.*}, the context's channels and preference source.
   *
   * @throws InvalidConfigurationPropertyValueException naming the property the library refuses
   */
  @Bean
  @ConditionalOnMissingBean
  public NotificationSettings usageNotificationSettings(UsageProperties properties,
      ObjectProvider<NotificationChannel> channels, ObjectProvider<UsageNotificationPreferences> preferences) {
    NotificationProperties p = properties.getNotifications();
    List<Integer> thresholds = p.getThresholds() == null ? List.of() : p.getThresholds();
    if (thresholds.stream().anyMatch(Objects::isNull)) {
      throw new InvalidConfigurationPropertyValueException(PREFIX + "thresholds", thresholds,
          "must not hold an empty value");
    }
    try {
      NotificationSettings.Builder b = NotificationSettings.builder()
          .kinds(p.getKinds())
          .thresholds(thresholds.stream().mapToInt(Integer::intValue).toArray())
          .defaultLocale(p.getDefaultLocale())
          .queueCapacity(p.getQueueCapacity())
          .maxAttempts(p.getMaxAttempts())
          .backoff(p.getBackoffInitial(), p.getBackoffMax())
          .reminderLead(p.getReminderLead());
      channels.orderedStream().forEach(b::channel);
      UsageNotificationPreferences source = preferences.getIfAvailable();
      if (source != null) {
        b.preferences(source::preferences);
      }
      return b.build();
    } catch (InvalidUsageException e) {
      throw refused(e, p);
    }
  }

  /** Hands the settings to the engine; ordered first, so that the host's customizers may still change them. */
  @Bean
  @ConditionalOnMissingBean(name = "usageNotificationsCustomizer")
  @Order(0)
  public UsageEngineBuilderCustomizer usageNotificationsCustomizer(ObjectProvider<NotificationSettings> settings) {
    return builder -> builder.notifications(settings.getObject());
  }

  private static RuntimeException refused(InvalidUsageException e, NotificationProperties p) {
    Duration day = Duration.ofDays(1);
    return switch (e.field()) {
      case "kinds" -> new InvalidConfigurationPropertyValueException(PREFIX + "kinds", p.getKinds(), e.getMessage());
      case "thresholds" ->
          new InvalidConfigurationPropertyValueException(PREFIX + "thresholds", p.getThresholds(), e.getMessage());
      case "defaultLocale" -> new InvalidConfigurationPropertyValueException(PREFIX + "default-locale",
          p.getDefaultLocale(), e.getMessage());
      case "queueCapacity" -> new InvalidConfigurationPropertyValueException(PREFIX + "queue-capacity",
          p.getQueueCapacity(), e.getMessage());
      case "maxAttempts" ->
          new InvalidConfigurationPropertyValueException(PREFIX + "max-attempts", p.getMaxAttempts(), e.getMessage());
      case "initialBackoff" ->
          new InvalidConfigurationPropertyValueException(PREFIX + "backoff-initial", null, e.getMessage());
      case "reminderLead" ->
          new InvalidConfigurationPropertyValueException(PREFIX + "reminder-lead", p.getReminderLead(), e.getMessage());
      case "maxBackoff" -> new InvalidConfigurationPropertyValueException(PREFIX + "backoff-max", null, e.getMessage());
      case "backoff" -> p.getBackoffMax() != null && p.getBackoffMax().compareTo(day) > 0
          ? new InvalidConfigurationPropertyValueException(PREFIX + "backoff-max", p.getBackoffMax(), e.getMessage())
          : new InvalidConfigurationPropertyValueException(PREFIX + "backoff-initial", p.getBackoffInitial(),
              e.getMessage());
      // the channels are the context's beans, not properties
      case "channels", "channel" -> new IllegalStateException("The NotificationChannel beans are refused: "
          + e.getMessage(), e);
      default -> new InvalidConfigurationPropertyValueException(PREFIX.substring(0, PREFIX.length() - 1), null,
          e.getMessage());
    };
  }

  /** The e-mail channel, over the context's one {@link JavaMailSender}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({JavaMailSender.class, MimeMessage.class})
  @ConditionalOnBooleanProperty(name = "usage.notifications.mail.enabled", matchIfMissing = true)
  @ConditionalOnSingleCandidate(JavaMailSender.class)
  static class Mail {

    /**
     * The channel, from {@code usage.notifications.mail.*}.
     *
     * @throws InvalidConfigurationPropertyValueException {@code usage.notifications.mail.from} is missing or
     *     invalid, or {@code usage.notifications.mail.dashboard-url} is not an http(s) URL
     */
    @Bean
    @ConditionalOnMissingBean
    MailNotificationChannel usageMailNotificationChannel(JavaMailSender sender, NotificationRecipients recipients,
        UsageProperties properties, ObjectProvider<QuotaManagementService> quotas) {
      NotificationProperties.Mail mail = properties.getNotifications().getMail();
      String from = mail.getFrom();
      if (from == null || from.isBlank()) {
        throw new InvalidConfigurationPropertyValueException(PREFIX + "mail.from", from, "e-mail notifications "
            + "need a sender address: set " + PREFIX + "mail.from, or turn e-mail off with " + PREFIX
            + "mail.enabled=false");
      }
      MailNotificationChannel.Builder b = UsagePropertiesMapper.named(PREFIX + "mail.from", from,
          () -> MailNotificationChannel.builder(sender, from));
      // dates in each user's zone, where their periods run: the service is looked up at the first e-mail (the
      // engine uses this channel) and kept, so that e-mails the engine sends while closing, after the context has
      // destroyed the service's bean, still find it
      AtomicReference<QuotaManagementService> service = new AtomicReference<>();
      b.recipients(recipients).zone(properties.getTimeZone())
          .userZones(user -> service.updateAndGet(s -> s != null ? s : quotas.getObject()).getUserQuota(user).zone());
      if (mail.getDashboardUrl() != null) {
        UsagePropertiesMapper.named(PREFIX + "mail.dashboard-url", mail.getDashboardUrl(),
            () -> b.dashboardUrl(mail.getDashboardUrl()));
      }
      return b.build();
    }
  }
}
