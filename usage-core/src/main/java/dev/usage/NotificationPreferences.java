package dev.usage;

import dev.usage.internal.Checks;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What one user wants to receive, as the host's {@link NotificationSettings.Builder#preferences preference
 * source} answers for them.
 *
 * @param optedOut kinds the user does not receive
 * @param channels the channels (by {@link NotificationChannel#name()}) the user receives on; empty for every
 *     configured channel
 * @param locale the user's locale; empty for the configured default
 */
public record NotificationPreferences(Set<NotificationKind> optedOut, Optional<Set<String>> channels,
    Optional<Locale> locale) {

  private static final NotificationPreferences DEFAULTS =
      new NotificationPreferences(Set.of(), Optional.empty(), Optional.empty());

  public NotificationPreferences {
    Checks.noNullElements("optedOut", optedOut);
    optedOut = optedOut.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(optedOut));
    Checks.notNull("channels", channels);
    channels = channels.map(c -> Set.copyOf(Checks.noNullElements("channels", c)));
    Checks.notNull("locale", locale);
  }

  /** Every kind, on every channel, in the default locale. */
  public static NotificationPreferences defaults() {
    return DEFAULTS;
  }

  /** These preferences without {@code kinds}. */
  public NotificationPreferences optOut(NotificationKind... kinds) {
    EnumSet<NotificationKind> out = optedOut.isEmpty() ? EnumSet.noneOf(NotificationKind.class) : EnumSet.copyOf(optedOut);
    out.addAll(Set.of(kinds));
    return new NotificationPreferences(out, channels, locale);
  }

  /** These preferences on the named channels only. */
  public NotificationPreferences onChannels(String... names) {
    return new NotificationPreferences(optedOut, Optional.of(Set.of(names)), locale);
  }

  /** These preferences in {@code l}. */
  public NotificationPreferences in(Locale l) {
    return new NotificationPreferences(optedOut, channels, Optional.of(Checks.notNull("locale", l)));
  }

  /** Whether the user receives {@code kind} on {@code channel}. */
  public boolean receives(NotificationKind kind, String channel) {
    return !optedOut.contains(kind) && channels.map(c -> c.contains(channel)).orElse(true);
  }
}
