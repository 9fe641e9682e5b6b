package dev.usage.spring.aop;

import java.util.Optional;

/**
 * The user of a guarded or tracked call whose annotation names none. The default, with Spring Security on the
 * class path, is the authenticated principal's name; a host may define its own bean.
 */
@FunctionalInterface
public interface UserIdResolver {

  /**
   * The current user, or empty when there is none: a guarded call is then refused with
   * {@link QuotaUserUnresolvedException}, a tracked call is not recorded.
   */
  Optional<String> currentUserId();
}
