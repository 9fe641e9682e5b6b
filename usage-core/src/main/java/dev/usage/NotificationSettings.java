package dev.usage;

import dev.usage.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How an engine notifies users ({@link UsageEngine.Builder#notifications}): which kinds, at which
 * thresholds, on which channels, and how hard it tries. Immutable; build with {@link #builder()}.
 *
 * <p>Each notification goes out once per (user, kind, quota type, threshold, period) across every engine
 * sharing the store: the engine claims it in the store's {@link dev.usage.spi.NotificationLedger} before
 * handing it to the channels, on a queue and threads of its own, so neither a slow channel nor a failing one
 * slows a consume. A delivery that fails is retried with exponential backoff; when every channel has given
 * up, the claim is withdrawn, so the next consume past the threshold (on any instance) tries again. A settings
 * change that leaves the usage below a threshold (a limit raised, an admin reset of the usage) withdraws that
 * threshold's claim too, so it is told again when reached again (by another engine once its memory of the claim,
 * below, has expired).
 *
 * <p>Limits: a notification is claimed before it is delivered, so one claimed by a process that then dies
 * before delivering it (a crash, a kill, a close that timed out with it still queued and its withdrawal
 * failing) is not sent by anyone: at most once, not at least once. Each engine remembers claims it has seen
 * for an hour, so a claim withdrawn by another engine is retried by this one only after that. Ledger
 * entries are needed until a week after their period: Redis and the in-memory ledger drop them then; the JDBC
 * table keeps its rows until the host deletes them (e.g. {@code DELETE FROM usage_notifications WHERE sent_at
 * < ?}, a month back).
 */
public final class NotificationSettings {

  /** The highest threshold accepted, in percent of the limit. */
  public static final int MAX_THRESHOLD_PERCENT = 1000;

  private static final Pattern CHANNEL_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final Set<NotificationKind> kinds;
  private final List<Integer> thresholds;
  private final List<NotificationChannel> channels;
  private final Locale defaultLocale;
  private final Function<String, NotificationPreferences> preferences;
  private final int queueCapacity;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration reminderLead;

  private NotificationSettings(Builder b) {
    this.kinds = Set.copyOf(b.kinds);
    this.thresholds = List.copyOf(new TreeSet<>(b.thresholds));
    this.channels = List.copyOf(b.channels.isEmpty() ? List.of(new LogNotificationChannel()) : b.channels);
    this.defaultLocale = b.defaultLocale;
    this.preferences = b.preferences;
    this.queueCapacity = b.queueCapacity;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.reminderLead = b.reminderLead;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every kind but {@link NotificationKind#MONTHLY_SUMMARY}, thresholds 80 % and 100 %, the log channel. */
  public static NotificationSettings defaults() {
    return builder().build();
  }

  /** The kinds sent. */
  public Set<NotificationKind> kinds() {
    return kinds;
  }

  /** The thresholds, in percent of a quota's limit, ascending. */
  public List<Integer> thresholds() {
    return thresholds;
  }

  /** The channels, in the order added. */
  public List<NotificationChannel> channels() {
    return channels;
  }

  /** The locale of users whose preferences name none. */
  public Locale defaultLocale() {
    return defaultLocale;
  }

  /** The source of users' preferences. */
  public Function<String, NotificationPreferences> preferences() {
    return preferences;
  }

  /** How many deliveries may wait (queued or for a retry) before further notifications are dropped. */
  public int queueCapacity() {
    return queueCapacity;
  }

  /** Attempts per delivery, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The wait before the first retry; each further retry waits twice as long, up to {@link #maxBackoff()}. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** The longest wait between two attempts. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** How long before a monthly period's end its {@link NotificationKind#RESET_REMINDER} goes out. */
  public Duration reminderLead() {
    return reminderLead;
  }

  /** Builds {@link NotificationSettings}; {@link #build()} validates and names the offending setting. */
  public static final class Builder {
    private final Set<NotificationKind> kinds = EnumSet.complementOf(EnumSet.of(NotificationKind.MONTHLY_SUMMARY));
    private final List<Integer> thresholds = new ArrayList<>(List.of(80, 100));
    private final List<NotificationChannel> channels = new ArrayList<>();
    private Locale defaultLocale = Locale.ENGLISH;
    private Function<String, NotificationPreferences> preferences = user -> NotificationPreferences.defaults();
    private int queueCapacity = 10_000;
    private int maxAttempts = 5;
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofMinutes(5);
    private Duration reminderLead = Duration.ofDays(3);

    private Builder() {}

    /** The kinds sent (admin default; users may opt out of each). Default: all but the monthly summary. */
    public Builder kinds(Set<NotificationKind> sent) {
      Checks.noNullElements("kinds", sent);
      kinds.clear();
      kinds.addAll(sent);
      return this;
    }

    /**
     * The thresholds in percent of the limit, 1 to {@value #MAX_THRESHOLD_PERCENT}. Default 80 and 100. Each
     * is sent once per quota and period; a single consume, commit or settings change that jumps past several
     * sends only the highest of them. Thresholds passed earlier without a message (its listener had not run
     * yet, its delivery failed, notifications were turned on later, a scheduled tier change lowered the limit)
     * are sent by the next consume, each of them.
     */
    public Builder thresholds(int... percents) {
      thresholds.clear();
      for (int p : percents) {
        thresholds.add(p);
      }
      return this;
    }

    /** Adds a channel; without any, notifications go to a {@link LogNotificationChannel}. */
    public Builder channel(NotificationChannel channel) {
      channels.add(Checks.notNull("channel", channel));
      return this;
    }

    /** The locale of users whose preferences name none. Default English. */
    public Builder defaultLocale(Locale locale) {
      this.defaultLocale = locale;
      return this;
    }

    /**
     * Where users' preferences come from, typically the host's user profiles; called on the engine's
     * notification thread, once per notification. When it throws or answers null, the notification is sent to
     * no one (the user may have opted out) and its claim is withdrawn, as for one no channel delivered.
     * Default: everyone receives everything.
     */
    public Builder preferences(Function<String, NotificationPreferences> source) {
      this.preferences = source;
      return this;
    }

    /** Deliveries that may wait, 1 to 1,000,000. Default 10,000. */
    public Builder queueCapacity(int deliveries) {
      this.queueCapacity = deliveries;
      return this;
    }

    /** Attempts per delivery, 1 to 100. Default 5. */
    public Builder maxAttempts(int attempts) {
      this.maxAttempts = attempts;
      return this;
    }

    /** The backoff between attempts: from {@code initial}, doubling, at most {@code max}. Default 1 s and 5 min. */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /**
     * How long before a monthly period ends its reminder goes out, more than 0 and at most 28 days. Default 3
     * days. The reset job sends it: the first run within that time before the end (schedule it at least
     * daily).
     */
    public Builder reminderLead(Duration lead) {
      this.reminderLead = lead;
      return this;
    }

    public NotificationSettings build() {
      if (thresholds.isEmpty() && kinds.contains(NotificationKind.THRESHOLD_REACHED)) {
        throw new InvalidUsageException("thresholds", "at least one is needed to send THRESHOLD_REACHED");
      }
      for (int p : thresholds) {
        if (p < 1 || p > MAX_THRESHOLD_PERCENT) {
          throw new InvalidUsageException("thresholds", "must be within 1.." + MAX_THRESHOLD_PERCENT + ", was " + p);
        }
      }
      Set<String> names = new HashSet<>();
      for (NotificationChannel c : channels) {
        String name = c.name();
        if (name == null || !CHANNEL_NAME.matcher(name).matches()) {
          throw new InvalidUsageException("channels", "a channel name is 1-64 letters, digits, . _ -; was " + name);
        }
        if (!names.add(name)) {
          throw new InvalidUsageException("channels", "two channels are named " + name);
        }
      }
      Checks.notNull("defaultLocale", defaultLocale);
      Checks.notNull("preferences", preferences);
      if (queueCapacity < 1 || queueCapacity > 1_000_000) {
        throw new InvalidUsageException("queueCapacity", "must be within 1..1000000, was " + queueCapacity);
      }
      if (maxAttempts < 1 || maxAttempts > 100) {
        throw new InvalidUsageException("maxAttempts", "must be within 1..100, was " + maxAttempts);
      }
      Checks.notNull("initialBackoff", initialBackoff);
      Checks.notNull("maxBackoff", maxBackoff);
      if (initialBackoff.isNegative() || initialBackoff.compareTo(maxBackoff) > 0
          || maxBackoff.compareTo(Duration.ofDays(1)) > 0) {
        throw new InvalidUsageException("backoff", "need 0 <= initial <= max <= 1 day, were " + initialBackoff
            + " and " + maxBackoff);
      }
      Checks.notNull("reminderLead", reminderLead);
      if (reminderLead.isNegative() || reminderLead.isZero() || reminderLead.compareTo(Duration.ofDays(28)) > 0) {
        throw new InvalidUsageException("reminderLead", "must be more than 0 and at most 28 days, was " + reminderLead);
      }
      return new NotificationSettings(this);
    }
  }
}
