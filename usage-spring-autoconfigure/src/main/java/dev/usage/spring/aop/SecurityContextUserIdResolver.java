package dev.usage.spring.aop;

import java.util.Optional;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** The name of the authenticated, non-anonymous principal in Spring Security's context. */
public final class SecurityContextUserIdResolver implements UserIdResolver {

  @Override
  public Optional<String> currentUserId() {
    Authentication a = SecurityContextHolder.getContext().getAuthentication();
    if (a == null || !a.isAuthenticated() || a instanceof AnonymousAuthenticationToken) {
      return Optional.empty();
    }
    return Optional.ofNullable(a.getName());
  }
}
