package dev.usage.example;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The demo sign-ins, from {@code example.users.<name>.{password,roles}}: the README's {@code alice} (free
 * tier), {@code bob} (premium) and {@code admin} (role ADMIN). Their tiers are set with
 * {@code usage.users.<name>.tier}. Passwords here are for a laptop demo; a real host signs its users in
 * with its own identity provider.
 */
@ConfigurationProperties("example")
public record DemoUsers(Map<String, User> users) {

  public DemoUsers {
    users = users == null ? Map.of() : Map.copyOf(users);
  }

  /** One sign-in: its password and roles ({@code USER}, {@code ADMIN}). */
  public record User(String password, List<String> roles) {

    public User {
      roles = roles == null ? List.of("USER") : List.copyOf(roles);
    }
  }
}
