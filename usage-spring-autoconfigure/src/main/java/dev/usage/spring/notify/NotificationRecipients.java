package dev.usage.spring.notify;

import java.util.Optional;

/**
 * Where a user's e-mails go: the host's user directory answers for a user id. Define a bean of this type to
 * replace the default ({@link #userIdIfEmail()}). Called on the mail channel's thread, once per e-mail.
 */
@FunctionalInterface
public interface NotificationRecipients {

  /**
   * The e-mail address of {@code userId}; empty when the user has none, and then the user gets no e-mail (the
   * notification counts as handled, not as failed). Throwing means "try again later": the delivery is retried.
   */
  Optional<String> emailOf(String userId);

  /**
   * The user id itself when it looks like an e-mail address (an {@code @} after its first character); empty
   * otherwise.
   */
  static NotificationRecipients userIdIfEmail() {
    return userId -> userId.indexOf('@') > 0 ? Optional.of(userId) : Optional.empty();
  }
}
