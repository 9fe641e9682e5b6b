package dev.usage.example.api;

import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.web.server.ResponseStatusException;

/**
 * Who is calling: the signed-in user's name and whether they hold the ADMIN role.
 *
 * @param name the signed-in user's id
 * @param admin whether they hold {@code ROLE_ADMIN}
 */
record Caller(String name, boolean admin) {

  Caller {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: must not be blank");
    }
  }

  static Caller of(Authentication authentication) {
    return new Caller(authentication.getName(),
        AuthorityUtils.authorityListToSet(authentication.getAuthorities()).contains("ROLE_ADMIN"));
  }

  /**
   * The user a read is about: the caller, or {@code userId} when given; another user's id needs the ADMIN
   * role (403 otherwise).
   */
  String target(Optional<String> userId) {
    String target = userId.filter(id -> !id.isBlank()).orElse(name);
    if (!target.equals(name) && !admin) {
      throw new ResponseStatusException(HttpStatus.FORBIDDEN, "Another user's quotas need the ADMIN role.");
    }
    return target;
  }
}
